import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { Environments } from '../operations/environments';
import { kindAllowed, TargetBindings } from '../operations/targetBinding';

/**
 * Where an entity's evidence is collected: per configured environment, the cluster and namespace
 * its deploys use, resolved exactly as the deploy drivers resolve them (Environments.target:
 * bindings first, annotations only within allowedNamespaces), and only where no other entity
 * holds that target (a configured binding or a recorded claim of another entity). Reading is
 * not changing, so a target nobody holds yet is collected; one held elsewhere is not: an
 * entity named like another team's service, or annotated with its release, must not be shown
 * that service's cluster state as its own.
 */
export class CollectionPlaces {
  constructor(
    private readonly o: {
      environments: Environments;
      /** The deploy side's binding rule; absent in tests without it (then only kinds count). */
      bindings?: Pick<TargetBindings, 'decide'>;
      /** rco.operations.entityKinds: the kinds that have targets at all. */
      entityKinds: string[];
      logger: LoggerService;
    },
  ) {}

  /**
   * `log`: say why a place is skipped (runs do; a page reading its status does not).
   * `bindings: false`: leave the bindings out (another entity's places on a refresh only contest
   * objects: a place too many there widens ambiguity, never gives an object away), so a refresh
   * does not ask the binding rule once per governed entity and environment.
   */
  async of(
    entity: Entity,
    log = true,
    options: { bindings?: boolean } = {},
  ): Promise<CollectionPlace[]> {
    const warn = (message: string) => {
      if (log) this.o.logger.warn(message);
    };
    if (!kindAllowed(entity, this.o.entityKinds)) return [];
    const entityRef = stringifyEntityRef(entity);
    const places: CollectionPlace[] = [];
    for (const env of this.o.environments.list) {
      let target;
      try {
        target = this.o.environments.target(entity, env.name);
      } catch (error) {
        // A namespace outside allowedNamespaces, or a malformed annotation: not collected.
        warn(
          `Evidence collection skips ${entityRef} in ${env.name}: ${
            (error as Error).message
          }`,
        );
        continue;
      }
      const simulated = env.driver === 'simulated';
      const key = this.o.environments.lockKey(target, simulated);
      const decision =
        this.o.bindings && options.bindings !== false
          ? await this.o.bindings.decide(entityRef, key, simulated)
          : 'unclaimed';
      if (decision === 'elsewhere') {
        warn(
          `Evidence collection skips ${entityRef} in ${env.name}: its target is bound to another entity`,
        );
        continue;
      }
      places.push({
        entityRef,
        name: entity.metadata.name,
        entityNamespace: entity.metadata.namespace ?? 'default',
        environment: env.name,
        cluster: target.cluster,
        namespace: target.namespace,
      });
    }
    return places;
  }
}

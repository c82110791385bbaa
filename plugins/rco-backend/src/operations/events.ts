import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import { DriverProgress } from '@helix-portal/plugin-rco-node';
import { stringify } from 'yaml';
import { OperationRecord } from '../database/OperationStore';
import { OverrideRecord } from '../database/OverrideStore';
import { EvidenceService } from '../evidence/EvidenceService';
import { ownersOf } from '../service/access';
import { OperationEvents } from './OperationRunner';
import { SignalChannels } from './signalChannels';
import { Clock } from '../lib/clock';
import { outcomeTitle, serviceTitle, versionOfRevision } from './wording';

const entityPath = (entityRef: string) => {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/release`;
};

/**
 * Live progress through Backstage signals (a nudge only: the page reloads the operation through
 * the API), on a channel nobody can name without being able to see the entity (SignalChannels),
 * carrying no entity name; owners notified on outcomes,
 * dry-runs recorded as evidence, and Security told about break-glass overrides.
 */
export class OperationNotifier implements OperationEvents {
  constructor(
    private readonly o: {
      signals: SignalsService;
      notifications: NotificationService;
      evidenceService: EvidenceService;
      logger: LoggerService;
      /** rco.signoffs.groups.security: told about break-glass overrides. */
      securityGroup?: string;
      /** rco.breakGlass.group: told instead when no Security group is configured. */
      breakGlassGroup?: string;
      channels: SignalChannels;
      /** The gates' clock: a dry-run's attestation is dated by it (the demo clock runs ahead). */
      clock?: Clock;
      /** The release cache of this instance, told when a dry-run becomes evidence. */
      releases: { invalidate(entityRef: string, what?: 'evidence'): void };
      /** The operations, to name the version a rollback returns to (optional: tests). */
      operations?: {
        list(
          entityRef: string,
          options: { environment?: string; limit?: number },
        ): Promise<OperationRecord[]>;
      };
    },
  ) {}

  /** The channel of an entity's operations: hand it out only after a visibility check. */
  channelFor(entityRef: string) {
    return this.o.channels.operationsChannel(entityRef);
  }

  async changed(op: OperationRecord) {
    // Broadcast, since Backstage signals have no per-entity audience; the channel and a message
    // without the entity's name are what keep it from reaching users who cannot see the entity.
    await this.o.signals.publish({
      recipients: { type: 'broadcast' },
      channel: await this.o.channels.operationsChannel(op.entityRef),
      message: {
        id: op.id,
        state: op.state,
        environment: op.environment,
        // Lets a listener tell "paused for promotion" without asking; details come from the API.
        ...(op.progress?.phase ? { phase: op.progress.phase } : {}),
      },
    });
  }

  async finished(op: OperationRecord, entity?: Entity) {
    if (op.type === 'rollback-dry-run' || !entity) return;
    const owners = ownersOf(entity);
    if (!owners.length) return;
    // "Rollback of RCO (Remote-Call Orchestrator) in production to revision 4 (v1.3.1)
    // succeeded", not "Rollback of rco 4": the title, and the version behind the revision.
    const targetVersion =
      op.type === 'rollback' && op.targetRevision && this.o.operations
        ? versionOfRevision(
            await this.o.operations
              .list(op.entityRef, { environment: op.environment, limit: 100 })
              .catch(() => []),
            op.environment,
            op.targetRevision,
          )
        : undefined;
    await this.o.notifications.send({
      recipients: { type: 'entity', entityRef: owners },
      payload: {
        title: outcomeTitle(
          op,
          serviceTitle(entity, op.entityRef),
          targetVersion,
        ),
        description: op.reasons.slice(-3).join(' · ').slice(0, 1000),
        link: entityPath(op.entityRef),
        severity: op.state === 'succeeded' ? 'normal' : 'high',
        topic: 'rco-operations',
      },
    });
  }

  async dryRunRecorded(
    op: OperationRecord,
    result: DriverProgress,
    fromRevision?: string,
  ) {
    const revision = (r?: string) =>
      r && /^\d+$/.test(r) && Number(r) > 0 ? Number(r) : undefined;
    const from = revision(fromRevision);
    const to = revision(result.revision ?? op.targetRevision);
    if (!from || !to) {
      this.o.logger.warn(
        `Dry-run ${op.id} not recorded as evidence: revisions ${fromRevision} → ${result.revision} are not numbered`,
      );
      return;
    }
    const doc = {
      apiVersion: 'rco.helix.dev/v1',
      kind: 'RollbackDryRun',
      metadata: { name: `dry-run-${op.id}` },
      spec: {
        release: op.entityRef.split('/').pop(),
        fromRevision: from,
        toRevision: to,
        succeeded: result.phase === 'succeeded',
        performedAt: (this.o.clock?.now() ?? new Date()).toISOString(),
        tool: op.driver as 'helm' | 'argo-rollouts' | 'simulated',
      },
    };
    await this.o.evidenceService.upload({
      entityRef: op.entityRef,
      body: Buffer.from(stringify(doc)),
      kind: 'rollback-dry-run',
      environment: op.environment,
      source: 'system',
      submitter: `rco:operation:${op.id}`,
    });
    // The dry-run can turn the rollback-readiness gate: the portfolio must not keep the old verdict.
    this.o.releases.invalidate(op.entityRef, 'evidence');
  }

  async breakGlass(override: OverrideRecord, entity?: Entity) {
    // No default group: a catalog group merely named `security` is not told. Without a Security
    // group the break-glass group hears of it (its other members, at least, see who broke glass)
    // and the log says Security was not told. An override is only recorded with that group set.
    const recipient = this.o.securityGroup ?? this.o.breakGlassGroup;
    if (!this.o.securityGroup) {
      this.o.logger.warn(
        `Break-glass override ${override.id} for ${override.entityRef} in ${
          override.environment
        } by ${override.createdBy} was announced to ${
          recipient ?? 'nobody'
        }, not to Security: rco.signoffs.groups.security is not configured`,
      );
    }
    if (!recipient) return;
    await this.o.notifications.send({
      recipients: { type: 'entity', entityRef: recipient },
      payload: {
        // The service by its title and the release by its version; the description names the
        // entity ref too: a title is the owner's to choose and need not be unique, and Security
        // must not misread which service broke glass.
        title: `Break-glass override for ${serviceTitle(
          entity,
          override.entityRef,
        )}${
          override.release.version ? ` ${override.release.version}` : ''
        } in ${override.environment}`,
        description: `${override.entityRef}: ${override.createdBy}: ${
          override.justification
        } (until ${override.expiresAt.toISOString()})`,
        link: entityPath(override.entityRef),
        severity: 'critical',
        topic: 'rco-break-glass',
      },
    });
  }
}

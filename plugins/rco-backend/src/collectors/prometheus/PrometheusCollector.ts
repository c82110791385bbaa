import {
  CollectedObject,
  CollectionHealth,
  CollectionPlace,
  CollectionRequest,
  CollectionResult,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import { canonicalJson, sha256 } from '../../lib/canonicalJson';
import { alertingState, selectorFor, selects } from './alertingState';
import { PrometheusCollectorConfig, PrometheusEnvironment } from './config';
import { ruleFileCheck } from './ruleFiles';
import { StackError, StackState, readStack } from './stackClient';

export const PROMETHEUS_COLLECTOR_ID = 'prometheus';
export const ALERTING_STATE_KIND = 'alerting-state';

/**
 * The stack's rules that the alert labels of more than one entity select (component:default/rco
 * and component:team-b/rco both select `service: rco`): such a rule is nobody's, in a scheduled
 * run and in an owner's refresh alike (other entities' places take part in attribution only), so
 * that no entity passes on another's alerts. Returns each contested rule with the entities.
 */
function contestedRules(
  stack: StackState,
  places: Array<{ env: PrometheusEnvironment; place: CollectionPlace }>,
): Map<StackState['rules'][number], string[]> {
  const selectors = places.map(({ env, place }) => ({
    entity: place.entityRef.toLowerCase(),
    selector: selectorFor(env, place),
    ownFile: ruleFileCheck(env.ruleFiles, place),
  }));
  const contested = new Map<StackState['rules'][number], string[]>();
  for (const rule of stack.rules) {
    const entities = [
      ...new Set(
        selectors
          .filter(s => selects(s.selector, rule.labels) && s.ownFile(rule.file))
          .map(s => s.entity),
      ),
    ].sort();
    if (entities.length > 1) contested.set(rule, entities);
  }
  return contested;
}

const notCountedFiles = (stack: StackState, names: string[]) =>
  [
    ...new Set(
      stack.rules
        .filter(r => names.includes(r.name))
        .map(r => `${r.name} (${r.file || 'no file'})`),
    ),
  ]
    .slice(0, 10)
    .join(', ');

/** Environments served by the same stack are read once per run. */
const stackKey = (env: PrometheusEnvironment) =>
  JSON.stringify([
    env.name,
    env.prometheus.url,
    env.alertmanager.url,
    env.timeoutMs,
  ]);

/**
 * The monitoring collector (issue 13, point 3): for each place whose environment has a
 * Prometheus and an Alertmanager configured, the alerting rules Prometheus has loaded for the
 * service, their health, what fires, and where Alertmanager routes each alert. A stack that
 * cannot be read in full yields collection health with the reason and no evidence: what was
 * collected before stands and ages on its own clock.
 */
export class PrometheusCollector implements EvidenceCollector {
  readonly id = PROMETHEUS_COLLECTOR_ID;
  readonly source = 'monitoring' as const;

  constructor(
    private readonly config: PrometheusCollectorConfig,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async collect(request: CollectionRequest): Promise<CollectionResult> {
    const byEnvironment = new Map(
      this.config.environments.map(e => [e.environment, e]),
    );
    const stacks = new Map<
      string,
      { env: PrometheusEnvironment; places: CollectionRequest['places'] }
    >();
    for (const place of request.places) {
      const env = byEnvironment.get(place.environment);
      if (!env) continue; // not monitored by the console: the gate says so
      const key = stackKey(env);
      const entry = stacks.get(key) ?? { env, places: [] };
      entry.places.push(place);
      stacks.set(key, entry);
    }
    // Other entities' places on an owner's refresh: attribution only, never collected.
    const requested = new Set(
      request.places.map(p => p.entityRef.toLowerCase()),
    );
    const othersOf = (key: string) =>
      (request.otherPlaces ?? []).flatMap(place => {
        const env = byEnvironment.get(place.environment);
        return env &&
          stackKey(env) === key &&
          !requested.has(place.entityRef.toLowerCase())
          ? [{ env, place }]
          : [];
      });
    const objects: CollectedObject[] = [];
    const health: CollectionHealth[] = [];
    for (const [key, { env, places }] of stacks) {
      const environments = [...new Set(places.map(p => p.environment))];
      let stack: StackState;
      try {
        stack = await readStack(env, request.signal, this.fetchImpl);
      } catch (error) {
        if (!(error instanceof StackError)) throw error;
        request.logger.warn(
          `Monitoring collection from ${env.name} failed: ${error.message}`,
        );
        health.push({
          collector: this.id,
          cluster: env.name,
          kind: 'rules',
          environments,
          ok: false,
          error: error.message,
        });
        continue;
      }
      const contested = contestedRules(stack, [
        ...places.map(place => ({
          env: byEnvironment.get(place.environment)!,
          place,
        })),
        ...othersOf(key),
      ]);
      const attributable: StackState = {
        ...stack,
        rules: stack.rules.filter(r => !contested.has(r)),
      };
      for (const place of places) {
        const stackEnv = byEnvironment.get(place.environment)!;
        const document = alertingState(attributable, stackEnv, place);
        if (document.spec.notCounted)
          // The files are for the platform team's log, not for every viewer of the page.
          request.logger.warn(
            `Monitoring collection from ${env.name}: ${place.entityRef} in ${
              place.environment
            }: alerting rules with its labels from rule files not bound to it were not counted: ${notCountedFiles(
              attributable,
              document.spec.notCounted,
            )}`,
          );
        objects.push({
          entityRef: place.entityRef,
          environment: place.environment,
          evidenceKind: ALERTING_STATE_KIND,
          document,
          provenance: {
            collector: this.id,
            cluster: env.name,
            namespace: place.namespace,
            kind: 'rules',
            apiVersion: 'prometheus/v1',
            name: place.name,
            uid: sha256(
              JSON.stringify([env.name, place.entityRef, place.environment]),
            ).slice(0, 32),
            // The content's digest: an unchanged stack only refreshes the observed time.
            resourceVersion: sha256(canonicalJson(document)).slice(0, 32),
          },
        });
      }
      health.push({
        collector: this.id,
        cluster: env.name,
        kind: 'rules',
        environments,
        ok: true,
        objects: places.length,
        ...(contested.size
          ? {
              note: `${
                contested.size
              } alerting rule(s) matched the alert labels of more than one entity and were attributed to none: ${[
                ...contested,
              ]
                .slice(0, 10)
                .map(
                  ([rule, entities]) => `${rule.name} (${entities.join(', ')})`,
                )
                .join('; ')}`,
            }
          : {}),
      });
    }
    return { objects, health };
  }
}

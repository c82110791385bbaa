import {
  CollectedObject,
  CollectionHealth,
  CollectionRequest,
  CollectionResult,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import { canonicalJson, sha256 } from '../../lib/canonicalJson';
import { alertingState } from './alertingState';
import { PrometheusCollectorConfig, PrometheusEnvironment } from './config';
import { StackError, StackState, readStack } from './stackClient';

export const PROMETHEUS_COLLECTOR_ID = 'prometheus';
export const ALERTING_STATE_KIND = 'alerting-state';

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
    const objects: CollectedObject[] = [];
    const health: CollectionHealth[] = [];
    for (const { env, places } of stacks.values()) {
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
      for (const place of places) {
        const stackEnv = byEnvironment.get(place.environment)!;
        const document = alertingState(stack, stackEnv, place);
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
      });
    }
    return { objects, health };
  }
}

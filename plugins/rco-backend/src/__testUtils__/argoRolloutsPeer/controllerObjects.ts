/**
 * The objects the test peer's stand-in controller makes: ReplicaSets (one per pod template
 * hash) and AnalysisRuns with their measurements.
 */
import { createHash } from 'node:crypto';
import {
  sameTemplate,
  templateWithoutHash,
} from '../../drivers/argoRollouts/rolloutPatches';
import {
  AnalysisMetric,
  AnalysisRun,
  PodTemplate,
  POD_TEMPLATE_HASH_LABEL,
  ReplicaSet,
  REVISION_ANNOTATION,
  Rollout,
} from '../../drivers/argoRollouts/types';

/** Where the controller reads and writes objects (the peer's store). */
export interface ControllerStore {
  get<T>(kind: string, ns: string, name: string): T | undefined;
  list<T>(kind: string, ns: string): T[];
  save(
    kind: string,
    obj: { metadata: { namespace?: string; name?: string } },
  ): void;
}

/** What the next analysis measurement returns. */
export interface Measurement {
  value: string;
  phase: 'Successful' | 'Failed' | 'Inconclusive';
}

/** The controller's clock, as the API writes it. */
export const now = () => new Date().toISOString();

/** Keys sorted, empty values dropped: the same template hashes the same after a round trip. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      const empty =
        c &&
        typeof c === 'object' &&
        !Array.isArray(c) &&
        !Object.keys(c).length;
      if (c !== null && c !== undefined && !empty) out[k] = c;
    }
    return out;
  }
  return v;
}

/** The pod template hash: an existing ReplicaSet's with the same template, else a new one. */
export function templateHash(store: ControllerStore, rollout: Rollout): string {
  const same = ownedReplicaSets(store, rollout).find(rs =>
    sameTemplate(rs.spec?.template, rollout.spec.template),
  );
  if (same) return same.metadata.labels![POD_TEMPLATE_HASH_LABEL];
  const text = JSON.stringify(
    canonical(templateWithoutHash(rollout.spec.template ?? {})),
  );
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** The ReplicaSets the Rollout owns. */
export function ownedReplicaSets(
  store: ControllerStore,
  rollout: Rollout,
): ReplicaSet[] {
  return store
    .list<ReplicaSet>('replicasets', rollout.metadata.namespace ?? '')
    .filter(rs =>
      rs.metadata.ownerReferences?.some(o => o.uid === rollout.metadata.uid),
    );
}

/** Creates (or re-annotates) the ReplicaSet of `hash` as revision `revision`. */
export function ensureReplicaSet(
  store: ControllerStore,
  rollout: Rollout,
  hash: string,
  revision: number,
  template?: PodTemplate,
) {
  const ns = rollout.metadata.namespace ?? '';
  const existing = ownedReplicaSets(store, rollout).find(
    rs => rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash,
  );
  if (existing) {
    existing.metadata.annotations = {
      ...existing.metadata.annotations,
      [REVISION_ANNOTATION]: String(revision),
    };
    store.save('replicasets', existing);
    return;
  }
  const tpl = structuredClone(template ?? rollout.spec.template ?? {});
  tpl.metadata = {
    ...tpl.metadata,
    labels: { ...tpl.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
  };
  const rs: ReplicaSet & { apiVersion: string; kind: string } = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${rollout.metadata.name}-${hash}`,
      namespace: ns,
      creationTimestamp: now(),
      labels: { ...tpl.metadata.labels },
      annotations: { [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: rollout.metadata.name,
          uid: rollout.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: { replicas: 1, template: tpl },
    status: { replicas: 1, readyReplicas: 1 },
  };
  store.save('replicasets', rs);
}

/** Creates a Running AnalysisRun; returns the status the Rollout records for it. */
export function createRun(
  store: ControllerStore,
  metrics: AnalysisMetric[],
  rollout: Rollout,
  name: string,
  type: 'Background' | 'Step',
  hash: string,
) {
  const run: AnalysisRun = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      namespace: rollout.metadata.namespace,
      labels: { 'rollout-type': type, [POD_TEMPLATE_HASH_LABEL]: hash },
      annotations: {
        [REVISION_ANNOTATION]:
          rollout.metadata.annotations?.[REVISION_ANNOTATION] ?? '',
      },
    },
    spec: { metrics: structuredClone(metrics) },
    status: {
      phase: 'Running',
      metricResults: metrics.map(m => ({
        name: m.name,
        phase: 'Running',
        count: 0,
      })),
    },
  };
  store.save('analysisruns', run);
  return { name, status: 'Running' };
}

/** Takes one measurement on every metric of the run; returns the run's verdict. */
export function measure(
  store: ControllerStore,
  m: Measurement,
  ns: string,
  name: string,
  finishOnSuccess: boolean,
) {
  const run = store.get<AnalysisRun>('analysisruns', ns, name)!;
  const status = run.status!;
  const messages: string[] = [];
  for (const result of status.metricResults ?? []) {
    const spec = run.spec.metrics?.find(x => x.name === result.name);
    result.measurements = [
      ...(result.measurements ?? []),
      { phase: m.phase, value: m.value, startedAt: now(), finishedAt: now() },
    ];
    result.count = (result.count ?? 0) + 1;
    if (m.phase === 'Successful')
      result.successful = (result.successful ?? 0) + 1;
    if (m.phase === 'Failed') result.failed = (result.failed ?? 0) + 1;
    if (m.phase === 'Inconclusive')
      result.inconclusive = (result.inconclusive ?? 0) + 1;
    const failureLimit = Number(spec?.failureLimit ?? 0);
    const inconclusiveLimit = Number(spec?.inconclusiveLimit ?? 0);
    if ((result.failed ?? 0) > failureLimit) {
      result.phase = 'Failed';
      messages.push(
        `metric "${result.name}" assessed Failed due to failed (${result.failed}) > failureLimit (${failureLimit})`,
      );
    } else if ((result.inconclusive ?? 0) > inconclusiveLimit) {
      result.phase = 'Inconclusive';
      messages.push(
        `metric "${result.name}" assessed Inconclusive due to inconclusive (${result.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`,
      );
    } else if (finishOnSuccess) result.phase = 'Successful';
  }
  const phases = (status.metricResults ?? []).map(r => r.phase);
  // The worst verdict wins; Successful only once every metric is.
  status.phase =
    (['Failed', 'Inconclusive'] as const).find(p => phases.includes(p)) ??
    (phases.every(p => p === 'Successful') ? 'Successful' : 'Running');
  if (messages.length) status.message = messages[0];
  store.save('analysisruns', run);
  return { status: status.phase, message: status.message };
}

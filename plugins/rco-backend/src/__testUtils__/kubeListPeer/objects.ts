/**
 * Objects for the peer, made from the shared real samples (read by path, never copied in): each
 * generated object is a sample with another name, namespace and labels.
 */
import { parseAllDocuments } from 'yaml';
import { readSample } from '../fixtures';
import type { Obj } from '../../service/demo/simulatedCluster';

export const SAMPLE_FILES = {
  policyReport: 'kyverno-policyreport-pod-v1alpha2.yaml',
  gatekeeper: 'gatekeeper-constraint-with-violations.yaml',
  veleroBackup: 'velero-backup-completed.yaml',
  deployment: 'deployment-hardened-securitycontext-kube-prometheus.yaml',
  networkPolicy: 'networkpolicy-alertmanager-kube-prometheus.yaml',
  rollout: 'argo-rollouts-rollout-aborted-canary.yaml',
  analysisRun: 'argo-rollouts-analysisrun-failed.yaml',
  prometheusRule: 'prometheusrule-alertmanager-kube-prometheus.yaml',
} as const;

export type SampleName = keyof typeof SAMPLE_FILES;

const cache = new Map<SampleName, Obj>();

export function sample(name: SampleName): Obj {
  if (!cache.has(name)) {
    const docs = parseAllDocuments(readSample(SAMPLE_FILES[name]));
    cache.set(name, docs[0].toJS() as Obj);
  }
  return structuredClone(cache.get(name)!);
}

/** A sample renamed into a namespace with the given labels (replacing the sample's own). */
export function fromSample(
  name: SampleName,
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  },
): Obj {
  const obj = sample(name);
  const { uid, resourceVersion, selfLink, ...rest } = obj.metadata as any;
  void uid;
  void resourceVersion;
  void selfLink;
  obj.metadata = {
    ...rest,
    name: metadata.name,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    labels: { ...(metadata.labels ?? {}) },
  };
  if (!metadata.namespace) delete obj.metadata.namespace;
  return obj;
}

/** `count` copies of a sample, named `<prefix>-<i>`, labelled for the entity `app`. */
export function many(
  name: SampleName,
  count: number,
  options: { prefix: string; namespace?: string; app: string },
): Obj[] {
  return Array.from({ length: count }, (_, i) =>
    fromSample(name, {
      name: `${options.prefix}-${i}`,
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/name': options.app },
    }),
  );
}

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

/**
 * A sample renamed into a namespace with the given labels (replacing the sample's own); without
 * `labels`, the sample keeps its own (a Kyverno report's `app.kubernetes.io/managed-by` only).
 */
export function fromSample(
  name: SampleName,
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  },
  /** Merged over the sample's spec (a Velero backup's includedNamespaces). */
  spec?: Record<string, unknown>,
): Obj {
  const obj = sample(name);
  if (spec) obj.spec = { ...(obj.spec as object), ...spec };
  const { uid, resourceVersion, selfLink, ...rest } = obj.metadata as any;
  void uid;
  void resourceVersion;
  void selfLink;
  obj.metadata = {
    ...rest,
    name: metadata.name,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    labels: { ...(metadata.labels ?? rest.labels ?? {}) },
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

/**
 * The real Kyverno report sample about another resource, in Kyverno's own shape: named after the
 * resource's uid, labelled only as Kyverno labels it (the sample's labels, untouched), its owner
 * reference and `scope` naming the resource.
 */
export function kyvernoReportAbout(resource: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}): Obj {
  const obj = sample('policyReport');
  const { uid, resourceVersion, selfLink, ...rest } = obj.metadata as any;
  void uid;
  void resourceVersion;
  void selfLink;
  obj.metadata = {
    ...rest,
    name: resource.uid,
    namespace: resource.namespace,
    ownerReferences: [
      {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        name: resource.name,
        uid: resource.uid,
      },
    ],
  };
  (obj as any).scope = { ...resource };
  return obj;
}

/** A Pod or ReplicaSet with the given labels and controller (the shapes a report's owner chain walks). */
export function controlled(
  kind: 'Pod' | 'ReplicaSet',
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels?: Record<string, string>;
    owner?: { apiVersion: string; kind: string; name: string; uid: string };
  },
): Obj {
  return {
    apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1',
    kind,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      labels: metadata.labels ?? {},
      ...(metadata.owner
        ? {
            ownerReferences: [
              { ...metadata.owner, controller: true, blockOwnerDeletion: true },
            ],
          }
        : {}),
    },
    spec: {},
  };
}

import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  EvidenceSubject,
  WorkloadSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import {
  Obj,
  getArray,
  getBoolean,
  getObject,
  getPath,
  getString,
  getStringMap,
  imageDigest,
  isObject,
  requireMetadata,
  subjectFromLabels,
  stripNoise,
} from './k8s';

/** Workloads whose pod spec the security gates read (apps/v1, v1 Pod, batch/v1 Job/CronJob). */
const detect = (doc: unknown): doc is Obj => evidenceDetectors.workload(doc);

/** Where each kind keeps its PodSpec, as a path for error messages. */
function podSpecPath(kind: string): string[] {
  if (kind === 'Pod') return ['spec'];
  if (kind === 'CronJob') {
    return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  }
  return ['spec', 'template', 'spec'];
}

type Container = WorkloadSummary['containers'][number];

const nonEmpty = (obj: Obj | undefined) =>
  obj !== undefined && Object.keys(obj).length > 0;

function readContainer(
  c: unknown,
  podSecurity: Obj | undefined,
  at: string,
): Container {
  if (!isObject(c)) throw new InputError(`${at} is not an object`);
  const name = getString(c, 'name');
  if (!name) throw new InputError(`${at} has no name`);
  const sc = getObject(c, 'securityContext');
  const privileged = getBoolean(sc, 'privileged') ?? false;
  const added = (getArray(getObject(sc, 'capabilities'), 'add') ?? []).map(
    String,
  );
  const sysAdmin = added.some(
    cap => cap === 'SYS_ADMIN' || cap === 'CAP_SYS_ADMIN',
  );
  const resources = getObject(c, 'resources');
  return {
    name,
    image: getString(c, 'image'),
    // The container's setting overrides the pod's; unset at both levels the image may run
    // as root.
    runAsNonRoot:
      getBoolean(sc, 'runAsNonRoot') ??
      getBoolean(podSecurity, 'runAsNonRoot') ??
      false,
    readOnlyRootFilesystem: getBoolean(sc, 'readOnlyRootFilesystem') ?? false,
    // Kubernetes' default: allowPrivilegeEscalation is true when unset, and always true for a
    // privileged container or one granted CAP_SYS_ADMIN, whatever the field says.
    allowPrivilegeEscalation:
      privileged || sysAdmin
        ? true
        : getBoolean(sc, 'allowPrivilegeEscalation') ?? true,
    privileged,
    resources:
      nonEmpty(getObject(resources, 'limits')) ||
      nonEmpty(getObject(resources, 'requests')),
    probes: isObject(c.readinessProbe) || isObject(c.livenessProbe),
  };
}

export const workloadParser: EvidenceParser = {
  kind: 'workload',
  detect,

  parse(doc) {
    if (!detect(doc)) throw new InputError('Not a Kubernetes workload');
    const kind = String(doc.kind);
    const meta = requireMetadata(doc, kind);
    const what = kind; // a kind detect() accepted; no name from the document echoed

    const path = podSpecPath(kind);
    const podSpec = getPath(doc, path);
    if (!podSpec) throw new InputError(`${what} has no ${path.join('.')}`);
    const containers = podSpec.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw new InputError(`${what} has no containers in ${path.join('.')}`);
    }
    const initContainers = getArray(podSpec, 'initContainers') ?? [];
    const podSecurity = getObject(podSpec, 'securityContext');
    const summary: WorkloadSummary = {
      type: 'workload',
      kind,
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      containers: [
        ...containers.map((c, i) =>
          readContainer(c, podSecurity, `${what}: containers[${i}]`),
        ),
        // Init containers run with the same privileges, so the gates see them too.
        ...initContainers.map((c, i) => ({
          ...readContainer(c, podSecurity, `${what}: initContainers[${i}]`),
          init: true,
        })),
      ],
    };

    // The pod template's labels say the version when the object's own do not.
    const template =
      kind === 'Pod' ? undefined : getPath(doc, path.slice(0, -1));
    const subject: EvidenceSubject = {
      ...subjectFromLabels(
        getStringMap(getObject(template, 'metadata'), 'labels'),
      ),
      ...subjectFromLabels(meta.labels),
    };
    const digest = imageDigest(summary.containers[0].image);
    if (digest) subject.digest = digest;
    return { summary, subject, sanitized: stripNoise(doc) };
  },
};

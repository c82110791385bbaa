import { InputError } from '@backstage/errors';
import { WorkloadSummary } from '@helix-portal/plugin-rco-common';
import { parse } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { workloadParser } from './workload';

type RawContainer = {
  name: string;
  image: string;
  securityContext?: Record<string, unknown>;
  resources?: { limits?: object; requests?: object };
  readinessProbe?: object;
  livenessProbe?: object;
};
type Raw = {
  metadata: { name: string; labels: Record<string, string> };
  spec: { template: { spec: { containers: RawContainer[] } } };
};

const sample = () =>
  parse(
    readSample('deployment-hardened-securitycontext-kube-prometheus.yaml'),
  ) as Raw;
const summaryOf = (doc: unknown) =>
  workloadParser.parse(doc).summary as WorkloadSummary;

const DIGEST = `sha256:${'0f'.repeat(32)}`;

/** A StatefulSet that relies on pod-level defaults, with one container overriding them. */
const statefulSet = () => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } },
  spec: {
    serviceName: 'db',
    template: {
      metadata: { labels: { app: 'db', 'app.kubernetes.io/version': '16.2' } },
      spec: {
        securityContext: { runAsNonRoot: true, fsGroup: 999 },
        containers: [
          {
            name: 'postgres',
            image: `docker.io/library/postgres@${DIGEST}`,
            resources: { requests: { cpu: '500m' } },
            livenessProbe: { exec: { command: ['pg_isready'] } },
          },
          {
            name: 'debug',
            image: 'busybox:1.36',
            securityContext: { runAsNonRoot: false },
            resources: {},
          },
        ],
      },
    },
  },
});

/** A bare Pod with a privileged container and an init container. */
const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'node-agent' },
  spec: {
    initContainers: [
      {
        name: 'setup',
        image: 'alpine:3.19',
        securityContext: { readOnlyRootFilesystem: true },
      },
    ],
    containers: [
      {
        name: 'agent',
        image: 'agent:1.0',
        securityContext: { privileged: true, allowPrivilegeEscalation: false },
        readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
      },
    ],
  },
});

describe('workloadParser', () => {
  it('reads the hardened kube-prometheus Deployment', () => {
    const raw = sample();
    expect(workloadParser.detect(raw)).toBe(true);
    const summary = summaryOf(raw);
    const rawContainers = raw.spec.template.spec.containers;
    expect(summary).toMatchObject({
      kind: 'Deployment',
      name: 'blackbox-exporter',
      namespace: 'monitoring',
    });
    expect(summary.labels).toEqual(raw.metadata.labels);
    expect(summary.containers).toEqual(
      rawContainers.map(c => ({
        name: c.name,
        image: c.image,
        runAsNonRoot: c.securityContext?.runAsNonRoot === true,
        readOnlyRootFilesystem:
          c.securityContext?.readOnlyRootFilesystem === true,
        allowPrivilegeEscalation:
          c.securityContext?.allowPrivilegeEscalation !== false,
        privileged: c.securityContext?.privileged === true,
        resources: Boolean(c.resources?.limits || c.resources?.requests),
        probes: Boolean(c.readinessProbe || c.livenessProbe),
      })),
    );
    // Every container is hardened; none of them declares a probe.
    expect(summary.containers).toHaveLength(3);
    expect(
      summary.containers.every(
        c => c.runAsNonRoot && !c.allowPrivilegeEscalation,
      ),
    ).toBe(true);
    expect(summary.containers.some(c => c.probes)).toBe(false);
  });

  it('takes the version label and no digest from a tagged image', () => {
    const raw = sample();
    const { subject, sanitized } = workloadParser.parse(raw);
    expect(subject).toEqual({ version: '0.28.0' });
    expect(sanitized).toEqual(sample());
  });

  it('lets a container override the pod-level runAsNonRoot and defaults escalation to allowed', () => {
    const { summary, subject } = workloadParser.parse(statefulSet());
    const [postgres, debug] = (summary as WorkloadSummary).containers;
    expect(postgres).toMatchObject({
      runAsNonRoot: true,
      // Unset: Kubernetes allows privilege escalation.
      allowPrivilegeEscalation: true,
      readOnlyRootFilesystem: false,
      resources: true,
      probes: true,
    });
    expect(debug).toMatchObject({
      runAsNonRoot: false,
      resources: false,
      probes: false,
    });
    // The version comes from the pod template labels; the digest from the first image.
    expect(subject).toEqual({ version: '16.2', digest: DIGEST });
  });

  it('reads a Pod: privileged implies escalation, init containers included', () => {
    const summary = summaryOf(pod());
    expect(summary.containers).toEqual([
      expect.objectContaining({
        name: 'agent',
        privileged: true,
        allowPrivilegeEscalation: true,
        probes: true,
      }),
      expect.objectContaining({
        name: 'setup',
        init: true,
        readOnlyRootFilesystem: true,
        privileged: false,
      }),
    ]);
  });

  it('finds the pod spec of a CronJob and a Job', () => {
    const podSpec = { containers: [{ name: 'report', image: 'report:2' }] };
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: { spec: podSpec } } },
      },
    };
    expect(summaryOf(cronJob).containers.map(c => c.name)).toEqual(['report']);
    const job = {
      ...cronJob,
      kind: 'Job',
      spec: { template: { spec: podSpec } },
    };
    expect(summaryOf(job).kind).toBe('Job');
  });

  it('rejects workloads without a pod spec, containers or container names', () => {
    const noTemplate = { ...statefulSet(), spec: { serviceName: 'db' } };
    expect(() => workloadParser.parse(noTemplate)).toThrow(InputError);
    expect(() => workloadParser.parse(noTemplate)).toThrow(
      'StatefulSet has no spec.template.spec',
    );
    const noContainers = pod();
    noContainers.spec.containers = [];
    expect(() => workloadParser.parse(noContainers)).toThrow(
      'Pod has no containers in spec',
    );
    const noName = pod();
    (noName.spec.initContainers[0] as { name?: string }).name = undefined;
    expect(() => workloadParser.parse(noName)).toThrow(
      'Pod: initContainers[0] has no name',
    );
  });

  it('detects only the workload kinds at their GA versions', () => {
    expect(workloadParser.detect({ ...pod(), apiVersion: 'apps/v1' })).toBe(
      false,
    );
    expect(
      workloadParser.detect({ ...statefulSet(), apiVersion: 'apps/v1beta2' }),
    ).toBe(false);
    expect(workloadParser.detect({ ...statefulSet(), kind: 'Service' })).toBe(
      false,
    );
    expect(
      workloadParser.detect({
        ...statefulSet(),
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
      }),
    ).toBe(false);
    for (const kind of ['Deployment', 'DaemonSet', 'ReplicaSet']) {
      expect(workloadParser.detect({ ...statefulSet(), kind })).toBe(true);
    }
  });
});

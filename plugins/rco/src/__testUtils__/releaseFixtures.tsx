import { Entity } from '@backstage/catalog-model';
import { alertApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityPresentationApiRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  CapabilitiesResponse,
  CollectionStatusResponse,
  EnvironmentVerdict,
  GateEvidenceRef,
  GATES,
  GateNextStep,
  GateStatus,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import { useLocation } from 'react-router-dom';
import { RcoApi, rcoApiRef } from '../api/RcoApi';
import { ReleaseContent } from '../components/ReleaseContent';

/**
 * The Release tab's test world: RCO with ten gates in every status, one release with a digest,
 * capabilities of an owner outside every sign-off role, and an API mock to override per test.
 */
export const slow = { timeout: 15_000 };
export const DIGEST = `sha256:${'3f'.repeat(32)}`;
/** The fixture waiver's end: always days ahead of the test's now (a fixed date expired). */
export const WAIVER_EXPIRES = new Date(
  Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 5 * 86_400_000,
).toISOString();

export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'rco',
    namespace: 'default',
    annotations: { 'rco.helix.dev/runbook': './runbook.yaml' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/rco-team',
    lifecycle: 'production',
  },
};

export const STATUSES: GateStatus[] = [
  'pass',
  'fail',
  'missing',
  'stale',
  'waived',
  'pass',
  'fail',
  'pass',
  'pass',
  'missing',
];

/** Display names the catalog would give (the entity presentation API in tests). */
export const NAMES: Record<string, string> = {
  'user:default/samir.haddad': 'Samir Haddad',
  'user:default/lena.vogel': 'Lena Vogel',
  'user:default/guest': 'Guest User',
  'user:default/dana': 'Dana Berg',
  'user:default/alice': 'Alice Moreau',
  'group:default/data-protection-officers': 'Data Protection Officers',
  'group:default/release-managers': 'Release Managers',
};

export const UPLOAD_TRIVY = `trivy image --format json "$IMAGE" | curl -fsS -H "Authorization: Bearer $RCO_CI_TOKEN" --data-binary @- "$BACKSTAGE/api/rco/entities/component/default/rco/evidence?digest=${DIGEST}&version=1.3.2"`;
export const PUSH_TRIVY = `rco evidence push trivy.json --entity='component:default/rco' --digest='${DIGEST}' --version='1.3.2'`;
export const UPLOAD_KYVERNO = `kubectl get policyreport -A -o json | curl -fsS -H "Authorization: Bearer $RCO_CI_TOKEN" --data-binary @- "$BACKSTAGE/api/rco/entities/component/default/rco/evidence?digest=${DIGEST}&version=1.3.2&environment=production"`;

/** What the backend would say to do about each gate that does not pass (by gate id). */
export const NEXT: Record<string, GateNextStep[]> = {
  'secret-hygiene': [
    {
      action: 'fix',
      kind: 'gitleaks',
      scope: 'commit',
      text: 'Remove the leaked secret from the repository, rotate it, and upload a clean gitleaks report',
    },
    {
      action: 'waive',
      text: 'A release manager may waive the gate for up to seven days',
      people: [{ ref: 'user:default/samir.haddad', name: 'Samir Haddad' }],
      group: 'group:default/release-managers',
    },
  ],
  'migration-controls': [
    {
      action: 'rollback-dry-run',
      text: 'Run a rollback dry-run in staging: its result is the evidence',
      environment: 'staging',
      scope: 'environment',
    },
  ],
  'image-scanning': [
    {
      action: 'upload',
      kind: 'trivy',
      scope: 'image',
      text: 'Upload a Trivy scan of the image newer than 7 days',
      command: UPLOAD_TRIVY,
      cliCommand: PUSH_TRIVY,
    },
  ],
  'policy-enforcement': [
    {
      action: 'upload',
      kind: 'kyverno',
      scope: 'environment',
      environment: 'production',
      text: 'Upload the Kyverno policy report of production',
      command: UPLOAD_KYVERNO,
    },
  ],
  'monitoring-alerting': [
    {
      action: 'configure',
      setting: 'rco.ci.subjects',
      text: 'No pipeline may upload evidence for this service: the portal operators add it under rco.ci.subjects',
    },
  ],
  'dpo-signoff': [
    {
      action: 'request-release',
      text: 'An owner requests this release first: sign-offs count once its requester is on record',
    },
    {
      action: 'signoff',
      role: 'dpo',
      text: 'A Data Protection Officer signs off v1.3.2',
      people: [{ ref: 'user:default/lena.vogel', name: 'Lena Vogel' }],
      group: 'group:default/data-protection-officers',
    },
  ],
};

export const CONDITION: Record<string, string> = {
  'image-scanning':
    'No CRITICAL or HIGH findings in a scan of this image no older than 7 days',
};

export function status(environment = 'production'): ReleaseStatusResponse {
  const gates = GATES.map((g, i) => ({
    id: g.id,
    title: g.title,
    verification: g.verification,
    section: 'final-review-gate-checklist',
    status: STATUSES[i],
    reasons: [`${g.title} reason ${STATUSES[i]}`],
    evidence:
      STATUSES[i] === 'missing'
        ? []
        : [
            {
              id: `ev-${g.id}`,
              kind: 'trivy',
              sha256: 'a'.repeat(64),
              collectedAt: new Date(Date.now() - 3600_000).toISOString(),
              subject:
                g.id === 'policy-enforcement'
                  ? { digest: DIGEST, environment }
                  : { digest: DIGEST },
              scope: (g.id === 'policy-enforcement'
                ? 'environment'
                : 'image') as 'environment' | 'image',
              source: 'ci' as const,
              submitter:
                g.id === 'secret-hygiene'
                  ? 'user:default/alice'
                  : 'service:ci-rco',
            },
          ],
    evaluatedAt: new Date().toISOString(),
    condition: CONDITION[g.id],
    next: STATUSES[i] === 'pass' ? [] : NEXT[g.id] ?? [],
    expiresAt: new Date(Date.now() + 86400_000).toISOString(),
    waiver:
      STATUSES[i] === 'waived'
        ? {
            id: 'w1',
            justification: 'Fix lands Monday',
            grantedBy: 'user:default/samir.haddad',
            expiresAt: WAIVER_EXPIRES,
          }
        : undefined,
  }));
  const blockedBy = gates
    .filter(g => g.status !== 'pass' && g.status !== 'waived')
    .map(g => g.id);
  const waived = gates.filter(g => g.status === 'waived').map(g => g.id);
  const environments: EnvironmentVerdict[] = [
    {
      environment: 'staging',
      ready: true,
      passing: 10,
      total: 10,
      blockedBy: [],
      waived: [],
      text: '10 of 10 gates pass',
    },
    {
      environment: 'production',
      ready: false,
      passing: 5,
      total: 10,
      blockedBy,
      waived,
      text: `5 of 10 gates pass; blocked by ${blockedBy.join(', ')}`,
    },
  ];
  return {
    entityRef: 'component:default/rco',
    release: { version: '1.3.2', digest: DIGEST, environment },
    environments,
    runbookVersion: '1.3.0',
    gates,
    pillars: [
      {
        id: 'trust-by-design',
        title: 'Trust-by-Design',
        met: false,
        requirements: [
          {
            requirement: 'Image & Dependency Scanning gate passes',
            met: false,
            gates: ['image-scanning'],
            basis: 'image-scanning: stale',
          },
          {
            requirement: 'Release image signed (Cosign)',
            met: true,
            gates: ['image-scanning'],
            basis: 'cosign verify output',
          },
        ],
      },
    ],
    summary: {
      passing: 5,
      total: 10,
      blockedBy,
      waived,
      ready: false,
      text: `5 of 10 gates pass; blocked by ${blockedBy.join(', ')}`,
    },
    evaluatedAt: new Date().toISOString(),
  };
}

export const caps = (
  overrides: Partial<CapabilitiesResponse> = {},
): CapabilitiesResponse => ({
  actor: 'user:default/guest',
  uploadEvidence: true,
  requestRelease: true,
  signoff: { po: false, dpo: false, security: false },
  waive: false,
  ...overrides,
});

export function mockApi(overrides: Partial<RcoApi> = {}): jest.Mocked<RcoApi> {
  return {
    listReleases: jest.fn(async () => ({
      items: [
        {
          version: '1.3.2',
          digest: DIGEST,
          lastEvidenceAt: new Date().toISOString(),
        },
      ],
      environments: ['production', 'staging'],
    })),
    getStatus: jest.fn(async (_entity, release) =>
      status(release.environment ?? 'production'),
    ),
    getCapabilities: jest.fn(async () => caps()),
    listSignoffs: jest.fn(async () => []),
    getEvidence: jest.fn(async id => ({
      id,
      entityRef: 'component:default/rco',
      kind: 'trivy',
      sha256: 'a'.repeat(64),
      subject: { digest: DIGEST },
      source: 'ci',
      submitter: 'service:ci-rco',
      collectedAt: new Date().toISOString(),
      summary: { type: 'vulnerability-scan', counts: { CRITICAL: 0 } },
      rawSize: 1234,
    })),
    signOff: jest.fn(),
    requestRelease: jest.fn(async () => ({
      requester: 'user:default/guest',
      createdAt: '',
    })),
    revokeSignoff: jest.fn(),
    createWaiver: jest.fn(),
    listOverrides: jest.fn(async () => []),
    createOperation: jest.fn(async (_e, body) => ({
      id: 'op-dry-1',
      type: body.type,
      environment: body.environment,
      state: 'running',
    })),
    getOperation: jest.fn(async id => ({
      id,
      type: 'rollback-dry-run',
      environment: 'staging',
      state: 'succeeded',
    })),
    // The deploy side (OperationsPanel) reads these.
    listEnvironments: jest.fn(async () => []),
    listOperations: jest.fn(async () => []),
    ...overrides,
  } as unknown as jest.Mocked<RcoApi>;
}

/** The catalog's presentation of people: display name, and the ref as the secondary title. */
export const presentation = {
  forEntity: (ref: string) => {
    const snapshot = {
      entityRef: ref,
      primaryTitle: NAMES[ref] ?? ref.replace(/^.*\//, ''),
      secondaryTitle: ref,
    };
    return { snapshot, promise: Promise.resolve(snapshot) };
  },
};

/** The page's URL query, for tests that check what the page keeps in the URL. */
function LocationProbe() {
  const { search } = useLocation();
  return (
    <output data-testid="location" hidden>
      {search}
    </output>
  );
}

export const currentSearch = (container: ParentNode = document) =>
  new URLSearchParams(
    container.querySelector('[data-testid="location"]')?.textContent ?? '',
  );

export async function render(
  api: RcoApi,
  options: { routeEntries?: string[] } = {},
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, api],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        [entityPresentationApiRef, presentation],
      ]}
    >
      <EntityProvider entity={entity}>
        <ReleaseContent />
        <LocationProbe />
      </EntityProvider>
    </TestApiProvider>,
    options,
  );
}

/** Issue 13: the console's own collection, as the simulated cluster of the local portal gives it. */
export const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();

export function collection(
  overrides: Partial<CollectionStatusResponse> = {},
): CollectionStatusResponse {
  return {
    configured: true,
    canRefresh: true,
    health: [
      {
        collector: 'kubernetes',
        cluster: 'simulated-cluster',
        kind: 'policyreports',
        environments: ['staging', 'production'],
        state: 'ok',
        lastAttemptAt: minutesAgo(2),
        lastSuccessAt: minutesAgo(2),
        objects: 2,
        simulated: true,
      },
      {
        collector: 'kubernetes',
        cluster: 'simulated-cluster',
        kind: 'backups.velero.io',
        environments: ['production'],
        state: 'failing',
        lastAttemptAt: minutesAgo(2),
        lastSuccessAt: minutesAgo(90),
        error:
          'simulated-cluster answered 403 Forbidden: the service account may not list backups.velero.io in namespace velero',
        objects: 3,
        simulated: true,
      },
      {
        collector: 'prometheus',
        cluster: 'monitoring',
        kind: 'alerting-rules',
        environments: ['production'],
        state: 'never',
      },
    ],
    ...overrides,
  };
}

/** A status whose Policy Enforcement rests on a collected PolicyReport and whose image is signed. */
export function collectedStatus(
  signature?: GateEvidenceRef['signature'],
): ReleaseStatusResponse {
  const s = status();
  const policy = s.gates.find(g => g.id === 'policy-enforcement')!;
  policy.status = 'pass';
  policy.evidence = [
    {
      id: 'ev-polr',
      kind: 'policy-report',
      sha256: 'b'.repeat(64),
      collectedAt: minutesAgo(180),
      subject: { environment: 'production' },
      scope: 'environment',
      source: 'cluster',
      submitter: 'rco:collector:kubernetes',
      provenance: {
        collector: 'kubernetes',
        cluster: 'simulated-cluster',
        namespace: 'rco-prod',
        kind: 'PolicyReport',
        apiVersion: 'wgpolicyk8s.io/v1alpha2',
        name: 'polr-ns-rco-prod',
        uid: '6d1c2f9e-5a1b-4c3d-9e8f-0a1b2c3d4e5f',
        resourceVersion: '48213',
        firstObservedAt: minutesAgo(180),
        observedAt: minutesAgo(2),
      },
    },
  ];
  if (signature) {
    const scan = s.gates.find(g => g.id === 'image-scanning')!;
    scan.evidence = [
      {
        id: 'ev-sig',
        kind: 'sigstore-bundle',
        sha256: 'c'.repeat(64),
        collectedAt: minutesAgo(30),
        subject: { digest: DIGEST },
        scope: 'image',
        source: 'ci',
        submitter: 'service:ci-rco',
        signature,
      },
    ];
  }
  return s;
}

import { Entity } from '@backstage/catalog-model';
import { alertApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  CapabilitiesResponse,
  GATES,
  GateStatus,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import { RcoApi, rcoApiRef } from '../api/RcoApi';
import { ReleaseContent } from '../components/ReleaseContent';

/**
 * The Release tab's test world: RCO with ten gates in every status, one release with a digest,
 * capabilities of an owner outside every sign-off role, and an API mock to override per test.
 */
export const slow = { timeout: 15_000 };
export const DIGEST = `sha256:${'3f'.repeat(32)}`;

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

export function status(): ReleaseStatusResponse {
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
              subject: { digest: DIGEST },
            },
          ],
    evaluatedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 86400_000).toISOString(),
    waiver:
      STATUSES[i] === 'waived'
        ? {
            id: 'w1',
            justification: 'Fix lands Monday',
            grantedBy: 'user:default/samir.haddad',
            expiresAt: '2026-12-01T00:00:00Z',
          }
        : undefined,
  }));
  const blockedBy = gates
    .filter(g => g.status !== 'pass' && g.status !== 'waived')
    .map(g => g.id);
  return {
    entityRef: 'component:default/rco',
    release: { version: '1.3.2', digest: DIGEST },
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
      waived: ['image-scanning'],
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
      environments: ['production'],
    })),
    getStatus: jest.fn(async () => status()),
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
    ...overrides,
  } as unknown as jest.Mocked<RcoApi>;
}

export async function render(api: RcoApi) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, api],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
      ]}
    >
      <EntityProvider entity={entity}>
        <ReleaseContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

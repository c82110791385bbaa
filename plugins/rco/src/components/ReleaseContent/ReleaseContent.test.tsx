import { Entity } from '@backstage/catalog-model';
import { alertApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  CapabilitiesResponse,
  GATES,
  GateStatus,
  ReleaseStatusResponse,
} from '@internal/plugin-rco-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { ReleaseContent } from './ReleaseContent';

jest.setTimeout(30_000);
const slow = { timeout: 15_000 };
const DIGEST = `sha256:${'3f'.repeat(32)}`;

const entity: Entity = {
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

const STATUSES: GateStatus[] = [
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

function status(): ReleaseStatusResponse {
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

const caps = (
  overrides: Partial<CapabilitiesResponse> = {},
): CapabilitiesResponse => ({
  actor: 'user:default/guest',
  uploadEvidence: true,
  requestRelease: true,
  signoff: { po: false, dpo: false, security: false },
  waive: false,
  ...overrides,
});

function mockApi(overrides: Partial<RcoApi> = {}): jest.Mocked<RcoApi> {
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

async function render(api: RcoApi) {
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

describe('ReleaseContent', () => {
  it('shows the verdict and a row for every gate with its status in words', async () => {
    await render(mockApi());
    const blocked = status().summary.blockedBy.length;
    expect(
      await screen.findByLabelText(
        `Verdict: Blocked by ${blocked} gates, 1 gate waived`,
        {},
        slow,
      ),
    ).toBeInTheDocument();
    for (const [i, gate] of GATES.entries()) {
      const row = screen.getByText(gate.title).closest('tr')!;
      expect(
        within(row).getByText(
          STATUSES[i][0].toUpperCase() + STATUSES[i].slice(1),
        ),
      ).toBeInTheDocument();
      expect(
        within(row).getByText(`${gate.title} reason ${STATUSES[i]}`),
      ).toBeInTheDocument();
      expect(
        within(row).getByRole('link', { name: gate.verification }),
      ).toHaveAttribute(
        'href',
        expect.stringContaining('#section-final-review-gate-checklist'),
      );
    }
    expect(screen.getByRole('status')).toHaveTextContent(
      'waived by user:default/samir.haddad until 2026-12-01T00:00:00Z: Fix lands Monday',
    );
  });

  it('lists pillar requirements met and unmet, in words', async () => {
    await render(mockApi());
    const pillar = await screen.findByRole(
      'list',
      { name: 'Trust-by-Design requirements' },
      slow,
    );
    expect(
      within(pillar).getByText(
        'Not met: Image & Dependency Scanning gate passes',
      ),
    ).toBeInTheDocument();
    expect(
      within(pillar).getByText('Met: Release image signed (Cosign)'),
    ).toBeInTheDocument();
  });

  it('opens the evidence drawer with provenance', async () => {
    const api = mockApi();
    await render(api);
    await userEvent.click(
      (
        await screen.findAllByRole(
          'button',
          { name: /Open trivy evidence for Secret Hygiene/ },
          slow,
        )
      )[0],
    );
    const drawer = await screen.findByRole('dialog', { name: 'Evidence' });
    expect(
      await within(drawer).findByText('service:ci-rco'),
    ).toBeInTheDocument();
    expect(
      within(drawer).getByRole('button', { name: 'Download the document' }),
    ).toBeInTheDocument();
    expect(api.getEvidence).toHaveBeenCalledWith('ev-secret-hygiene');
  });

  it('offers signing only to members of the role, and sends the release', async () => {
    const api = mockApi({
      getCapabilities: jest.fn(async () =>
        caps({ signoff: { po: false, dpo: true, security: false } }),
      ),
    });
    await render(api);
    expect(
      await screen.findByRole(
        'button',
        { name: 'Sign as Data Protection Officer' },
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Sign as Product Owner' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Sign as Security' }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Sign as Data Protection Officer' }),
    );
    await userEvent.type(
      screen.getByLabelText('Comment'),
      'Caller ids are pseudonymous',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(api.signOff).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'rco' },
      {
        role: 'dpo',
        release: { version: '1.3.2', digest: DIGEST },
        decision: 'approved',
        comment: 'Caller ids are pseudonymous',
      },
    );
  });

  it('lets an owner record the release request that four eyes needs, then names the requester', async () => {
    const api = mockApi();
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Request this release' }, slow),
    );
    expect(api.requestRelease).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'rco' },
      { version: '1.3.2', digest: DIGEST },
    );
    const requested = status();
    requested.release.requestedBy = 'user:default/guest';
    await render(mockApi({ getStatus: jest.fn(async () => requested) }));
    expect(
      await screen.findByText(
        'Requested by user:default/guest, who cannot sign it off (four eyes).',
        {},
        slow,
      ),
    ).toBeInTheDocument();
  });

  it('hides waiving from people outside the waiver group and says why', async () => {
    await render(mockApi());
    expect(
      await screen.findByText(
        'Waivers are granted by the waiver group.',
        {},
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Waive a gate' }),
    ).not.toBeInTheDocument();
  });

  it('tells an owner how to upload when there is no evidence yet', async () => {
    await render(
      mockApi({
        listReleases: jest.fn(async () => ({ items: [], environments: [] })),
      }),
    );
    expect(
      await screen.findByText('No evidence yet', {}, slow),
    ).toBeInTheDocument();
    expect(screen.getByText(/trivy image --format json/)).toBeInTheDocument();
  });

  it('says when the backend is down and retries', async () => {
    const api = mockApi({
      getStatus: jest
        .fn()
        .mockRejectedValueOnce(new Error('connect ECONNREFUSED'))
        .mockResolvedValue(status()),
    });
    await render(api);
    expect(
      (await screen.findAllByText(/ECONNREFUSED/, {}, slow)).length,
    ).toBeGreaterThan(0);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByLabelText(/^Verdict:/, {}, slow),
    ).toBeInTheDocument();
  });
});

import { ResponseError } from '@backstage/errors';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  CapabilitiesResponse,
  EnvironmentView,
  FourEyesRoleView,
  FourEyesView,
  GATES,
  GateStatus,
  OperationResponse,
  OverrideResponse,
  ReleaseStatusResponse,
  SignoffView,
} from '@helix-portal/plugin-rco-common';
import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DateTime } from 'luxon';
import { alertApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { ReleaseContent } from '../ReleaseContent';
import { OperationsPanel, OperationsPanelProps } from './OperationsPanel';

jest.setTimeout(30_000);
const slow = { timeout: 15_000 };
const DIGEST = `sha256:${'3f'.repeat(32)}`;
const RELEASE = { version: '1.5.0', digest: DIGEST };
const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };
const ALICE = 'user:default/alice';
const NOW = new Date().toISOString();

function status(
  failing: Record<string, GateStatus> = {},
): ReleaseStatusResponse {
  const gates = GATES.map(g => ({
    id: g.id,
    title: g.title,
    verification: g.verification,
    status: failing[g.id] ?? ('pass' as GateStatus),
    reasons: [],
    evidence: [],
    evaluatedAt: NOW,
  }));
  const blockedBy = gates.filter(g => g.status !== 'pass').map(g => g.id);
  return {
    entityRef: 'component:default/rco',
    release: RELEASE,
    gates,
    pillars: [],
    summary: {
      passing: 10 - blockedBy.length,
      total: 10,
      blockedBy,
      waived: [],
      ready: !blockedBy.length,
      text: '',
    },
    evaluatedAt: NOW,
  };
}

const revisions = [
  {
    revision: '3',
    status: 'deployed',
    current: true,
    updatedAt: NOW,
    image: `registry.example/rco@${DIGEST}`,
  },
  {
    revision: '2',
    status: 'superseded',
    current: false,
    updatedAt: NOW,
    description: 'Upgrade complete',
  },
  { revision: '1', status: 'superseded', current: false, updatedAt: NOW },
];

function environments(
  staging: Partial<EnvironmentView> = {},
): EnvironmentView[] {
  return [
    {
      name: 'staging',
      driver: 'simulated',
      driverLabel: 'Simulated cluster',
      simulated: true,
      namespace: 'rco',
      requiredSignoffs: [],
      currentRevision: revisions[0],
      revisions,
      ...staging,
    },
    {
      name: 'production',
      driver: 'helm',
      driverLabel: 'Helm',
      simulated: false,
      namespace: 'rco',
      requiredSignoffs: ['po', 'dpo', 'security'],
      currentRevision: revisions[0],
      revisions,
    },
  ];
}

/** The entity's operations channel as the capabilities hand it out: keyed, not the ref. */
const CHANNEL = `rco:operations:${'5e'.repeat(32)}`;

const caps = (
  operations: Partial<NonNullable<CapabilitiesResponse['operations']>> = {},
): CapabilitiesResponse => ({
  actor: ALICE,
  uploadEvidence: true,
  requestRelease: true,
  waive: false,
  signoff: { po: false, dpo: false, security: false },
  operations: {
    deploy: true,
    rollback: true,
    control: true,
    breakGlass: false,
    channel: CHANNEL,
    ...operations,
  },
});

const operation = (o: Partial<OperationResponse> = {}): OperationResponse => ({
  id: 'op-1',
  entityRef: 'component:default/rco',
  environment: 'staging',
  type: 'deploy',
  driver: 'simulated',
  simulated: true,
  release: RELEASE,
  state: 'awaiting-confirmation',
  awaiting: 'plan',
  steps: [
    {
      id: 'preflight',
      title: 'Preflight: gates and sign-offs',
      status: 'done',
    },
    {
      id: 'deploy',
      title: 'Canary rollout (Simulated cluster)',
      status: 'pending',
    },
  ],
  reasons: [],
  requestedBy: ALICE,
  createdAt: NOW,
  updatedAt: NOW,
  ...o,
});

/** Mei's break-glass override for the release in staging, two hours from expiry. */
const activeOverride = (id: string): OverrideResponse => ({
  id,
  entityRef: 'component:default/rco',
  environment: 'staging',
  release: RELEASE,
  justification: 'Hotfix for incident INC-4711: calls dropped',
  createdBy: 'user:default/mei',
  createdAt: NOW,
  expiresAt: DateTime.now().plus({ hours: 2 }).toUTC().toISO()!,
});

function mockApi(overrides: Partial<RcoApi> = {}): jest.Mocked<RcoApi> {
  return {
    listEnvironments: jest.fn(async () => environments()),
    listOperations: jest.fn(async () => []),
    listOverrides: jest.fn(async () => []),
    getOperation: jest.fn(),
    createOperation: jest.fn(),
    confirmOperation: jest.fn(),
    promoteOperation: jest.fn(),
    abortOperation: jest.fn(),
    createOverride: jest.fn(),
    revokeOverride: jest.fn(),
    ...overrides,
  } as unknown as jest.Mocked<RcoApi>;
}

/** A signal API whose channel a test can publish on, as the backend does. */
function fakeSignals() {
  const listeners = new Map<string, (m: any) => void>();
  return {
    api: {
      subscribe: jest.fn((channel: string, cb: (m: any) => void) => {
        listeners.set(channel, cb);
        return { unsubscribe: () => listeners.delete(channel) };
      }),
    },
    publish: (channel: string, message: object) =>
      act(() => listeners.get(channel)?.(message)),
  };
}

async function render(
  api: RcoApi,
  props: Partial<OperationsPanelProps> = {},
  signals = fakeSignals(),
) {
  const all: OperationsPanelProps = {
    entityRef: ENTITY,
    release: RELEASE,
    environment: 'staging',
    onEnvironmentChange: jest.fn(),
    status: status(),
    signoffs: [],
    capabilities: caps(),
    onOperationFinished: jest.fn(),
    ...props,
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, api],
        [signalApiRef, signals.api],
      ]}
    >
      <OperationsPanel {...all} />
    </TestApiProvider>,
  );
  return all;
}

const user = () => userEvent.setup({ delay: null });
const signoff = (role: SignoffView['role'], signer: string): SignoffView => ({
  id: `${role}-${signer}`,
  role,
  decision: 'approved',
  release: RELEASE,
  signer,
  createdAt: NOW,
});

const approved = (signer: string): FourEyesRoleView => ({
  status: 'approved',
  decisions: [
    { id: `${signer}-1`, signer, decision: 'approved', createdAt: NOW },
  ],
});
const missing: FourEyesRoleView = {
  status: 'missing',
  reason: 'No approval',
  decisions: [],
};
const fourEyes = (
  roles: Partial<FourEyesView['roles']> = {},
  confirmer = ALICE,
): FourEyesView => ({
  requester: ALICE,
  confirmer,
  roles: { po: missing, dpo: missing, security: missing, ...roles },
});

describe('OperationsPanel', () => {
  it('says that deploying and its steps are human-only (issue 16)', async () => {
    await render(mockApi(), { environment: 'production' });
    expect(
      await screen.findByText(
        /Deploy, confirm, promote, abort and break-glass are human-only: assistants connected to the portal through MCP/,
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
  });

  it('disables Deploy and lists the blocking gates and the missing sign-offs', async () => {
    await render(mockApi(), {
      environment: 'production',
      status: {
        ...status({
          'image-scanning': 'fail',
          'secret-hygiene': 'missing',
          'dpo-signoff': 'missing',
        }),
        release: { ...RELEASE, requestedBy: ALICE },
        // The backend's four-eyes verdict: the requester's own approval does not count.
        fourEyes: fourEyes({
          po: approved('user:default/pat'),
          dpo: {
            status: 'missing',
            reason: `No DPO approval of 1.5.0 counts: ${ALICE} requested the release and cannot approve it too (four eyes)`,
            decisions: [
              {
                ...approved(ALICE).decisions[0],
                notCounted:
                  'requested the release and cannot approve it too (four eyes)',
              },
            ],
          },
        }),
      },
      signoffs: [signoff('po', 'user:default/pat'), signoff('dpo', ALICE)],
    });
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    expect(deploy).toBeDisabled();
    const reasons = within(
      screen.getByRole('list', { name: 'Why Deploy is disabled' }),
    )
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(reasons).toEqual([
      // Gate titles, not ids; people by name (issue 12, point 7).
      'Secret Hygiene: Missing',
      'Image & Dependency Scanning: Fail',
      'DPO Sign-off: Missing',
      `Sign-off missing for production: Data Protection Officer (No DPO approval of 1.5.0 counts: alice requested the release and cannot approve it too (four eyes))`,
      'Sign-off missing for production: Security',
    ]);
    const staging = screen.getByRole('region', { name: 'staging environment' });
    expect(
      within(staging).getByText('Simulated cluster', { selector: 'span' }),
    ).toBeInTheDocument();
    expect(
      within(staging).getByText(/Revision 3 · deployed/),
    ).toBeInTheDocument();
    expect(
      within(staging).getByText(`registry.example/rco@${DIGEST}`),
    ).toBeInTheDocument();
    const production = screen.getByRole('region', {
      name: 'production environment',
    });
    expect(
      within(production).queryByText('Simulated cluster'),
    ).not.toBeInTheDocument();
    expect(
      within(production).getByText('Helm · namespace rco'),
    ).toBeInTheDocument();
    expect(
      within(production).getByRole('button', { name: 'Work on production' }),
    ).toHaveAttribute('aria-pressed', 'true');
  });

  it("takes the sign-offs from the backend's four-eyes verdict, not from the list of sign-offs", async () => {
    await render(mockApi(), {
      environment: 'production',
      status: {
        ...status(),
        // Judged for the caller (sam), who would confirm: sam's Security approval does not count.
        fourEyes: fourEyes(
          {
            po: approved('user:default/pat'),
            dpo: approved('user:default/dana'),
            security: {
              status: 'missing',
              reason:
                'No Security approval of 1.5.0 counts: user:default/sam confirms the deploy and cannot approve it too (four eyes)',
              decisions: [
                {
                  ...approved('user:default/sam').decisions[0],
                  notCounted:
                    'confirms the deploy and cannot approve it too (four eyes)',
                },
              ],
            },
          },
          'user:default/sam',
        ),
      },
      // The list says all three approved; the page does not judge it.
      signoffs: [
        signoff('po', 'user:default/pat'),
        signoff('dpo', 'user:default/dana'),
        signoff('security', 'user:default/sam'),
      ],
    });
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    expect(deploy).toBeDisabled();
    const reasons = within(
      screen.getByRole('list', { name: 'Why Deploy is disabled' }),
    )
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(reasons).toEqual([
      'Sign-off missing for production: Security (No Security approval of 1.5.0 counts: sam confirms the deploy and cannot approve it too (four eyes))',
    ]);
  });

  it("blocks on the sign-off gate when its only approval is the caller's own, even where no sign-offs are required", async () => {
    const reason =
      'No DPO approval of 1.5.0 counts: user:default/dana confirms the deploy and cannot approve it too (four eyes)';
    await render(mockApi(), {
      environment: 'staging',
      status: {
        ...status(),
        fourEyes: fourEyes(
          {
            dpo: {
              status: 'missing',
              reason,
              decisions: [
                {
                  ...approved('user:default/dana').decisions[0],
                  notCounted:
                    'confirms the deploy and cannot approve it too (four eyes)',
                },
              ],
            },
          },
          'user:default/dana',
        ),
      },
    });
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    expect(deploy).toBeDisabled();
    expect(
      within(screen.getByRole('list', { name: 'Why Deploy is disabled' }))
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'DPO Sign-off: No DPO approval of 1.5.0 counts: dana confirms the deploy and cannot approve it too (four eyes)',
    ]);
  });

  it('counts no sign-off when the backend reports no four-eyes verdict', async () => {
    await render(mockApi(), {
      environment: 'production',
      status: status(),
      signoffs: [
        signoff('po', 'user:default/pat'),
        signoff('dpo', 'user:default/dana'),
        signoff('security', 'user:default/sam'),
      ],
    });
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    expect(deploy).toBeDisabled();
    expect(
      within(screen.getByRole('list', { name: 'Why Deploy is disabled' }))
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'Sign-off missing for production: Product Owner',
      'Sign-off missing for production: Data Protection Officer',
      'Sign-off missing for production: Security',
    ]);
  });

  it('says why someone who may not operate cannot, and offers no controls', async () => {
    const api = mockApi({
      listEnvironments: jest.fn(async () =>
        environments({ activeOperationId: 'op-1' }),
      ),
      getOperation: jest.fn(async () =>
        operation({
          state: 'running',
          awaiting: undefined,
          progress: { phase: 'paused', canaryWeight: 20 },
        }),
      ),
    });
    await render(api, {
      capabilities: caps({ deploy: false, rollback: false, control: false }),
    });
    expect(
      await screen.findByRole('button', { name: 'Deploy' }, slow),
    ).toBeDisabled();
    expect(
      screen.getByText(/You may not deploy this service/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/You may not roll back this service/),
    ).toBeInTheDocument();
    const progress = await screen.findByRole('region', {
      name: 'Operation progress',
    });
    expect(
      within(progress).getByText(
        "Promote and abort are for the service's owners.",
      ),
    ).toBeInTheDocument();
    expect(
      within(progress).queryByRole('button', { name: 'Promote' }),
    ).not.toBeInTheDocument();
    expect(
      within(progress).queryByRole('button', { name: 'Abort' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Break glass' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Dry-run rollback' }),
    ).toBeDisabled();
  });

  it('shows no deploy side for an entity kind that may not operate, and reads nothing the backend would refuse', async () => {
    const api = mockApi();
    await render(api, {
      entityRef: { kind: 'API', namespace: 'default', name: 'payments' },
      capabilities: caps({
        deploy: false,
        rollback: false,
        control: false,
        kindAllowed: false,
      }),
    });
    expect(
      await screen.findByText(/Entities of kind API do not deploy/, {}, slow),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(api.listEnvironments).not.toHaveBeenCalled();
    expect(api.listOperations).not.toHaveBeenCalled();
    expect(api.listOverrides).not.toHaveBeenCalled();
  });

  it('deploys only after the exact name is typed, then confirms the irreversible step separately', async () => {
    let created!: (op: OperationResponse) => void;
    const steps = [
      {
        id: 'preflight',
        title: 'Preflight: gates and sign-offs',
        status: 'done' as const,
      },
      {
        id: 'db-migration',
        title: 'Database migration: V42__add_call_index',
        status: 'pending' as const,
        irreversible: true,
      },
      {
        id: 'deploy',
        title: 'Canary rollout (Simulated cluster)',
        status: 'pending' as const,
      },
    ];
    const api = mockApi({
      createOperation: jest.fn(
        () =>
          new Promise<OperationResponse>(r => {
            created = r;
          }),
      ),
      confirmOperation: jest
        .fn()
        .mockResolvedValueOnce(operation({ steps, awaiting: 'db-migration' }))
        .mockResolvedValueOnce(
          operation({
            steps,
            state: 'running',
            awaiting: undefined,
            progress: { phase: 'progressing' },
          }),
        ),
    });
    const u = user();
    await render(api);
    await u.click(await screen.findByRole('button', { name: 'Deploy' }, slow));
    const dialog = screen.getByRole('dialog', {
      name: 'Deploy rco 1.5.0 to staging',
    });
    expect(
      within(dialog).getByText(/revision 3 · registry.example/),
    ).toBeInTheDocument();
    await u.type(
      within(dialog).getByLabelText('Database migration (optional)'),
      'V42__add_call_index',
    );
    expect(
      within(dialog).getByRole('list', { name: 'Plan' }),
    ).toHaveTextContent(
      'Database migration: V42__add_call_index — irreversible',
    );
    const name = within(dialog).getByLabelText('Type rco to confirm');
    const confirm = within(dialog).getByRole('button', { name: 'Confirm' });
    await u.type(name, 'RCO');
    expect(confirm).toBeDisabled();
    await u.clear(name);
    await u.type(name, 'rco');
    // A double click while the request is out sends it once.
    await u.dblClick(confirm);
    expect(api.createOperation).toHaveBeenCalledTimes(1);
    expect(api.createOperation).toHaveBeenCalledWith(
      ENTITY,
      {
        type: 'deploy',
        environment: 'staging',
        release: RELEASE,
        databaseMigration: 'V42__add_call_index',
      },
      expect.stringMatching(/^[0-9a-f-]{32,36}$/),
    );
    await act(async () => created(operation({ steps })));
    expect(api.confirmOperation).toHaveBeenCalledWith('op-1', {
      confirmation: 'rco',
    });

    const step = await screen.findByRole('dialog', {
      name: 'Confirm the irreversible step: Database migration: V42__add_call_index',
    });
    const again = within(step).getByRole('button', { name: 'Confirm' });
    expect(again).toBeDisabled(); // the name is typed again for this step
    await u.type(within(step).getByLabelText('Type rco to confirm'), 'rco');
    await u.click(again);
    expect(api.confirmOperation).toHaveBeenLastCalledWith('op-1', {
      confirmation: 'rco',
      step: 'db-migration',
    });
    const progress = await screen.findByRole('region', {
      name: 'Operation progress',
    });
    expect(within(progress).getByText('Running')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it("keeps the server's refusal visible in the dialog and records the refused attempt", async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'ConflictError',
            message:
              'Blocked by 1 gate: image-scanning (fail). Recorded as operation op-9',
          },
          response: { statusCode: 409 },
        }),
        {
          status: 409,
          statusText: 'Conflict',
          headers: { 'Content-Type': 'application/json' },
        },
      ) as any,
    );
    const api = mockApi({
      createOperation: jest.fn().mockRejectedValue(refusal),
    });
    const u = user();
    await render(api);
    await u.click(await screen.findByRole('button', { name: 'Deploy' }, slow));
    const dialog = screen.getByRole('dialog');
    await u.type(within(dialog).getByLabelText('Type rco to confirm'), 'rco');
    await u.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Blocked by 1 gate: image-scanning (fail). Recorded as operation op-9 (HTTP 409)',
    );
    expect(api.confirmOperation).not.toHaveBeenCalled();
    expect(api.listOperations).toHaveBeenCalledTimes(2); // the history re-read shows the blocked attempt
  });

  it('follows a canary live: weight, metrics, Promote at the pause, and the reasons when it ends', async () => {
    const paused = operation({
      state: 'running',
      awaiting: undefined,
      confirmedBy: ALICE,
      progress: {
        phase: 'paused',
        canaryWeight: 20,
        step: { index: 1, total: 5 },
        metrics: [
          {
            name: 'success-rate',
            value: '0.998',
            condition: 'result[0] >= 0.99',
            phase: 'Successful',
          },
        ],
      },
    });
    const rolledBack = operation({
      state: 'rolled-back',
      awaiting: undefined,
      finishedAt: NOW,
      reasons: [
        'Canary analysis: metric "success-rate" assessed Failed: measured 0.91, condition result[0] >= 0.99',
        'Rolled back automatically to revision 2',
      ],
    });
    // What the backend holds now; polls and signals both read it.
    let current = paused;
    const api = mockApi({
      listEnvironments: jest.fn(async () =>
        environments({ activeOperationId: 'op-1' }),
      ),
      getOperation: jest.fn(async () => current),
      promoteOperation: jest.fn(async () => {
        current = {
          ...paused,
          progress: {
            ...paused.progress!,
            phase: 'progressing',
            canaryWeight: 50,
          },
        };
        return current;
      }),
    });
    const signals = fakeSignals();
    const props = await render(api, {}, signals);
    const progress = await screen.findByRole(
      'region',
      { name: 'Operation progress' },
      slow,
    );
    expect(
      within(progress).getByText(
        'Canary weight: 20% of traffic on the new revision',
      ),
    ).toBeInTheDocument();
    expect(within(progress).getByRole('progressbar')).toHaveAttribute(
      'aria-valuenow',
      '20',
    );
    expect(within(progress).getByText(/Step 2 of 5/)).toBeInTheDocument();
    const metric = within(
      within(progress).getByRole('table', { name: 'Analysis metrics' }),
    ).getByRole('row', { name: /success-rate/ });
    expect(metric).toHaveTextContent(
      'success-rate0.998result[0] >= 0.99Successful',
    );
    expect(
      within(progress).getByRole('button', { name: 'Abort' }),
    ).toBeEnabled();

    await userEvent.click(
      within(progress).getByRole('button', { name: 'Promote' }),
    );
    expect(api.promoteOperation).toHaveBeenCalledWith('op-1');
    expect(
      await within(progress).findByText(
        'Canary weight: 50% of traffic on the new revision',
      ),
    ).toBeInTheDocument();
    expect(
      within(progress).queryByRole('button', { name: 'Promote' }),
    ).not.toBeInTheDocument();

    expect(signals.api.subscribe).toHaveBeenCalledWith(
      CHANNEL,
      expect.any(Function),
    );
    current = rolledBack;
    signals.publish(CHANNEL, {
      id: 'op-1',
      state: 'rolled-back',
      environment: 'staging',
    });
    expect(
      await within(progress).findByText('Rolled back', {
        selector: '.MuiAlertTitle-root',
      }),
    ).toBeInTheDocument();
    expect(
      within(progress).getByRole('list', { name: 'Reasons' }),
    ).toHaveTextContent(
      'metric "success-rate" assessed Failed: measured 0.91, condition result[0] >= 0.99',
    );
    expect(props.onOperationFinished).toHaveBeenCalled();
    expect(
      within(progress).queryByRole('button', { name: 'Abort' }),
    ).not.toBeInTheDocument();
  });

  it('listens only on the channel the capabilities give, never one named after the entity', async () => {
    const signals = fakeSignals();
    await render(
      mockApi(),
      { capabilities: caps({ channel: undefined }) },
      signals,
    );
    await screen.findByRole('button', { name: 'Deploy' }, slow);
    // Without a channel from the API the page polls; it never guesses one from the ref.
    expect(signals.api.subscribe).not.toHaveBeenCalled();
  });

  it('polls an active operation when no signal comes', async () => {
    const api = mockApi({
      listEnvironments: jest.fn(async () =>
        environments({ activeOperationId: 'op-1' }),
      ),
      getOperation: jest
        .fn()
        .mockResolvedValueOnce(
          operation({
            state: 'running',
            awaiting: undefined,
            progress: { phase: 'progressing', canaryWeight: 50 },
          }),
        )
        .mockResolvedValue(
          operation({
            state: 'succeeded',
            awaiting: undefined,
            reasons: ['Revision 4 serves 100%'],
          }),
        ),
    });
    await render(api, {}, {
      api: { subscribe: jest.fn(() => ({ unsubscribe() {} })) },
      publish: jest.fn(),
    } as any);
    const progress = await screen.findByRole(
      'region',
      { name: 'Operation progress' },
      slow,
    );
    expect(within(progress).getByText('Running')).toBeInTheDocument();
    expect(
      await within(progress).findByText(
        'Revision 4 serves 100%',
        {},
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    expect(api.getOperation.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('shows the history: who, what, outcome, and the gate snapshot it ran under', async () => {
    const gates = GATES.map(g => ({
      id: g.id,
      status: g.id === 'image-scanning' ? 'waived' : 'pass',
    }));
    const api = mockApi({
      listOperations: jest.fn(async () => [
        operation({
          id: 'op-2',
          state: 'succeeded',
          confirmedBy: 'user:default/bob',
          awaiting: undefined,
          gateSnapshot: {
            hash: 'ab'.repeat(32),
            evaluatedAt: NOW,
            gates,
            signoffs: [{ role: 'po', signer: 'user:default/pat' }],
          },
        }),
        operation({
          id: 'op-3',
          type: 'rollback',
          targetRevision: '2',
          state: 'rolled-back',
          awaiting: undefined,
        }),
      ]),
    });
    await render(api);
    const table = await screen.findByRole(
      'table',
      { name: 'Deploy history' },
      slow,
    );
    const [, first, second] = within(table).getAllByRole('row');
    expect(first).toHaveTextContent('alice (confirmed by bob)');
    expect(first).toHaveTextContent(
      'Deploy rco 1.5.0 to staging · sha256:3f3f3f3f3f3f…',
    );
    expect(within(first).getByText('Succeeded')).toBeInTheDocument();
    expect(second).toHaveTextContent('Roll back rco in staging to revision 2');
    expect(within(second).getByText('Rolled back')).toBeInTheDocument();
    const toggle = within(first).getByRole('button', {
      name: '10 of 10 gates pass or waived',
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const snapshot = screen.getByRole('list', {
      name: /^Gates of Deploy rco 1\.5\.0 to staging, /,
    });
    expect(
      within(snapshot).getByText('Image & Dependency Scanning:', {
        exact: false,
      }).parentElement,
    ).toHaveTextContent('Image & Dependency Scanning: Waived');
    expect(within(table).getByText('ab'.repeat(32))).toBeInTheDocument();
    expect(
      within(table).getByText(/^Sign-offs:/).parentElement,
    ).toHaveTextContent('Sign-offs: Product Owner by pat');
  });

  it('says "No deploys yet" on an empty history', async () => {
    await render(mockApi());
    const table = await screen.findByRole(
      'table',
      { name: 'Deploy history' },
      slow,
    );
    expect(within(table).getByText('No deploys yet')).toBeInTheDocument();
  });

  it('rolls back after a dry-run of the chosen revision', async () => {
    const dryRun = operation({
      id: 'dry-1',
      type: 'rollback-dry-run',
      targetRevision: '2',
      state: 'running',
      awaiting: undefined,
    });
    const api = mockApi({
      createOperation: jest
        .fn()
        .mockResolvedValueOnce(dryRun)
        .mockResolvedValueOnce(
          operation({ id: 'rb-1', type: 'rollback', targetRevision: '2' }),
        ),
      getOperation: jest.fn(async () => ({
        ...dryRun,
        state: 'succeeded' as const,
        progress: {
          phase: 'succeeded',
          message:
            'Rollback to revision 2 would succeed (dry run, nothing changed)',
        },
      })),
      confirmOperation: jest.fn(async () =>
        operation({
          id: 'rb-1',
          type: 'rollback',
          targetRevision: '2',
          state: 'running',
          awaiting: undefined,
        }),
      ),
    });
    const signals = fakeSignals();
    const props = await render(api, {}, signals);
    const u = user();
    const rollBack = await screen.findByRole(
      'button',
      { name: 'Roll back' },
      slow,
    );
    expect(rollBack).toBeDisabled();
    expect(
      screen.getByText('Run a dry-run of revision 2 first.'),
    ).toBeInTheDocument();
    await u.click(screen.getByRole('button', { name: 'Dry-run rollback' }));
    expect(api.createOperation).toHaveBeenCalledWith(
      ENTITY,
      { type: 'rollback-dry-run', environment: 'staging', targetRevision: '2' },
      expect.any(String),
    );
    expect(
      await screen.findByText('Dry-run of revision 2 running…'),
    ).toBeInTheDocument();
    signals.publish(CHANNEL, {
      id: 'dry-1',
      state: 'succeeded',
      environment: 'staging',
    });
    expect(
      await screen.findByText(
        'Dry-run of revision 2 succeeded: Rollback to revision 2 would succeed (dry run, nothing changed)',
      ),
    ).toBeInTheDocument();
    // The dry-run is evidence for migration-controls: the tab re-evaluates its gates.
    expect(props.onOperationFinished).toHaveBeenCalled();
    await u.click(screen.getByRole('button', { name: 'Roll back' }));
    const dialog = screen.getByRole('dialog', {
      name: 'Roll back rco in staging to revision 2',
    });
    await u.type(within(dialog).getByLabelText('Type rco to confirm'), 'rc');
    expect(
      within(dialog).getByRole('button', { name: 'Confirm' }),
    ).toBeDisabled();
    await u.type(within(dialog).getByLabelText('Type rco to confirm'), 'o');
    await u.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(api.createOperation).toHaveBeenLastCalledWith(
      ENTITY,
      { type: 'rollback', environment: 'staging', targetRevision: '2' },
      expect.any(String),
    );
    expect(api.confirmOperation).toHaveBeenCalledWith('rb-1', {
      confirmation: 'rco',
    });
    const progress = await screen.findByRole('region', {
      name: 'Operation progress',
    });
    expect(
      await within(progress).findByText(
        // The operation's release is the version it returns to.
        'Roll back rco in staging to revision 2 (v1.5.0)',
      ),
    ).toBeInTheDocument();
    expect(within(progress).getByText('Running')).toBeInTheDocument();
  });

  it('break-glass: validates justification and expiry, then shows the override and lifts the gates', async () => {
    const override = activeOverride('ov-1');
    const revoked = { ...override, revokedAt: NOW };
    const api = mockApi({
      listOverrides: jest
        .fn()
        .mockResolvedValueOnce([])
        .mockResolvedValueOnce([override])
        .mockResolvedValue([revoked]),
      createOverride: jest.fn(async () => override),
      revokeOverride: jest.fn(async () => revoked),
    });
    const u = user();
    await render(api, {
      status: status({ 'image-scanning': 'fail' }),
      capabilities: caps({ breakGlass: true }),
    });
    expect(
      await screen.findByRole('button', { name: 'Deploy' }, slow),
    ).toBeDisabled();
    await u.click(screen.getByRole('button', { name: 'Break glass' }));
    const dialog = screen.getByRole('dialog');
    const record = within(dialog).getByRole('button', {
      name: 'Record override',
    });
    await u.type(within(dialog).getByLabelText(/Justification/), 'Hotfix');
    expect(record).toBeDisabled();
    expect(
      within(dialog).getByText(/at least 20 characters; 6 so far/),
    ).toBeInTheDocument();
    await u.type(
      within(dialog).getByLabelText(/Justification/),
      ' for incident INC-4711: calls dropped',
    );
    const expires = within(dialog).getByLabelText(/Expires/);
    fireEvent.change(expires, {
      target: {
        value: DateTime.now().plus({ hours: 6 }).toFormat("yyyy-LL-dd'T'HH:mm"),
      },
    });
    expect(
      within(dialog).getByText(
        'More than 4 hours away: choose an earlier time',
      ),
    ).toBeInTheDocument();
    expect(expires).toHaveAttribute('aria-invalid', 'true');
    expect(record).toBeDisabled();
    const inTwoHours = DateTime.now()
      .plus({ hours: 2 })
      .toFormat("yyyy-LL-dd'T'HH:mm");
    fireEvent.change(expires, { target: { value: inTwoHours } });
    expect(expires).toHaveAttribute('aria-invalid', 'false');
    expect(record).toBeEnabled();
    await u.click(record);
    expect(api.createOverride).toHaveBeenCalledWith(ENTITY, {
      environment: 'staging',
      release: RELEASE,
      justification: 'Hotfix for incident INC-4711: calls dropped',
      expiresAt: DateTime.fromISO(inTwoHours).toUTC().toISO(),
    });
    expect(
      await screen.findByLabelText('Break-glass override active'),
    ).toHaveTextContent('by mei: Hotfix for incident INC-4711');
    expect(screen.getByRole('button', { name: 'Deploy' })).toBeEnabled();
    expect(
      screen.queryByRole('button', { name: 'Break glass' }),
    ).not.toBeInTheDocument();

    // The incident is over: the override ends before its expiry and the gates hold again.
    await u.click(
      screen.getByRole('button', {
        name: 'Revoke the break-glass override for staging',
      }),
    );
    expect(api.revokeOverride).toHaveBeenCalledWith('ov-1');
    expect(
      await screen.findByRole('button', { name: 'Break glass' }, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByLabelText('Break-glass override active'),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Deploy' })).toBeDisabled();
  });

  it('shows an active override to everyone, but Revoke only to the break-glass group', async () => {
    const override = activeOverride('ov-2');
    const api = mockApi({ listOverrides: jest.fn(async () => [override]) });
    await render(api, {
      status: status({ 'image-scanning': 'fail' }),
      capabilities: caps({ breakGlass: false }),
    });
    expect(
      await screen.findByLabelText('Break-glass override active', {}, slow),
    ).toHaveTextContent('by mei');
    expect(
      screen.queryByRole('button', { name: /Revoke the break-glass override/ }),
    ).not.toBeInTheDocument();
  });

  it('says when the backend is down and retries', async () => {
    const api = mockApi({
      listEnvironments: jest
        .fn()
        .mockRejectedValueOnce(new Error('connect ECONNREFUSED'))
        .mockResolvedValue(environments()),
    });
    await render(api);
    expect(
      (await screen.findAllByText(/ECONNREFUSED/, {}, slow)).length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByRole('button', { name: 'Deploy' }),
    ).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('region', { name: 'staging environment' }, slow),
    ).toBeInTheDocument();
    expect(api.listEnvironments).toHaveBeenCalledTimes(2);
  });

  it('asks for an environment when the tab has none, and picks it on the tab', async () => {
    const props = await render(mockApi(), { environment: undefined });
    expect(
      await screen.findByText(/Choose the environment to deploy to/, {}, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Deploy' }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Work on staging' }),
    );
    expect(props.onEnvironmentChange).toHaveBeenCalledWith('staging');
  });

  it('is mounted on the Release tab, which evaluates the gates for the environment picked there', async () => {
    const api = mockApi({
      listReleases: jest.fn(async () => ({
        items: [{ ...RELEASE, lastEvidenceAt: NOW }],
        environments: [],
      })),
      getStatus: jest.fn(async () => status()),
      getCapabilities: jest.fn(async () => caps()),
      listSignoffs: jest.fn(async () => []),
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [rcoApiRef, api],
          [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        ]}
      >
        <EntityProvider
          entity={{
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'rco', namespace: 'default' },
            spec: { owner: 'group:default/rco-team' },
          }}
        >
          <ReleaseContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Work on staging' }, slow),
    );
    // The release first shown stays judged (its version and digest are in the URL).
    expect(api.getStatus).toHaveBeenLastCalledWith(ENTITY, {
      environment: 'staging',
      version: RELEASE.version,
      digest: RELEASE.digest,
    });
    expect(
      await screen.findByRole('button', { name: 'Deploy' }, slow),
    ).toBeEnabled();
    expect(api.listOperations).toHaveBeenLastCalledWith(ENTITY, {
      environment: 'staging',
    });
  });
});

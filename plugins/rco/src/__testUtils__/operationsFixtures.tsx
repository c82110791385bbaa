import { stringifyEntityRef } from '@backstage/catalog-model';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
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
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import { useState } from 'react';
import { RcoApi, rcoApiRef } from '../api/RcoApi';
import {
  OperationsPanel,
  OperationsPanelProps,
} from '../components/Operations/OperationsPanel';

/** Shared by the deploy side's tests of issue 12 (points 5 to 7). */
export const DIGEST = `sha256:${'3f'.repeat(32)}`;
export const RELEASE = { version: '1.3.2', digest: DIGEST };
export const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };
export const TITLE = 'RCO (Remote-Call Orchestrator)';
export const ALICE = 'user:default/alice';
export const hoursAgo = (h: number) =>
  new Date(Date.now() - h * 3_600_000).toISOString();

/** What the catalog would call things: the service's title, people's display names. */
export const NAMES: Record<string, string> = {
  'component:default/rco': TITLE,
  'user:default/alice': 'Alice Moreau',
  'user:default/bob': 'Bob Brandt',
  'user:default/pat': 'Pat Okafor',
  'user:default/mei': 'Mei Tanaka',
};
export const presentation = {
  forEntity: (entityOrRef: unknown) => {
    const ref =
      typeof entityOrRef === 'string'
        ? entityOrRef
        : stringifyEntityRef(entityOrRef as any);
    const snapshot = {
      entityRef: ref,
      primaryTitle: NAMES[ref] ?? ref.replace(/^.*\//, ''),
      secondaryTitle: ref,
    };
    return { snapshot, promise: Promise.resolve(snapshot) };
  },
};

export function status(
  failing: Record<string, GateStatus> = {},
  fourEyes?: FourEyesView,
): ReleaseStatusResponse {
  const gates = GATES.map(g => ({
    id: g.id,
    title: g.title,
    verification: g.verification,
    status: failing[g.id] ?? ('pass' as GateStatus),
    reasons: [],
    evidence: [],
    evaluatedAt: hoursAgo(0),
  }));
  const blockedBy = gates.filter(g => g.status !== 'pass').map(g => g.id);
  return {
    entityRef: 'component:default/rco',
    release: RELEASE,
    gates,
    pillars: [],
    fourEyes,
    summary: {
      passing: gates.length - blockedBy.length,
      total: gates.length,
      blockedBy,
      waived: [],
      ready: !blockedBy.length,
      text: '',
    },
    evaluatedAt: hoursAgo(0),
  };
}

export const approved = (signer: string): FourEyesRoleView => ({
  status: 'approved',
  decisions: [
    { id: `${signer}-1`, signer, decision: 'approved', createdAt: hoursAgo(1) },
  ],
});
export const missing: FourEyesRoleView = {
  status: 'missing',
  reason: 'No approval',
  decisions: [],
};
export const fourEyes = (
  roles: Partial<FourEyesView['roles']> = {},
): FourEyesView => ({
  requester: ALICE,
  confirmer: ALICE,
  roles: { po: missing, dpo: missing, security: missing, ...roles },
});

/** Production's revisions as Helm lists them, oldest first: 4 serves, 3 is the one it replaced. */
export const revisions: EnvironmentView['revisions'] = [
  {
    revision: '1',
    status: 'superseded',
    current: false,
    updatedAt: hoursAgo(200),
  },
  {
    revision: '2',
    status: 'superseded',
    current: false,
    updatedAt: hoursAgo(100),
  },
  {
    revision: '3',
    status: 'superseded',
    current: false,
    updatedAt: hoursAgo(50),
  },
  { revision: '4', status: 'deployed', current: true, updatedAt: hoursAgo(2) },
];

export function production(o: Partial<EnvironmentView> = {}): EnvironmentView {
  return {
    name: 'production',
    driver: 'helm',
    driverLabel: 'Helm',
    simulated: false,
    namespace: 'rco',
    requiredSignoffs: ['po', 'security'],
    currentRevision: revisions[3],
    revisions,
    ...o,
  };
}

export const CHANNEL = `rco:operations:${'5e'.repeat(32)}`;
export const caps = (): CapabilitiesResponse => ({
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
  },
});

export const operation = (
  o: Partial<OperationResponse> = {},
): OperationResponse => ({
  id: 'op-1',
  entityRef: 'component:default/rco',
  environment: 'production',
  type: 'deploy',
  driver: 'helm',
  simulated: false,
  release: RELEASE,
  state: 'running',
  steps: [
    {
      id: 'preflight',
      title: 'Preflight: gates and sign-offs',
      status: 'done',
    },
    { id: 'deploy', title: 'Canary rollout', status: 'running' },
  ],
  reasons: [],
  requestedBy: ALICE,
  confirmedBy: ALICE,
  createdAt: hoursAgo(1),
  updatedAt: hoursAgo(1),
  ...o,
});

export function mockApi(overrides: Partial<RcoApi> = {}): jest.Mocked<RcoApi> {
  return {
    listEnvironments: jest.fn(async () => [production()]),
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

/**
 * The panel as the Release tab mounts it; `statuses` are the evaluations the tab reads in turn
 * (a button stands in for the tab re-reading the status after a change).
 */
export function Tab(props: {
  statuses: ReleaseStatusResponse[];
  panel?: Partial<OperationsPanelProps>;
}) {
  const [i, setI] = useState(0);
  return (
    <>
      <button
        onClick={() => setI(n => Math.min(n + 1, props.statuses.length - 1))}
      >
        Status changed
      </button>
      <OperationsPanel
        entityRef={ENTITY}
        release={RELEASE}
        environment="production"
        onEnvironmentChange={() => {}}
        status={props.statuses[i]}
        signoffs={[]}
        capabilities={caps()}
        {...props.panel}
      />
    </>
  );
}

/** Publishes a signal to the last rendered panel (set by renderPanel). */
export let publish: (channel: string, message: object) => void = () => {};

export async function renderPanel(
  api: RcoApi,
  statuses: ReleaseStatusResponse[] = [status()],
  panel: Partial<OperationsPanelProps> = {},
) {
  const listeners = new Map<string, (m: unknown) => void>();
  const signals = {
    subscribe: jest.fn((channel: string, cb: (m: unknown) => void) => {
      listeners.set(channel, cb);
      return { unsubscribe: () => listeners.delete(channel) };
    }),
  };
  /** Publishes on a channel as the backend does (wrap in act()). */
  publish = (channel: string, message: object) =>
    listeners.get(channel)?.(message);
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, api],
        [signalApiRef, signals],
        [entityPresentationApiRef, presentation],
      ]}
    >
      <Tab statuses={statuses} panel={panel} />
    </TestApiProvider>,
  );
}

import { GateId, GateStatus } from '@helix-portal/plugin-rco-common';
import { Judgement } from '../../database/JudgementStore';
import { MetricsFacts, OperationFact, OverrideFact } from '../facts';

/**
 * A hand-made history of two services in production (and one staging deploy), with the figures
 * each metric must give worked out by hand in delivery.test.ts and effectiveness.test.ts.
 * Period: Monday 2026-01-05 to Monday 2026-01-19 (UTC), 14 days; failure window 24 h.
 */
export const t = (iso: string) => new Date(`2026-01-${iso}Z`);

const A = 'component:default/a';
const B = 'component:default/b';

function op(
  id: string,
  o: Partial<OperationFact> & { created: string; finished?: string },
): OperationFact {
  return {
    id,
    entityRef: A,
    environment: 'production',
    type: 'deploy',
    state: 'succeeded',
    release: {},
    confirmed: true,
    started: true,
    createdAt: t(o.created),
    finishedAt: o.finished ? t(o.finished) : undefined,
    ...o,
  };
}

export const operations: OperationFact[] = [
  // A: lead time 24 h (first evidence 04T10:30).
  op('D1', {
    created: '05T10:00',
    finished: '05T10:30',
    release: { version: '1', digest: 'dA1' },
  }),
  // A: blocked by image-scanning the day before D2 (never confirmed: not a change).
  op('D2a', {
    created: '06T09:00',
    finished: '06T09:01',
    state: 'blocked',
    confirmed: false,
    release: { version: '2', digest: 'dA2' },
  }),
  // A: lead time 2 h; rolled back by R1 at 12:00 (a failure), restored 12:15.
  op('D2', {
    created: '07T09:00',
    finished: '07T09:30',
    release: { version: '2', digest: 'dA2' },
  }),
  op('R1', { type: 'rollback', created: '07T12:00', finished: '07T12:15' }),
  // A rollback of the rollback: neither a new failure nor a second restore.
  op('R2', { type: 'rollback', created: '07T13:00', finished: '07T13:10' }),
  // A: its own analysis rolled it back: failed by itself, restored in 20 minutes.
  op('D3', {
    created: '10T08:00',
    finished: '10T08:20',
    state: 'rolled-back',
    release: { version: '3', digest: 'dA3' },
  }),
  // A: through break-glass O1 (image-scanning failing); no evidence names dA4 (no lead time);
  // break-glass O2 the next night is its failure signal; nothing restored it.
  // 03:00 UTC on Monday the 12th is Sunday evening in Los Angeles: the week differs by zone.
  op('D4', {
    created: '12T02:50',
    finished: '12T03:00',
    overrideId: 'O1',
    release: { version: '4', digest: 'dA4' },
  }),
  op('S1', {
    environment: 'staging',
    created: '08T10:00',
    finished: '08T10:10',
  }),
  // B: succeeded before the period; the rollback inside it is about E0, not counted.
  op('E0', {
    entityRef: B,
    created: '04T23:40',
    finished: '04T23:59',
    release: { version: '0', digest: 'dB0' },
  }),
  op('R0', {
    entityRef: B,
    type: 'rollback',
    created: '05T01:00',
    finished: '05T01:05',
  }),
  // B: lead time 12 h; the rollback 24 h 10 min later is outside the failure window.
  op('E1', {
    entityRef: B,
    created: '18T23:30',
    finished: '18T23:50',
    release: { version: '1', digest: 'dB1' },
  }),
  op('R3', {
    entityRef: B,
    type: 'rollback',
    created: '20T00:00',
    finished: '20T00:05',
  }),
  // B: finishes at the period's end, which is excluded.
  op('E2', {
    entityRef: B,
    created: '19T00:00',
    finished: '19T00:10',
    release: { version: '2', digest: 'dB2' },
  }),
];

function judgement(
  id: string,
  operationId: string,
  at: string,
  gates: Array<{
    id: GateId;
    status: GateStatus;
    oldest?: string;
    waiver?: string;
  }>,
  o: Partial<Judgement> = {},
): Judgement {
  const operation = operations.find(x => x.id === operationId)!;
  return {
    id,
    entityRef: operation.entityRef,
    environment: operation.environment,
    operationId,
    occasion: 'preflight',
    release: operation.release,
    judgedAt: t(at),
    allowed: true,
    heldOtherwise: false,
    configDigest: 'c',
    ...o,
    gates: gates.map(g => ({
      ...g,
      ...(g.oldest ? { oldest: t(g.oldest).toISOString() } : {}),
    })),
  };
}

const pass = (oldest?: string) => ({
  id: 'secret-hygiene' as const,
  status: 'pass' as const,
  oldest,
});

export const judgements: Judgement[] = [
  judgement('J1', 'D1', '05T10:00', [
    { id: 'image-scanning', status: 'pass', oldest: '04T10:30' },
    pass(),
  ]),
  judgement(
    'J2',
    'D2a',
    '06T09:00',
    [{ id: 'image-scanning', status: 'fail' }, pass()],
    { allowed: false },
  ),
  judgement('J3', 'D2', '07T09:00', [
    { id: 'image-scanning', status: 'pass', oldest: '07T07:30' },
    pass(),
  ]),
  judgement('J5', 'D3', '10T08:00', [
    {
      id: 'image-scanning',
      status: 'waived',
      oldest: '09T08:00',
      waiver: 'W1',
    },
    pass(),
  ]),
  judgement(
    'J4',
    'D4',
    '12T02:50',
    [{ id: 'image-scanning', status: 'fail', oldest: '11T02:50' }, pass()],
    { overrideId: 'O1' },
  ),
  judgement('K1', 'E1', '18T23:30', [
    { id: 'image-scanning', status: 'pass' },
    pass(),
  ]),
];

const override = (
  id: string,
  o: Partial<OverrideFact> & { created: string; expires: string },
): OverrideFact => ({
  kind: 'waiver',
  id,
  entityRef: A,
  gate: 'image-scanning',
  environment: 'production',
  grantedBy: 'user:default/samir',
  justification: 'why',
  createdAt: t(o.created),
  expiresAt: t(o.expires),
  ...o,
});

export const overrides: OverrideFact[] = [
  override('W1', { created: '09T12:00', expires: '16T12:00' }),
  override('O1', {
    kind: 'break-glass',
    gate: undefined,
    created: '12T02:00',
    expires: '12T06:00',
  }),
  override('O2', {
    kind: 'break-glass',
    gate: undefined,
    created: '13T01:00',
    expires: '13T05:00',
  }),
  override('W2', { created: '14T00:00', expires: '21T00:00' }),
  override('W3', {
    created: '15T00:00',
    expires: '22T00:00',
    revokedAt: t('15T01:00'),
  }),
];

export const history: MetricsFacts = {
  operations,
  judgements,
  overrides,
  analysisFailures: [],
  firstEvidence: new Map([
    [`${A} dA1`, t('04T10:30')],
    [`${A} dA2`, t('07T07:30')],
    [`${A} dA3`, t('09T08:00')],
    [`${B} dB1`, t('18T11:50')],
  ]),
};

export const period = {
  from: t('05T00:00'),
  to: t('19T00:00'),
  timeZone: 'UTC',
};
export const window = { ms: 86_400_000, iso: 'P1D' };
export const now = t('19T00:00');

import { LedgerEntry } from '../../database/Ledger';
import {
  eventOf,
  operationEvents,
  releaseStory,
  sortTimeline,
} from './timeline';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const R1 = { version: '1.5.0', digest: D1 };
let seq = 0;
const at = (min: number) => new Date(Date.UTC(2026, 10, 30, 10, min));
const entry = (
  entryType: string,
  payload: Record<string, unknown>,
  min: number,
): LedgerEntry => ({
  seq: ++seq,
  entryType,
  entityRef: 'component:default/rco',
  actor: 'user:default/alice',
  payload,
  prevHash: '',
  hash: '',
  createdAt: at(min),
});
const PATH = '/entities/component/default/rco';

describe('releaseStory', () => {
  const ledger = [
    entry(
      'waiver',
      {
        id: 'w-old',
        gate: 'image-scanning',
        releaseVersion: null,
        expiresAt: at(0).toISOString(),
      },
      0,
    ),
    entry(
      'evidence-upload',
      { id: 'e1', kind: 'sbom', subject: { version: '1.5.0', digest: D1 } },
      1,
    ),
    entry(
      'evidence-upload',
      { id: 'e2', kind: 'sbom', subject: { version: '1.4.0', digest: D2 } },
      2,
    ),
    // Same version label, another image: the digest decides.
    entry(
      'evidence-upload',
      { id: 'e3', kind: 'sbom', subject: { version: '1.5.0', digest: D2 } },
      3,
    ),
    entry(
      'release-request',
      { release: R1, requester: 'user:default/alice' },
      4,
    ),
    entry(
      'waiver',
      {
        id: 'w-all',
        gate: 'slo-alerts',
        releaseVersion: null,
        expiresAt: at(50).toISOString(),
      },
      5,
    ),
    entry(
      'evidence-observed',
      { ids: ['e1'], observedAt: at(6).toISOString() },
      6,
    ),
    entry(
      'signoff',
      { id: 's1', role: 'po', decision: 'approved', release: R1 },
      7,
    ),
    entry(
      'signoff-revoke',
      { id: 's2', role: 'po', decision: 'revoked', release: R1, revokes: 's1' },
      8,
    ),
    entry(
      'deploy-window-propose',
      { id: 'win1', environment: 'production', release: R1 },
      9,
    ),
    entry(
      'deploy-window-accept',
      { id: 'acc1', windowId: 'win1', role: 'po' },
      10,
    ),
    entry(
      'operation-requested',
      { id: 'op1', type: 'deploy', environment: 'production', release: R1 },
      11,
    ),
    entry(
      'operation-state',
      { id: 'op1', from: 'requested', to: 'preflight' },
      12,
    ),
    entry(
      'operation-state',
      { id: 'op1', from: 'running', to: 'running', action: 'promote', step: 1 },
      13,
    ),
    entry(
      'operation-requested',
      {
        id: 'op2',
        type: 'deploy',
        environment: 'staging',
        release: { version: '1.4.0', digest: D2 },
      },
      14,
    ),
    entry(
      'operation-state',
      { id: 'op2', from: 'requested', to: 'preflight' },
      15,
    ),
    entry(
      'release-review',
      {
        id: 'rev1',
        operationId: 'op1',
        operationType: 'deploy',
        result: 'as-planned',
        release: R1,
      },
      16,
    ),
    entry('dossier-made', { id: 'x1', release: R1 }, 17),
  ];

  it('keeps what names the release or points at what does, in ledger order, without re-observations', () => {
    const types = releaseStory(ledger, R1).map(
      e => `${e.entryType}:${e.payload.id ?? ''}`,
    );
    expect(types).toEqual([
      'evidence-upload:e1',
      'release-request:',
      'waiver:w-all',
      'signoff:s1',
      'signoff-revoke:s2',
      'deploy-window-propose:win1',
      'deploy-window-accept:acc1',
      'operation-requested:op1',
      'operation-state:op1',
      'operation-state:op1',
      'release-review:rev1',
      'dossier-made:x1',
    ]);
  });

  it('names a release by version alone when no digest is asked for', () => {
    const ids = releaseStory(ledger, { version: '1.5.0' }).map(
      e => e.payload.id,
    );
    expect(ids).toContain('e3');
    expect(releaseStory(ledger, { version: '9.9.9' })).toEqual([]);
  });

  it('turns entries into events that link to their records, unknown kinds by their name', () => {
    const events = releaseStory(ledger, R1).map(e => eventOf(e, PATH));
    const byTitle = (t: RegExp) => events.find(e => t.test(e.title))!;
    expect(byTitle(/sbom arrived/)).toMatchObject({
      type: 'evidence',
      link: { kind: 'evidence', id: 'e1', href: '/evidence/e1' },
    });
    expect(byTitle(/Release requested/)).toMatchObject({
      type: 'request',
      link: { href: `${PATH}/releases` },
    });
    expect(byTitle(/slo-alerts waived for every release/)).toMatchObject({
      type: 'waiver',
    });
    expect(byTitle(/PO sign-off: approved/)).toMatchObject({
      type: 'signoff',
      link: { id: 's1', href: `${PATH}/signoffs` },
    });
    expect(byTitle(/Deploy window accept/)).toMatchObject({
      type: 'window',
      link: { kind: 'window', id: 'win1', href: `${PATH}/windows` },
    });
    expect(byTitle(/Canary promoted past step 2/)).toMatchObject({
      type: 'canary-step',
      link: { href: '/operations/op1' },
    });
    expect(byTitle(/Review after the deploy: as planned/)).toMatchObject({
      type: 'review',
      link: { href: '/reviews/rev1' },
    });
    expect(byTitle(/Dossier made/)).toMatchObject({
      type: 'other',
      link: { kind: 'dossier-made', id: 'x1' },
    });
    for (const e of events) expect(e.ledgerSeq).toBeGreaterThan(0);
  });
});

describe('operationEvents and sortTimeline', () => {
  it('adds the gates at preflight and finished steps, and orders by time then ledger order', () => {
    const extra = operationEvents({
      id: 'op1',
      gateSnapshot: {
        hash: 'h',
        evaluatedAt: at(12).toISOString(),
        gates: [
          { id: 'image-scanning', status: 'pass' },
          { id: 'slo-alerts', status: 'waived' },
          { id: 'secret-hygiene', status: 'fail' },
        ],
        signoffs: [],
      },
      steps: [
        {
          id: 'preflight',
          title: 'Preflight',
          status: 'done',
          finishedAt: at(12).toISOString(),
        },
        {
          id: 'deploy',
          title: 'Deploy',
          status: 'done',
          finishedAt: at(14).toISOString(),
        },
        { id: 'db-migration', title: 'Migration', status: 'pending' },
      ],
    });
    expect(extra).toEqual([
      expect.objectContaining({
        type: 'gate',
        title: 'Gates at preflight: 1 pass, 1 waived, 1 fail',
        detail: 'secret-hygiene (fail)',
      }),
      expect.objectContaining({
        type: 'operation',
        title: 'Step Deploy: done',
      }),
    ]);
    const sorted = sortTimeline([
      ...extra,
      eventOf(
        entry(
          'operation-state',
          { id: 'op1', from: 'preflight', to: 'awaiting-confirmation' },
          12,
        ),
        PATH,
      ),
      eventOf(
        entry(
          'operation-requested',
          { id: 'op1', type: 'deploy', environment: 'production', release: R1 },
          12,
        ),
        PATH,
      ),
    ]);
    // One instant: ledger entries in seq order, then what has no seq.
    expect(sorted.map(e => e.title)).toEqual([
      'Operation preflight → awaiting-confirmation',
      'deploy to production requested',
      'Gates at preflight: 1 pass, 1 waived, 1 fail',
      'Step Deploy: done',
    ]);
  });
});

import { LedgerEntry } from '../../database/Ledger';
import { releaseEntries, sameRelease } from './releaseEntries';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

let seq = 0;
const entry = (
  entryType: string,
  payload: Record<string, unknown>,
  at = '2026-11-30T10:00:00Z',
): LedgerEntry => ({
  seq: ++seq,
  entryType,
  entityRef: 'component:default/rco',
  actor: 'user:default/alice',
  payload,
  prevHash: '0'.repeat(64),
  hash: String(seq).padStart(64, '0'),
  createdAt: new Date(at),
});

describe('sameRelease', () => {
  it.each([
    [
      'same digest, other version label',
      { version: '1.4', digest: D1 },
      { version: '1.5', digest: D1 },
      true,
    ],
    [
      'other digest, same version',
      { version: '1.5', digest: D2 },
      { version: '1.5', digest: D1 },
      false,
    ],
    [
      'record without digest, same version',
      { version: '1.5' },
      { version: '1.5', digest: D1 },
      true,
    ],
    [
      'record without digest, other version',
      { version: '1.4' },
      { version: '1.5', digest: D1 },
      false,
    ],
    [
      'release without digest, same version',
      { version: '1.5', digest: D1 },
      { version: '1.5' },
      true,
    ],
    ['neither names anything', {}, { version: '1.5' }, false],
    ['not a record', null, { version: '1.5' }, false],
    ['a string', '1.5', { version: '1.5' }, false],
  ])('%s', (_name, record, release, expected) => {
    expect(sameRelease(record, release)).toBe(expected);
  });
});

describe('releaseEntries', () => {
  const release = { version: '1.5.0', digest: D1 };
  const judged = new Set(['ev-1', 'ev-env']);
  const cases: Array<[string, LedgerEntry[], boolean[]]> = [
    [
      'evidence: only what the release was judged on, by id',
      [
        entry('evidence-upload', { id: 'ev-1', subject: { digest: D1 } }),
        entry('evidence-upload', { id: 'ev-old', subject: { digest: D1 } }),
        entry('evidence-upload', {
          id: 'ev-env',
          subject: { environment: 'production' },
        }),
        entry('evidence-upload', { id: 'ev-2', subject: { digest: D2 } }),
      ],
      [true, false, true, false],
    ],
    [
      'an observation run listing judged evidence among others joins; one listing none does not',
      [
        entry('evidence-upload', { id: 'ev-1', subject: { digest: D1 } }),
        entry('evidence-observed', { ids: ['ev-9', 'ev-1'] }),
        entry('evidence-observed', { ids: ['ev-9'] }),
      ],
      [true, true, false],
    ],
    [
      'decisions naming the release, with their revocations; other releases stay out',
      [
        entry('signoff', {
          id: 's1',
          release: { version: '1.5.0', digest: D1 },
        }),
        entry('signoff', {
          id: 's2',
          release: { version: '1.6.0', digest: D2 },
        }),
        entry('signoff-revoke', {
          id: 's3',
          revokes: 's1',
          release: { digest: D1 },
        }),
        entry('signoff-revoke', {
          id: 's4',
          revokes: 's2',
          release: { digest: D2 },
        }),
        entry('release-request', { release: { version: '1.5.0', digest: D1 } }),
        entry('break-glass', { id: 'o1', release: { digest: D1 } }),
        entry('break-glass-revoke', { id: 'o1' }),
      ],
      [true, false, true, false, true, true, true],
    ],
    [
      'waivers: of this version; of every version while in force during its life; not expired before it',
      [
        entry(
          'waiver',
          { id: 'w-old', expiresAt: '2026-11-01T00:00:00Z' },
          '2026-10-30T00:00:00Z',
        ),
        entry(
          'evidence-upload',
          { id: 'ev-1', subject: { digest: D1 } },
          '2026-11-30T09:00:00Z',
        ),
        entry('waiver', { id: 'w-all', expiresAt: '2026-12-07T00:00:00Z' }),
        entry('waiver', {
          id: 'w-15',
          releaseVersion: '1.5.0',
          expiresAt: '2026-12-07T00:00:00Z',
        }),
        entry('waiver', {
          id: 'w-14',
          releaseVersion: '1.4.0',
          expiresAt: '2026-12-07T00:00:00Z',
        }),
        entry('waiver-revoke', { id: 'w-all' }),
        entry('waiver-revoke', { id: 'w-14' }),
      ],
      [false, true, true, true, false, true, false],
    ],
    [
      'operations and records of kinds added later join through the ids they name',
      [
        entry('operation-requested', {
          id: 'op-1',
          release: { version: '1.5.0', digest: D1 },
        }),
        entry('operation-state', {
          id: 'op-1',
          from: 'requested',
          to: 'running',
        }),
        entry('operation-requested', { id: 'op-2', release: { digest: D2 } }),
        entry('operation-state', { id: 'op-2', to: 'running' }),
        entry('release-review', { id: 'r-1', operationId: 'op-1' }),
        entry('release-review', { id: 'r-2', operationId: 'op-2' }),
        entry('deploy-window', { id: 'win-1', release: { digest: D1 } }),
        entry('deploy-window-accept', { windowId: 'win-1' }),
        entry('runbook-version', { version: '1.0.0', contentHash: 'abc' }),
      ],
      [true, true, false, false, true, false, true, true, false],
    ],
  ];
  it.each(cases)('%s', (_name, entries, expected) => {
    const taken = new Set(
      releaseEntries(entries, release, judged).map(e => e.seq),
    );
    expect(entries.map(e => taken.has(e.seq))).toEqual(expected);
  });

  it('keeps ledger order', () => {
    const entries = [
      entry('signoff', { id: 'a', release }),
      entry('evidence-upload', { id: 'ev-1', subject: { digest: D1 } }),
      entry('signoff', { id: 'b', release }),
    ];
    expect(releaseEntries(entries, release, judged).map(e => e.seq)).toEqual(
      entries.map(e => e.seq),
    );
  });
});

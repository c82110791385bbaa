import { createTestDatabases } from '../__testUtils__/databases';
import { markVerdictsChanged, NewVerdict, VerdictStore } from './VerdictStore';
import { migrateToLatest } from './migrations';
import { Ledger } from './Ledger';
import { DatabaseRunbookStore } from './DatabaseRunbookStore';

const databases = createTestDatabases();
const REF = 'component:default/rco';

const verdict = (
  over: Partial<NewVerdict> & { basisSeq: number; readAt: Date },
): NewVerdict => ({
  entityRef: REF,
  environment: '',
  release: { version: '1.0.0' },
  ready: false,
  gates: [{ id: 'image-scanning', title: 'Scan', status: 'fail' }],
  summary: {
    passing: 0,
    total: 1,
    blockedBy: ['image-scanning'],
    waived: [],
    ready: false,
    text: '',
  },
  judged: { note: 'x' },
  judgedAt: over.readAt,
  readSeq: over.readAt.getTime(),
  judgedChanges: 0,
  configDigest: 'digest-1',
  ...over,
});

describe.each(databases.eachSupportedId())('VerdictStore on %s', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    await migrateToLatest(knex);
    return { knex, store: new VerdictStore(knex) };
  }

  it('keeps the verdict computed from the newest inputs, whichever is stored last', async () => {
    const { store: s } = await store();
    const t = (ms: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0, ms));
    expect(await s.replace(REF, [verdict({ basisSeq: 5, readAt: t(0) })])).toBe(
      true,
    );
    // A computation that saw an older ledger (started before the write) loses.
    expect(
      await s.replace(REF, [
        verdict({ basisSeq: 4, readAt: t(500), judged: { note: 'old' } }),
      ]),
    ).toBe(false);
    // Same ledger, read earlier: loses; read later: wins.
    expect(
      await s.replace(REF, [verdict({ basisSeq: 5, readAt: t(-1) })]),
    ).toBe(false);
    expect(
      await s.replace(REF, [
        verdict({ basisSeq: 5, readAt: t(1), judged: { note: 'newer' } }),
      ]),
    ).toBe(true);
    const [row] = await s.forEntity(REF);
    expect(row.judged).toEqual({ note: 'newer' });
    expect(row.basisSeq).toBe(5);
  });

  it('refuses a verdict computed before a write outside the ledger chain (collected evidence gone), whichever stores last', async () => {
    const { knex, store: s } = await store();
    await s.replace(REF, [
      verdict({ basisSeq: 0, readAt: new Date(1000), readSeq: 0 }),
    ]);
    const before = await s.mark(REF);
    const [prior] = await s.changedSince(0);
    // A collector marks the entity's evidence gone, in its own transaction.
    await knex('rco_evidence').insert({
      id: 'e1',
      entity_ref: REF,
      kind: 'trivy',
      sha256: 'x',
      source: 'cluster',
      submitter: 'collector:k',
      collected_at: new Date(),
      summary: '{}',
      raw: '{}',
      raw_format: 'json',
      raw_size: 2,
      dedupe_key: 'k1',
    } as any);
    await knex.transaction(tx => markVerdictsChanged(tx, ['e1']));
    const after = await s.mark(REF);
    expect(after.changes).toBe(before.changes + 1);
    // The portfolio's next look reads the row again (a new generation) and finds it overtaken.
    const [seen] = await s.changedSince(0);
    expect(seen.changes).toBe(seen.judgedChanges + 1);
    expect(seen.generation).toBeGreaterThan(prior.generation);
    expect(await s.changedSince(seen.generation)).toEqual([]);
    // Not current any more, and due for the scheduled run.
    const [row] = await s.forEntity(REF);
    expect(row.changes).not.toBe(row.judgedChanges);
    expect(await s.due(new Date(0), 'digest-1', 10)).toEqual([REF]);
    // The computation that marked before the write loses; the one after it wins.
    expect(
      await s.replace(REF, [
        verdict({
          basisSeq: before.basisSeq,
          readAt: new Date(5000),
          readSeq: before.readSeq,
          judgedChanges: before.changes,
        }),
      ]),
    ).toBe(false);
    expect(
      await s.replace(REF, [
        verdict({
          basisSeq: after.basisSeq,
          readAt: new Date(2000),
          readSeq: after.readSeq,
          judgedChanges: after.changes,
        }),
      ]),
    ).toBe(true);
    const [current] = await s.forEntity(REF);
    expect(current.changes).toBe(current.judgedChanges);
    expect(await s.due(new Date(0), 'digest-1', 10)).toEqual([]);
  });

  it('marks the verdict changed when another runbook version is made current (no ledger entry when it was stored before)', async () => {
    const { knex, store: s } = await store();
    await s.replace(REF, [
      verdict({ basisSeq: 0, readAt: new Date(), readSeq: 0 }),
    ]);
    const runbooks = DatabaseRunbookStore.create({ db: knex });
    const state = (currentHash: string) =>
      runbooks.saveState({
        entityRef: REF,
        currentHash,
        refreshedAt: new Date(),
      });
    // saveState says whether it changed the stored state (the scheduled refresh re-judges a
    // verdict only then).
    expect(await state('hash-1')).toBe(true);
    const [first] = await s.forEntity(REF);
    expect(first.changes).toBe(1);
    // The same version again changes nothing; a refresh that failed keeps it.
    expect(await state('hash-1')).toBe(false);
    expect(
      await runbooks.saveState({ entityRef: REF, refreshedAt: new Date() }),
    ).toBe(false);
    expect((await s.forEntity(REF))[0].changes).toBe(1);
    const broken = {
      entityRef: REF,
      refreshedAt: new Date(),
      error: {
        at: new Date(),
        source: 'runbook.yaml',
        problems: [{ path: 'metadata', message: 'is required' }],
      },
    };
    expect(await runbooks.saveState(broken)).toBe(true);
    expect(
      await runbooks.saveState({ ...broken, refreshedAt: new Date() }),
    ).toBe(false);
    expect(await state('hash-0')).toBe(true);
    const [after] = await s.forEntity(REF);
    expect(after.changes).toBe(2);
    expect(await s.due(new Date(0), 'digest-1', 10)).toEqual([REF]);
  });

  it('replaces every environment of an entity at once and raises the generation', async () => {
    const { store: s } = await store();
    const at = new Date();
    await s.replace(REF, [
      verdict({ basisSeq: 1, readAt: at }),
      verdict({ basisSeq: 1, readAt: at, environment: 'staging' }),
    ]);
    const first = await s.changedSince(0);
    expect(first.map(r => r.environment)).toEqual(['']);
    await s.replace(REF, [
      verdict({ basisSeq: 2, readAt: at, environment: '' }),
    ]);
    expect((await s.forEntity(REF)).map(r => r.environment)).toEqual(['']);
    const changed = await s.changedSince(first[0].generation);
    expect(changed).toHaveLength(1);
    expect(changed[0].generation).toBeGreaterThan(first[0].generation);
    expect(await s.changedSince(changed[0].generation)).toEqual([]);
  });

  it('names the verdicts time or another configuration has made due', async () => {
    const { store: s } = await store();
    const now = new Date();
    await s.replace('component:default/expired', [
      verdict({
        entityRef: 'component:default/expired',
        basisSeq: 0,
        readAt: now,
        validUntil: new Date(now.getTime() - 1),
      }),
    ]);
    await s.replace('component:default/current', [
      verdict({
        entityRef: 'component:default/current',
        basisSeq: 0,
        readAt: now,
        validUntil: new Date(now.getTime() + 60_000),
      }),
    ]);
    expect(await s.due(now, 'digest-1', 10)).toEqual([
      'component:default/expired',
    ]);
    expect((await s.due(now, 'digest-2', 10)).sort()).toEqual([
      'component:default/current',
      'component:default/expired',
    ]);
  });

  it('names a verdict behind its entity’s ledger (its recomputation was lost with an instance)', async () => {
    const { knex, store: s } = await store();
    const ledger = new Ledger(knex);
    const now = new Date();
    const entry = (entityRef: string) =>
      knex.transaction(tx =>
        ledger.append(tx, {
          entryType: 'test',
          entityRef,
          actor: 'user:default/alice',
          payload: {},
        }),
      );
    const { seq } = await entry('component:default/Behind');
    await s.replace('component:default/Behind', [
      verdict({
        entityRef: 'component:default/Behind',
        basisSeq: seq,
        readAt: now,
        validUntil: new Date(now.getTime() + 60_000),
      }),
    ]);
    expect(await s.due(now, 'digest-1', 10)).toEqual([]);
    await entry('component:default/Behind');
    expect(await s.due(now, 'digest-1', 10)).toEqual([
      'component:default/Behind',
    ]);
    // Removed however the ref is spelled.
    await s.remove(['component:default/behind']);
    expect(await s.forEntity('component:default/Behind')).toEqual([]);
  });
});

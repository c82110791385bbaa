import { mockServices } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../__testUtils__/databases';
import { reportObject } from '../__testUtils__/fakeCollector';
import { DatabaseCollectedEvidenceStore } from '../database/CollectedEvidenceStore';
import { DatabaseEvidenceStore } from '../database/DatabaseEvidenceStore';
import { Ledger } from '../database/Ledger';
import { reconcileLedger } from '../database/LedgerReconciler';
import { EvidenceService } from '../evidence/EvidenceService';
import { builtinParsers } from '../evidence/parsers';
import { CollectionHealth } from '@helix-portal/plugin-rco-node';
import { CollectionWriter } from './CollectionWriter';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const RCO = 'component:default/rco';
const place = {
  entityRef: RCO,
  name: 'rco',
  entityNamespace: 'default',
  environment: 'staging',
  namespace: 'default',
};
const collector = { id: 'fake', source: 'cluster' as const };
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 0, minutes));

async function setup(databaseId: any, observationGranularityMs?: number) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrations });
  const ledger = new Ledger(knex);
  const evidenceStore = new DatabaseEvidenceStore(knex, ledger);
  const writer = new CollectionWriter({
    evidenceService: new EvidenceService(evidenceStore, builtinParsers),
    evidenceStore,
    collected: new DatabaseCollectedEvidenceStore(knex, ledger),
    logger: mockServices.logger.mock(),
    observationGranularityMs,
  });
  const write = (
    versions: Array<[string, string]>,
    when: Date,
    health?: CollectionHealth[],
  ) =>
    writer.write(
      collector,
      versions.map(([uid, resourceVersion]) => ({
        place,
        object: reportObject(place, `report-${uid}`, { uid, resourceVersion }),
      })),
      when,
      health ? { places: [place], health } : undefined,
    );
  return { knex, evidenceStore, write };
}

describe.each(databases.eachSupportedId())('CollectionWriter on %s', id => {
  it('lists current objects newest first by when they appeared, not by when an observation last moved', async () => {
    // The rules read "the newest" as the first record (a restore drill, an AnalysisRun): an old
    // object whose observation just moved past the granularity must not come before a new one.
    const { evidenceStore, write } = await setup(id, 60 * 60_000);
    await write([['old', '1']], at(0));
    await write(
      [
        ['old', '1'],
        ['new', '1'],
      ],
      at(30),
    );
    await write(
      [
        ['old', '1'],
        ['new', '1'],
      ],
      at(61),
    );
    const rows = await evidenceStore.listForRelease(
      RCO,
      { environment: 'staging' },
      25,
    );
    expect(rows.map(r => r.provenance?.uid)).toEqual(['new', 'old']);
    expect(rows[1].provenance?.observedAt).toEqual(at(61));
  });

  it('stores a new object once; unchanged it only moves observed_at (one ledger entry), changed it adds a row, gone it stays', async () => {
    const { knex, evidenceStore, write } = await setup(id);
    const first = await write(
      [
        ['a', '1'],
        ['b', '1'],
      ],
      at(0),
    );
    expect(first).toMatchObject({ created: 2, observed: 0, ledgerEntries: 2 });
    const unchanged = await write(
      [
        ['a', '1'],
        ['b', '1'],
      ],
      at(5),
    );
    expect(unchanged).toMatchObject({
      created: 0,
      observed: 2,
      ledgerEntries: 1,
    });
    const [{ n }] = await knex('rco_evidence').count({ n: '*' });
    expect(Number(n)).toBe(2);
    const observed = await knex('rco_ledger').where({
      entry_type: 'evidence-observed',
    });
    expect(observed).toHaveLength(1);
    expect(JSON.parse(observed[0].payload)).toMatchObject({
      collector: 'fake',
      cluster: 'own-context',
      observedAt: at(5).toISOString(),
    });

    // a changed (resourceVersion 2), b deleted from the cluster.
    const changed = await write([['a', '2']], at(10));
    expect(changed).toMatchObject({ created: 1, observed: 0 });
    const records = await evidenceStore.list(RCO);
    expect(records).toHaveLength(3);
    const [newest] = records;
    expect(newest.provenance).toMatchObject({
      collector: 'fake',
      uid: 'a',
      resourceVersion: '2',
      kind: 'PolicyReport',
    });
    expect(newest.source).toBe('cluster');
    expect(newest.submitter).toBe('collector:fake');
    expect(newest.provenance!.firstObservedAt).toEqual(at(10));
    const b = records.find(r => r.provenance?.uid === 'b')!;
    expect(b.provenance!.observedAt).toEqual(at(5));
    expect(b.collectedAt).toEqual(at(0));
    expect(await reconcileLedger(knex)).toMatchObject({ problems: [] });
  });

  it('never moves an observation back (a slower replica writing an older run)', async () => {
    const { knex, write } = await setup(id);
    await write([['a', '1']], at(0));
    await write([['a', '1']], at(10));
    const late = await write([['a', '1']], at(5));
    expect(late).toMatchObject({ observed: 0, ledgerEntries: 0 });
    expect(await reconcileLedger(knex)).toMatchObject({ problems: [] });
  });

  it('moves an unchanged observation only past the granularity, but always for a version seen again', async () => {
    const { knex, evidenceStore, write } = await setup(id, 60 * 60_000);
    await write([['a', '1']], at(0));
    expect(await write([['a', '1']], at(30))).toMatchObject({
      unchanged: 1,
      observed: 0,
      ledgerEntries: 0,
    });
    expect(await write([['a', '1']], at(61))).toMatchObject({
      observed: 1,
      ledgerEntries: 1,
    });
    // Version 2, then back to 1 within the granularity: 1 is current again.
    await write([['a', '2']], at(70));
    expect(await write([['a', '1']], at(75))).toMatchObject({
      created: 0,
      observed: 1,
    });
    const [current] = await evidenceStore.listForRelease(
      RCO,
      { environment: 'staging' },
      25,
    );
    expect(current.provenance).toMatchObject({
      resourceVersion: '1',
      observedAt: at(75),
    });
    expect(await reconcileLedger(knex)).toMatchObject({ problems: [] });
  });

  it('marks gone what a full, successful list did not show; a failing list or another namespace’s failure marks nothing there', async () => {
    const { knex, evidenceStore, write } = await setup(id);
    const ok: CollectionHealth = {
      collector: 'fake',
      cluster: 'own-context',
      kind: 'PolicyReport',
      environments: ['staging'],
      ok: true,
    };
    await write(
      [
        ['a', '1'],
        ['b', '1'],
      ],
      at(0),
      [ok],
    );
    // Failing (whole kind, or the objects' namespace): nothing is judged gone.
    for (const failed of [
      { ...ok, ok: false, error: '503' },
      { ...ok, ok: false, error: '403', namespace: 'default' },
    ])
      expect(await write([['a', '1']], at(1), [ok, failed])).toMatchObject({
        gone: 0,
      });
    // Another namespace failing does not keep this one's deleted object.
    const elsewhere = { ...ok, ok: false, error: '403', namespace: 'other' };
    expect(await write([['a', '1']], at(2), [ok, elsewhere])).toMatchObject({
      gone: 1,
      // a's observation (granularity 0 here) and one evidence-gone entry.
      ledgerEntries: 2,
    });
    const current = await evidenceStore.listForRelease(
      RCO,
      { environment: 'staging' },
      25,
    );
    expect(current.map(r => r.provenance?.uid)).toEqual(['a']);
    expect(await write([['a', '1']], at(3), [ok])).toMatchObject({ gone: 0 });
    // b comes back: current again.
    await write(
      [
        ['a', '1'],
        ['b', '1'],
      ],
      at(4),
      [ok],
    );
    expect(
      (
        await evidenceStore.listForRelease(RCO, { environment: 'staging' }, 25)
      ).map(r => r.provenance?.uid),
    ).toEqual(expect.arrayContaining(['a', 'b']));
    expect(await reconcileLedger(knex)).toMatchObject({ problems: [] });
  });

  it('never marks gone an object still listed but claimed by no entity (R3 H1); without the uids listed, a note marks nothing', async () => {
    const { write } = await setup(id);
    const ok: CollectionHealth = {
      collector: 'fake',
      cluster: 'own-context',
      kind: 'PolicyReport',
      environments: ['staging'],
      ok: true,
    };
    const both: Array<[string, string]> = [
      ['a', '1'],
      ['b', '1'],
    ];
    await write(both, at(0), [ok]);
    // b still in the cluster (ambiguous, owner lookup capped): listed, not attributed.
    expect(
      await write([['a', '1']], at(1), [{ ...ok, listed: ['a', 'b'] }]),
    ).toMatchObject({ gone: 0 });
    // A collector that lists no uids but says some objects went unclaimed.
    expect(
      await write([['a', '1']], at(2), [
        { ...ok, note: '1 object(s) matched … attributed to none' },
      ]),
    ).toMatchObject({ gone: 0 });
    // b deleted: missing from the list.
    expect(
      await write([['a', '1']], at(3), [{ ...ok, listed: ['a'] }]),
    ).toMatchObject({ gone: 1 });
  });

  it('marks gone a deleted object of any kind a group row covers (Gatekeeper constraints, R3 M5)', async () => {
    const { evidenceStore, write } = await setup(id);
    const ok: CollectionHealth = {
      collector: 'fake',
      cluster: 'own-context',
      kind: 'PolicyReport',
      environments: ['staging'],
      ok: true,
    };
    await write(
      [
        ['a', '1'],
        ['b', '1'],
      ],
      at(0),
      [ok],
    );
    // A row named for the group, not for the stored objects' kind: without the evidence kind
    // it covers nothing.
    const group = { ...ok, kind: 'Group of kinds', listed: ['a'] };
    expect(await write([['a', '1']], at(1), [group])).toMatchObject({
      gone: 0,
    });
    expect(
      await write([['a', '1']], at(2), [
        { ...group, evidenceKind: 'policy-report' },
      ]),
    ).toMatchObject({ gone: 1 });
    expect(
      (
        await evidenceStore.listForRelease(RCO, { environment: 'staging' }, 25)
      ).map(r => r.provenance?.uid),
    ).toEqual(['a']);
  });

  it('a run that listed before another replica stored or observed an object does not mark it gone (R3 M1)', async () => {
    const { knex, write } = await setup(id);
    const collected = new DatabaseCollectedEvidenceStore(
      knex,
      new Ledger(knex),
    );
    await write([['a', '1']], at(0));
    // Replica B stores b at 4 and observes a at 4; replica A listed at 3 and saw neither.
    await write(
      [
        ['a', '1'],
        ['b', '1'],
      ],
      at(4),
    );
    const scope = {
      entityRef: RCO,
      environment: 'staging',
      kind: 'PolicyReport',
      exceptNamespaces: [],
      seen: [],
    };
    expect(await collected.gone('fake', 'own-context', [scope], at(3))).toBe(0);
    expect(await collected.gone('fake', 'own-context', [scope], at(5))).toBe(2);
  });
});

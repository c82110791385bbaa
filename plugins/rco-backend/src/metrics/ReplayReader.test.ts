import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateToLatest } from '../database/migrations';
import { emptyRecords, JudgementInputs, missingInput } from './inputs';
import { readsOf } from './replay';
import { ReplayReader } from './ReplayReader';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const RCO = 'component:default/rco';
const RCOT = 'component:default/rcot';
const NOW = new Date('2026-11-20T10:00:00Z');

const waiver = (id: string, gate: string): any => ({
  id,
  entity_ref: RCO,
  gate,
  environment: null,
  release_version: null,
  justification: `waives ${gate}`,
  granted_by: 'user:default/sam',
  created_at: NOW,
  expires_at: new Date(NOW.getTime() + 86_400_000),
});

const runbookRow = (entityRef: string, document: object) => ({
  entity_ref: entityRef,
  version: '1.3',
  content_hash: 'h'.repeat(64),
  title: 'RCO',
  status: 'approved',
  document_date: '2026-11-01',
  document: JSON.stringify(document),
  source: 'test',
  first_seen_at: NOW,
  last_seen_at: NOW,
});

async function setup(id: Parameters<typeof databases.init>[0]) {
  const knex: Knex = await databases.init(id);
  await migrateToLatest(knex);
  await knex('rco_waivers').insert([
    waiver('w-scan', 'image-scanning'),
    waiver('w-rto', 'rto-rpo-verification'),
  ]);
  await knex('rco_signoffs').insert({
    id: 's-dpo',
    entity_ref: RCO,
    role: 'dpo',
    decision: 'approved',
    release_version: '1.3.2',
    release_digest: 'sha256:abc',
    signer: 'user:default/dana',
    created_at: NOW,
  });
  // Two entities with the same runbook content: one document, read once.
  await knex('rco_runbook_versions').insert([
    runbookRow(RCO, { title: 'shared' }),
    runbookRow(RCOT, { title: 'shared' }),
  ]);
  return new ReplayReader(knex);
}

const inputs = (waivers: string[]): JudgementInputs => ({
  evidence: [],
  signoffs: ['s-dpo'],
  waivers,
  runbookHash: 'h'.repeat(64),
});

describe.each(databases.eachSupportedId())('ReplayReader.records on %s', id => {
  it('reads only the replayed gate’s waivers whole, knows the others exist, and skips sign-offs a non-sign-off gate never reads', async () => {
    const reader = await setup(id);
    const reads = readsOf({ gate: 'image-scanning', maxAge: 'P1D' });
    const judgement = { entityRef: RCO, inputs: inputs(['w-scan', 'w-rto']) };
    const loaded = await reader.records([judgement], reads);
    expect([...loaded.waivers.keys()]).toEqual(['w-scan']);
    expect(loaded.waivers.get('w-scan')?.justification).toBe(
      'waives image-scanning',
    );
    expect([...loaded.otherWaivers]).toEqual(['w-rto']);
    expect(loaded.signoffs.size).toBe(0);
    expect(missingInput(RCO, judgement.inputs, loaded, reads)).toBeUndefined();
    expect(loaded.runbooks.get(`${RCO} ${'h'.repeat(64)}`)).toEqual({
      title: 'shared',
    });
    expect(loaded.runbooks.get(`${RCOT} ${'h'.repeat(64)}`)).toEqual({
      title: 'shared',
    });
  });

  it('knows a runbook version only for the entities that have it, when entities share one inputs object', async () => {
    const reader = await setup(id);
    const reads = readsOf({ gate: 'image-scanning', maxAge: 'P1D' });
    // listWithInputs parses identical inputs text once: the same object for several entities.
    const shared = inputs(['w-scan']);
    const OTHER = 'component:default/other';
    const judgements = [RCO, OTHER, RCOT, OTHER].map(entityRef => ({
      entityRef,
      inputs: shared,
    }));
    const loaded = await reader.records(judgements, reads);
    expect(missingInput(RCO, shared, loaded, reads)).toBeUndefined();
    expect(missingInput(RCOT, shared, loaded, reads)).toBeUndefined();
    expect(missingInput(OTHER, shared, loaded, reads)).toBe(
      `runbook ${'h'.repeat(12)} is no longer stored`,
    );
  });

  it('still finds a waiver that is no longer stored, of whatever gate: the judgement is not replayed', async () => {
    const reader = await setup(id);
    const reads = readsOf({ gate: 'image-scanning', maxAge: 'P1D' });
    const judgement = { entityRef: RCO, inputs: inputs(['w-scan', 'w-gone']) };
    const loaded = await reader.records([judgement], reads);
    expect(missingInput(RCO, judgement.inputs, loaded, reads)).toBe(
      'waiver w-gone is no longer stored',
    );
  });

  it('reads everything for the full baseline, and adds to what earlier slices loaded without reading it again', async () => {
    const reader = await setup(id);
    const reads = readsOf({ gate: 'image-scanning' });
    const judgement = { entityRef: RCO, inputs: inputs(['w-scan', 'w-rto']) };
    const loaded = await reader.records([judgement], reads, emptyRecords());
    expect([...loaded.waivers.keys()].sort()).toEqual(['w-rto', 'w-scan']);
    expect([...loaded.signoffs.keys()]).toEqual(['s-dpo']);
    // Already loaded: a second slice referring to the same records keeps the same objects.
    const before = loaded.waivers.get('w-scan');
    await reader.records([judgement], reads, loaded);
    expect(loaded.waivers.get('w-scan')).toBe(before);
    expect(missingInput(RCO, judgement.inputs, loaded, reads)).toBeUndefined();
  });
});

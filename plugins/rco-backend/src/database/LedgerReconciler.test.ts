import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { DecisionStore } from './DecisionStore';
import { Ledger } from './Ledger';
import { LedgerCheckpoints } from './LedgerCheckpoints';
import { reconcileLedger } from './LedgerReconciler';
import { OverrideStore } from './OverrideStore';
import { DatabaseTargetClaimStore } from './TargetClaimStore';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const RCO = 'component:default/rco';
const RELEASE = { version: '1.5.0', digest: `sha256:${'c'.repeat(64)}` };

async function setup(databaseId: any) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrations });
  const ledger = new Ledger(knex);
  const decisions = new DecisionStore(knex, ledger);
  const overrides = new OverrideStore(knex, ledger);
  const evidence = new DatabaseEvidenceStore(knex, ledger);
  await decisions.requestRelease(RCO, RELEASE, 'user:default/alice');
  const signoff = await decisions.addSignoff(RCO, {
    role: 'security',
    decision: 'rejected',
    release: RELEASE,
    signer: 'user:default/sam',
    comment: 'CVE open',
  });
  const waiver = await decisions.addWaiver(RCO, {
    gate: 'image-scanning',
    justification: 'Scanner outage',
    grantedBy: 'user:default/sam',
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  await decisions.revokeWaiver(waiver.id, 'user:default/sam');
  const override = await overrides.add({
    entityRef: RCO,
    environment: 'staging',
    release: RELEASE,
    justification: 'Hotfix INC-1',
    createdBy: 'user:default/mei',
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  await overrides.revoke(override.id, RCO, 'user:default/mei');
  const [upload] = await evidence.add([
    {
      entityRef: RCO,
      kind: 'backup',
      sha256: 'a'.repeat(64),
      subject: { environment: 'production' },
      source: 'ci',
      submitter: 'service:ci-rco',
      collectedAt: new Date(),
      summary: { status: 'fail', findings: [{ id: 'x', severity: 'HIGH' }] },
      raw: '{"masked":true}',
      rawFormat: 'json',
    } as any,
  ]);
  return {
    knex,
    ledger,
    signoff,
    waiver,
    override,
    evidenceId: upload.record.id,
  };
}

describe.each(databases.eachSupportedId())('reconcileLedger on %s', id => {
  it('finds nothing when every row was written by the stores', async () => {
    const { knex } = await setup(id);
    await expect(reconcileLedger(knex)).resolves.toEqual({
      rows: 5,
      problems: [],
    });
  });

  it('names rows inserted, edited or deleted with raw SQL, by table and id, never their content', async () => {
    const { knex, signoff, waiver, evidenceId } = await setup(id);
    await knex('rco_waivers').insert({
      id: 'forged-waiver',
      entity_ref: RCO,
      gate: 'secret-hygiene',
      environment: null,
      release_version: null,
      justification: 'nobody asked',
      granted_by: 'user:default/sam',
      created_at: new Date(),
      expires_at: new Date(Date.now() + 86_400_000),
    });
    await knex('rco_signoffs')
      .where({ id: signoff.id })
      .update({ decision: 'approved', comment: 'fine' });
    await knex('rco_waivers')
      .where({ id: waiver.id })
      .update({ revoked_at: null });
    await knex('rco_evidence').where({ id: evidenceId }).delete();
    const { problems } = await reconcileLedger(knex);
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          table: 'rco_waivers',
          entityRef: expect.any(String),
          id: 'forged-waiver',
          problem: 'no ledger entry',
        },
        {
          table: 'rco_signoffs',
          entityRef: expect.any(String),
          id: signoff.id,
          problem: expect.stringMatching(/\(comment, decision\)$/),
        },
        {
          table: 'rco_waivers',
          entityRef: expect.any(String),
          id: waiver.id,
          problem: expect.stringMatching(/\(revokedAt\)$/),
        },
        {
          table: 'rco_evidence',
          entityRef: expect.any(String),
          id: evidenceId,
          problem: expect.stringMatching(/^row of ledger entry \d+ is gone$/),
        },
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(JSON.stringify(problems)).not.toMatch(/nobody asked|fine/);
  });

  it('names a row moved to another entity', async () => {
    const { knex, override } = await setup(id);
    await knex('rco_overrides')
      .where({ id: override.id })
      .update({ entity_ref: 'component:default/payments' });
    const { problems } = await reconcileLedger(knex);
    expect(problems).toEqual([
      {
        table: 'rco_overrides',
        entityRef: expect.any(String),
        id: override.id,
        problem: expect.stringMatching(/\(entity_ref\)$/),
      },
    ]);
  });
  it('reconciles deploy target claims (ADR 0007) like the decisions', async () => {
    const { knex, ledger } = await setup(id);
    const claims = new DatabaseTargetClaimStore(knex, ledger);
    await claims.claim({
      targetKey: 'production||rco|helm|rco',
      entityRef: RCO,
      environment: 'production',
      namespace: 'rco',
      driver: 'helm',
      name: 'rco',
      claimedBy: 'user:default/alice',
    });
    expect((await reconcileLedger(knex)).problems).toEqual([]);
    // Someone hands the target to another entity in the database.
    await knex('rco_target_claims')
      .where({ target_key: 'production||rco|helm|rco' })
      .update({ entity_ref: 'component:default/payments' });
    expect((await reconcileLedger(knex)).problems).toEqual([
      {
        table: 'rco_target_claims',
        entityRef: expect.any(String),
        id: 'production||rco|helm|rco',
        problem: expect.stringMatching(/\(entity_ref, entityRef\)$/),
      },
    ]);
  });
});

describe.each(databases.eachSupportedId())('LedgerCheckpoints on %s', id => {
  it('signs heads with the key, and finds a checkpoint signed otherwise or naming a rewritten entry', async () => {
    const { knex, ledger } = await setup(id);
    const key = Buffer.from('k'.repeat(32));
    const checkpoints = new LedgerCheckpoints(key);
    const walk = await ledger.walkFromCheckpoints(knex, { signedOnly: true });
    expect(walk.broken.size).toBe(0);
    const [[chain, head]] = [...walk.heads];
    await checkpoints.save(knex, [{ chain, ...head }]);
    await expect(checkpoints.check(knex)).resolves.toEqual({
      checked: 1,
      problems: [],
      macAfter: 0,
    });
    // Nothing new since the checkpoint: nothing to hash.
    expect(
      (await ledger.walkFromCheckpoints(knex, { signedOnly: true })).entries,
    ).toBe(0);
    // Another instance with another key does not accept it.
    const other = new LedgerCheckpoints(Buffer.from('o'.repeat(32)));
    // Nor the signed record of all heads.
    expect((await other.check(knex)).problems).toEqual([
      {
        chain: '*',
        seq: 0,
        problem:
          'the signed record of all chain heads is not signed with the key, went back, or is gone',
      },
      {
        chain,
        seq: head.seq,
        problem: 'signature does not match: not written with the key',
      },
    ]);
    await knex('rco_ledger')
      .where({ seq: head.seq })
      .update({ hash: 'f'.repeat(64) });
    expect((await checkpoints.check(knex)).problems).toEqual([
      { chain, seq: head.seq, problem: 'the entry it names was rewritten' },
    ]);
  });

  it('does not trust unsigned checkpoints once a key is configured, and signs them', async () => {
    const { knex, ledger } = await setup(id);
    const unsigned = new LedgerCheckpoints();
    const all = await ledger.walkFromCheckpoints(knex, { signedOnly: false });
    const heads = [...all.heads].map(([chain, h]) => ({ chain, ...h }));
    await unsigned.save(knex, heads);
    expect(
      (await ledger.walkFromCheckpoints(knex, { signedOnly: false })).entries,
    ).toBe(0);
    // With a key the unsigned checkpoint is ignored: the chain is walked from its start.
    expect(
      (await ledger.walkFromCheckpoints(knex, { signedOnly: true })).entries,
    ).toBe(all.entries);
    const signed = new LedgerCheckpoints(Buffer.from('k'.repeat(32)));
    await signed.save(knex, heads);
    const [row] = await knex('rco_ledger_checkpoints').select('signature');
    expect(row.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(
      (await ledger.walkFromCheckpoints(knex, { signedOnly: true })).entries,
    ).toBe(0);
  });
});

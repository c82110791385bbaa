import { TestDatabaseId } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { readSample } from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  RCO,
  RELEASE,
  signOff,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { entryHash, GENESIS, Ledger } from '../database/Ledger';
import { toDate } from '../lib/canonicalJson';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/** The key only the backend's configuration holds (never the database). */
const KEY = 'test-checkpoint-key-0123456789abcdef0123456789';

async function start(
  databaseId: TestDatabaseId,
  ledger: Record<string, unknown> = {
    checkpointKey: KEY,
    onDemandInterval: 'PT0S',
  },
) {
  const knex = await databases.init(databaseId);
  const { app, backend } = await startOperationsBackend(knex, {
    rco: { ledger },
    logLevel: 'error',
  });
  return { knex, app, backend };
}

const verifyNow = async (app: any) =>
  (
    await request(app)
      .post('/api/rco/ledger/verify')
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body;

const stored = async (app: any) =>
  (
    await request(app)
      .get('/api/rco/ledger/verify')
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body;

/** Every kind of row the gates read, written the ordinary way, revocations included. */
async function history(app: any) {
  await request(app)
    .post(`${RCO}/evidence`)
    .set('Authorization', asService('external:ci-rco'))
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(readSample('velero-backup-completed.yaml')))
    .expect(201);
  await signOff(app);
  const waiver = await request(app)
    .post(`${RCO}/waivers`)
    .set('Authorization', asUser('sam'))
    .send({
      gate: 'image-scanning',
      justification: 'Scanner outage, judged by hand',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    })
    .expect(201);
  const override = await request(app)
    .post(`${RCO}/overrides`)
    .set('Authorization', asUser('mei'))
    .send({
      environment: 'staging',
      release: RELEASE,
      justification: 'Hotfix for incident INC-4711: calls dropped',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    })
    .expect(201);
  await request(app)
    .post(`/api/rco/overrides/${override.body.id}/revoke`)
    .set('Authorization', asUser('mei'))
    .expect(200);
  return { waiverId: waiver.body.id, overrideId: override.body.id };
}

/**
 * What a database writer who knows the algorithm (ADR 0004) does: rewrites one entry and
 * recomputes the hash of it and of every later entry of its chain, so the chain verifies again.
 */
async function rewriteAndRehash(
  knex: Knex,
  seq: number,
  payload: (p: any) => any,
) {
  const target = (await knex('rco_ledger').where({ seq }).first())!;
  const chain = await knex('rco_ledger')
    .where({ entity_ref: target.entity_ref })
    .andWhere('seq', '>=', seq)
    .orderBy('seq', 'asc');
  const before = await knex('rco_ledger')
    .where({ entity_ref: target.entity_ref })
    .andWhere('seq', '<', seq)
    .orderBy('seq', 'desc')
    .first();
  let prevHash: string = before?.hash ?? GENESIS;
  for (const row of chain) {
    const entry = {
      entryType: row.entry_type,
      entityRef: row.entity_ref ?? undefined,
      actor: row.actor,
      payload:
        row.seq === target.seq
          ? payload(JSON.parse(row.payload))
          : JSON.parse(row.payload),
      createdAt: toDate(row.created_at),
    };
    const hash = entryHash(prevHash, entry);
    await knex('rco_ledger')
      .where({ seq: row.seq })
      .update({
        payload: JSON.stringify(entry.payload),
        prev_hash: prevHash,
        hash,
      });
    prevHash = hash;
  }
}

describe('point 6: the ledger is the source of truth, and tampering by a database writer is found', () => {
  it.each(databases.eachSupportedId())(
    'a history written through the API reconciles: every row is its entry (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      const result = await verifyNow(app);
      expect(result).toMatchObject({ ok: true, problems: [], signed: true });
      const count = async (table: string) =>
        (await knex.schema.hasTable(table))
          ? Number((await knex(table).count({ n: '*' }))[0].n)
          : 0;
      let rows = 0;
      for (const table of [
        'rco_evidence',
        'rco_signoffs',
        'rco_release_requests',
        'rco_waivers',
        'rco_overrides',
        'rco_target_claims',
        'rco_runbook_versions',
      ])
        rows += await count(table);
      expect(result.rows).toBe(rows);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an approval inserted directly into the database counts unnoticed (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      await knex('rco_signoffs').insert({
        id: '00000000-0000-4000-8000-000000000001',
        entity_ref: 'component:default/rco',
        role: 'security',
        decision: 'approved',
        release_version: RELEASE.version,
        release_digest: RELEASE.digest,
        signer: 'user:default/sam',
        comment: null,
        revokes: null,
        created_at: new Date(),
      });
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([
        {
          table: 'rco_signoffs',
          entityRef: expect.any(String),
          id: '00000000-0000-4000-8000-000000000001',
          problem: 'no ledger entry',
        },
      ]);
      // Readers see the stored outcome; the status page's pillar with it.
      expect((await stored(app)).problems).toEqual(result.problems);
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a failing report's finding rank lowered in the database, so clean uploads push it out of what the gates read, goes unnoticed (%s)",
    async databaseId => {
      const { app, knex } = await start(databaseId);
      const leaks = JSON.stringify([
        {
          RuleID: 'generic-api-key',
          File: 'config/app.yaml',
          StartLine: 3,
          Secret: 'not-a-real-secret-value-123456',
          Fingerprint: 'abc:config/app.yaml:generic-api-key:3',
        },
      ]);
      const res = await request(app)
        .post(`${RCO}/evidence?kind=gitleaks&commit=${'e'.repeat(40)}`)
        .set('Authorization', asService('external:ci-rco'))
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.from(leaks))
        .expect(201);
      const id = res.body.items[0].id;
      const before = (await knex('rco_evidence').where({ id }).first())!;
      expect(Number(before.finding_rank)).toBeGreaterThan(0);
      expect((await verifyNow(app)).ok).toBe(true);
      await knex('rco_evidence').where({ id }).update({ finding_rank: 0 });
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([
        expect.objectContaining({
          table: 'rco_evidence',
          entityRef: expect.any(String),
          id,
          problem: expect.stringMatching(/\(findingRank\)$/),
        }),
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: edits in the database (a waiver extended, evidence made clean, an override un-revoked, a requester deleted) go unnoticed (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      const { waiverId, overrideId } = await history(app);
      const [evidence] = await knex('rco_evidence').select('id', 'summary');
      const [request1] = await knex('rco_release_requests').select('id');
      await knex('rco_waivers')
        .where({ id: waiverId })
        .update({ expires_at: new Date('2099-01-01T00:00:00Z') });
      await knex('rco_evidence')
        .where({ id: evidence.id })
        .update({ summary: JSON.stringify({ status: 'pass' }) });
      await knex('rco_overrides')
        .where({ id: overrideId })
        .update({ revoked_at: null, revoked_by: null });
      await knex('rco_release_requests').where({ id: request1.id }).delete();
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      const byTable = Object.fromEntries(
        result.problems.map((p: any) => [p.table, p]),
      );
      expect(byTable.rco_waivers).toMatchObject({
        id: waiverId,
        problem: expect.stringMatching(
          /differs from its ledger entry \d+ \(expiresAt\)/,
        ),
      });
      expect(byTable.rco_evidence).toMatchObject({
        id: evidence.id,
        problem: expect.stringMatching(/\(summary\)$/),
      });
      expect(byTable.rco_overrides).toMatchObject({
        id: overrideId,
        problem: expect.stringMatching(/\(revokedAt, revokedBy\)$/),
      });
      expect(byTable.rco_release_requests).toMatchObject({
        id: `component:default/rco ${RELEASE.version}@${RELEASE.digest}`,
        problem: expect.stringMatching(/^row of ledger entry \d+ is gone$/),
      });
      expect(result.problems).toHaveLength(4);
      // Nothing of the rows' content is echoed.
      expect(JSON.stringify(result)).not.toMatch(/2099|pass/);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an entry rewritten with every later hash of its chain recomputed passes as intact (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      expect((await verifyNow(app)).ok).toBe(true); // checkpoints signed here
      const rejected = (await knex('rco_ledger')
        .where({ entry_type: 'signoff' })
        .orderBy('seq', 'asc')
        .first())!;
      // The writer turns the entry and its row into something else, consistently.
      await rewriteAndRehash(knex, Number(rejected.seq), p => ({
        ...p,
        comment: 'rewritten',
      }));
      await knex('rco_signoffs')
        .where({ id: JSON.parse(rejected.payload).id })
        .update({ comment: 'rewritten' });
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([
        {
          chain: 'component:default/rco',
          seq: expect.any(Number),
          problem: 'checkpoint: the entry it names was rewritten',
        },
      ]);
      // The chain keeps its old checkpoint: the next run says so again.
      expect((await verifyNow(app)).problems).toEqual(result.problems);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a checkpoint moved to the rewritten head without the key (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      await verifyNow(app);
      const first = (await knex('rco_ledger').orderBy('seq', 'asc').first())!;
      await rewriteAndRehash(knex, Number(first.seq), p => ({
        ...p,
        sha256: 'f'.repeat(64),
      }));
      const head = (await knex('rco_ledger')
        .where({ entity_ref: first.entity_ref })
        .orderBy('seq', 'desc')
        .first())!;
      // Re-signed with a key of the writer's own (the database does not hold the real one).
      const createdAt = new Date();
      const signature = createHmac('sha256', 'a key of the writer')
        .update(
          JSON.stringify({
            chain: head.entity_ref,
            createdAt: createdAt.toISOString(),
            hash: head.hash,
            seq: Number(head.seq),
          }),
        )
        .digest('hex');
      await knex('rco_ledger_checkpoints')
        .where({ chain: head.entity_ref! })
        .update({
          hash: head.hash,
          seq: head.seq,
          signature,
          created_at: createdAt,
        });
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        chain: 'component:default/rco',
        seq: Number(head.seq),
        problem:
          'checkpoint: signature does not match: not written with the key',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a checkpoint deleted so the rewritten chain is walked from its start (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      await verifyNow(app);
      const first = (await knex('rco_ledger').orderBy('seq', 'asc').first())!;
      await rewriteAndRehash(knex, Number(first.seq), p => ({
        ...p,
        submitter: 'user:default/mallory',
      }));
      await knex('rco_ledger_checkpoints').delete();
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        chain: 'component:default/rco',
        seq: expect.any(Number),
        problem: 'checkpoint: checkpoint removed',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an entry edited before its checkpoint, hashes left alone, is never looked at again (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId, {
        checkpointKey: KEY,
        onDemandInterval: 'PT0S',
        // The periodic full walk (default daily), on every run here.
        fullVerificationInterval: 'PT0S',
      });
      await history(app);
      expect((await verifyNow(app)).ok).toBe(true);
      const [, second] = await knex('rco_ledger').orderBy('seq', 'asc');
      await knex('rco_ledger')
        .where({ seq: second.seq })
        .update({ actor: 'user:default/mallory' });
      const result = await verifyNow(app);
      expect(result).toMatchObject({
        ok: false,
        full: true,
        firstBroken: {
          seq: Number(second.seq),
          reason: 'content does not match its hash',
        },
      });
      expect(result.problems).toContainEqual({
        chain: 'component:default/rco',
        seq: Number(second.seq),
        problem: 'content does not match its hash',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'hashes only what was appended since the last checkpoint (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      const total = Number((await knex('rco_ledger').count({ n: '*' }))[0].n);
      expect(await verifyNow(app)).toMatchObject({
        entries: total,
        full: true,
      });
      expect(await verifyNow(app)).toMatchObject({ entries: 0, full: false });
      await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'secret-hygiene',
          justification: 'Scanner outage, judged by hand',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        })
        .expect(201);
      const third = await verifyNow(app);
      expect(third).toMatchObject({ ok: true, entries: 1 });
    },
  );

  it.each(databases.eachSupportedId())(
    'without a key says plainly that a writer who recomputes the hashes is not found (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId, {
        onDemandInterval: 'PT0S',
      });
      await history(app);
      const first = await verifyNow(app);
      expect(first).toMatchObject({ ok: true, signed: false });
      expect(first.cannotDetect[0]).toMatch(
        /no checkpoint key is configured .*recompute the hashes is not detected/,
      );
      const unsigned = await knex('rco_ledger_checkpoints').select('signature');
      expect(unsigned.every((c: any) => c.signature === null)).toBe(true);
    },
  );
});

describe('point 9: GET /ledger/verify cannot be used to burn CPU', () => {
  it.each(databases.eachSupportedId())(
    'refuses: many concurrent requests each re-hash the whole ledger (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId, {
        checkpointKey: KEY,
        onDemandInterval: 'PT1M',
      });
      await history(app);
      const runs = async () =>
        Number((await knex('rco_ledger_verifications').count({ n: '*' }))[0].n);
      // Reads never verify: they answer with the stored outcome.
      const reads = await Promise.all(
        Array.from({ length: 40 }, () =>
          request(app)
            .get('/api/rco/ledger/verify')
            .set('Authorization', asUser('bob')),
        ),
      );
      expect(reads.every(r => r.status === 200 && r.body.ok === false)).toBe(
        true,
      );
      expect(reads[0].body.problems[0].problem).toMatch(/not verified yet/);
      expect(await runs()).toBe(0);
      // Runs on demand are single-flight and at most one per interval.
      const asked = await Promise.all(
        Array.from({ length: 20 }, () =>
          request(app)
            .post('/api/rco/ledger/verify')
            .set('Authorization', asUser('bob')),
        ),
      );
      expect(await runs()).toBe(1);
      const ranAt = new Set(asked.map(r => r.body.ranAt));
      expect([...ranAt].filter(Boolean)).toHaveLength(1);
      const again = await verifyNow(app);
      expect(await runs()).toBe(1);
      expect(again.ranAt).toBe([...ranAt].find(Boolean));
      expect((await stored(app)).ranAt).toBe(again.ranAt);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: status pages re-hash the ledger on every instance (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      await history(app);
      const walks = jest.spyOn(Ledger.prototype, 'walkFromCheckpoints');
      const fullWalks = jest.spyOn(Ledger.prototype, 'verify');
      try {
        const pages = await Promise.all(
          Array.from({ length: 10 }, () =>
            request(app)
              .get(
                `${RCO}/status?version=${RELEASE.version}&digest=${RELEASE.digest}`,
              )
              .set('Authorization', asUser('alice')),
          ),
        );
        expect(pages.every(p => p.status === 200)).toBe(true);
        expect(walks).not.toHaveBeenCalled();
        expect(fullWalks).not.toHaveBeenCalled();
      } finally {
        walks.mockRestore();
        fullWalks.mockRestore();
      }
    },
  );
});

/** The status page's "Ledger verifies" requirement, as a user sees it. */
async function ledgerPillar(app: any) {
  const status = await request(app)
    .get(`${RCO}/status?version=${RELEASE.version}&digest=${RELEASE.digest}`)
    .set('Authorization', asUser('alice'))
    .expect(200);
  return status.body.pillars
    .flatMap((p: any) => p.requirements)
    .find((r: any) => r.requirement === 'Ledger verifies');
}

describe('point 6: a forged entry appended at the end of a chain', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a database writer appends a sign-off row and its entry, hashed with the published entryHash (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      expect((await verifyNow(app)).ok).toBe(true);
      const entityRef = 'component:default/rco';
      const head = (await knex('rco_ledger')
        .where({ entity_ref: entityRef })
        .orderBy('seq', 'desc')
        .first())!;
      const createdAt = new Date();
      const payload = {
        id: '00000000-0000-4000-8000-000000000002',
        role: 'security',
        decision: 'approved',
        release: RELEASE,
        signer: 'user:default/sam',
        comment: null,
        revokes: null,
        createdAt: createdAt.toISOString(),
      };
      await knex('rco_signoffs').insert({
        id: payload.id,
        entity_ref: entityRef,
        role: 'security',
        decision: 'approved',
        release_version: RELEASE.version,
        release_digest: RELEASE.digest,
        signer: 'user:default/sam',
        comment: null,
        revokes: null,
        created_at: createdAt,
      });
      const entry = {
        entryType: 'signoff',
        entityRef,
        actor: 'user:default/sam',
        payload,
        createdAt,
      };
      await knex('rco_ledger').insert({
        entry_type: entry.entryType,
        entity_ref: entityRef,
        actor: entry.actor,
        payload: JSON.stringify(payload),
        prev_hash: head.hash,
        hash: entryHash(head.hash, entry),
        created_at: createdAt,
      });
      const forged = (await knex('rco_ledger').orderBy('seq', 'desc').first())!;
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        chain: entityRef,
        seq: Number(forged.seq),
        problem:
          'entry not authenticated: its mac was not written with the key',
      });
      // Never signed into a checkpoint: the next run reports it again.
      const checkpoint = (await knex('rco_ledger_checkpoints')
        .where({ chain: entityRef })
        .first())!;
      expect(Number(checkpoint.seq)).toBeLessThan(Number(forged.seq));
      expect((await verifyNow(app)).problems).toEqual(result.problems);
    },
  );
});

describe('point 6: a rewritten chain behind an unsigned or deleted checkpoint', () => {
  it.each(databases.eachSupportedId())(
    'refuses: the checkpoint signature set NULL so the rewritten chain is walked and re-signed (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      expect((await verifyNow(app)).ok).toBe(true);
      const first = (await knex('rco_ledger').orderBy('seq', 'asc').first())!;
      await rewriteAndRehash(knex, Number(first.seq), p => ({
        ...p,
        submitter: 'user:default/mallory',
      }));
      await knex('rco_evidence')
        .where({ id: JSON.parse(first.payload).id })
        .update({ submitter: 'user:default/mallory' });
      // The checkpoint moved to the rewritten head, its signature dropped.
      const head = (await knex('rco_ledger')
        .where({ entity_ref: first.entity_ref })
        .orderBy('seq', 'desc')
        .first())!;
      await knex('rco_ledger_checkpoints')
        .where({ chain: first.entity_ref! })
        .update({ hash: head.hash, seq: head.seq, signature: null });
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        chain: 'component:default/rco',
        seq: expect.any(Number),
        problem: 'checkpoint: not signed with the key',
      });
      // Never silently re-signed: the next run says the same.
      expect((await verifyNow(app)).ok).toBe(false);
      const after = (await knex('rco_ledger_checkpoints')
        .where({ chain: first.entity_ref! })
        .first())!;
      expect(after.signature).toBeNull();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: the checkpoints deleted and the instance restarted, so nothing remembers them (%s)',
    async databaseId => {
      const { app, knex, backend } = await start(databaseId);
      await history(app);
      expect((await verifyNow(app)).ok).toBe(true);
      await backend.stop();
      const first = (await knex('rco_ledger').orderBy('seq', 'asc').first())!;
      await rewriteAndRehash(knex, Number(first.seq), p => ({
        ...p,
        submitter: 'user:default/mallory',
      }));
      await knex('rco_evidence')
        .where({ id: JSON.parse(first.payload).id })
        .update({ submitter: 'user:default/mallory' });
      await knex('rco_ledger_checkpoints').delete();
      const restarted = await startOperationsBackend(knex, {
        rco: { ledger: { checkpointKey: KEY, onDemandInterval: 'PT0S' } },
        logLevel: 'error',
      });
      const result = await verifyNow(restarted.app);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        chain: 'component:default/rco',
        seq: expect.any(Number),
        problem: 'checkpoint: checkpoint removed',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a checkpoint rolled back to an older signed copy after a restart, tail entries deleted (%s)',
    async databaseId => {
      const { app, knex, backend } = await start(databaseId);
      await history(app);
      expect((await verifyNow(app)).ok).toBe(true);
      const older = await knex('rco_ledger_checkpoints').select();
      await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'secret-hygiene',
          justification: 'Scanner outage, judged by hand',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        })
        .expect(201);
      expect((await verifyNow(app)).ok).toBe(true);
      await backend.stop();
      // The writer removes the new waiver and its entry and restores the older checkpoint.
      const newest = (await knex('rco_ledger').orderBy('seq', 'desc').first())!;
      await knex('rco_ledger').where({ seq: newest.seq }).delete();
      await knex('rco_waivers')
        .where({ id: JSON.parse(newest.payload).id })
        .delete();
      await knex('rco_ledger_checkpoints').delete();
      await knex('rco_ledger_checkpoints').insert(older);
      const restarted = await startOperationsBackend(knex, {
        rco: { ledger: { checkpointKey: KEY, onDemandInterval: 'PT0S' } },
        logLevel: 'error',
      });
      const result = await verifyNow(restarted.app);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        chain: 'component:default/rco',
        seq: expect.any(Number),
        problem: expect.stringMatching(
          /^checkpoint: differs from the signed record of all chain heads/,
        ),
      });
    },
  );
});

describe('point 6: the stored verification result', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a row inserted into rco_ledger_verifications with ok: true makes the ledger read as verified (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await history(app);
      const now = new Date();
      await knex('rco_ledger_verifications').insert({
        started_at: now,
        finished_at: now,
        ok: true,
        result: JSON.stringify({
          ok: true,
          ranAt: now.toISOString(),
          entries: 1,
          checkpoints: 0,
          rows: 0,
          signed: true,
          full: true,
          problems: [],
          cannotDetect: [],
        }),
      });
      const read = await stored(app);
      expect(read.ok).toBe(false);
      expect(read.problems).toEqual([
        {
          problem:
            'the stored verification result is not signed with the key: not trusted',
        },
      ]);
      expect(await ledgerPillar(app)).toMatchObject({ met: false });
    },
  );

  it.each(databases.eachSupportedId())(
    'a run the backend stored itself reads as verified, on the status page too (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      await history(app);
      expect((await verifyNow(app)).ok).toBe(true);
      expect(await stored(app)).toMatchObject({ ok: true, signed: true });
      expect(await ledgerPillar(app)).toMatchObject({ met: true });
    },
  );

  it.each(databases.eachSupportedId())(
    'without a key says that the stored result itself can be forged (%s)',
    async databaseId => {
      const { app } = await start(databaseId, { onDemandInterval: 'PT0S' });
      await history(app);
      await verifyNow(app);
      const read = await stored(app);
      expect(read.signed).toBe(false);
      expect(read.cannotDetect.join(' ')).toMatch(
        /stored verification result can be forged/,
      );
    },
  );
});

describe('point 6: runbooks the gates read are in the ledger', () => {
  it.each(databases.eachSupportedId())(
    'refuses: rco_runbook_versions.document edited (targets.rpo → P3650D) goes unnoticed (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await request(app)
        .get(`${RCO}/runbook`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      await history(app);
      const [version] = await knex('rco_runbook_versions').select(
        'id',
        'document',
      );
      expect(version).toBeDefined();
      expect((await verifyNow(app)).ok).toBe(true);
      const document = JSON.parse(version.document);
      document.targets = { ...document.targets, rpo: 'P3650D' };
      await knex('rco_runbook_versions')
        .where({ id: version.id })
        .update({ document: JSON.stringify(document) });
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([
        {
          table: 'rco_runbook_versions',
          entityRef: expect.any(String),
          id: String(version.id),
          problem: expect.stringMatching(
            /^differs from its ledger entry \d+ \(documentHash\)$/,
          ),
        },
      ]);
      expect(JSON.stringify(result)).not.toMatch(/P3650D/);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a runbook version inserted directly into the database is read by the gates unnoticed (%s)',
    async databaseId => {
      const { app, knex } = await start(databaseId);
      await request(app)
        .get(`${RCO}/runbook`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const [version] = await knex('rco_runbook_versions').select();
      const { id: _id, ...copy } = version;
      await knex('rco_runbook_versions').insert({
        ...copy,
        content_hash: 'e'.repeat(64),
      });
      const result = await verifyNow(app);
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        table: 'rco_runbook_versions',
        entityRef: expect.any(String),
        id: expect.any(String),
        problem: 'no ledger entry',
      });
    },
  );
});

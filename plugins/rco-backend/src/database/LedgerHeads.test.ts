import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../__testUtils__/databases';
import { entryHash, Ledger } from './Ledger';
import { LedgerHeads } from './LedgerHeads';
import { LedgerVerifications, NOT_TRUSTED } from './LedgerVerifications';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const KEY = Buffer.from('k'.repeat(32));
const RCO = 'component:default/rco';

async function setup(databaseId: any) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrations });
  return knex;
}

describe.each(databases.eachSupportedId())(
  'ledger authentication on %s',
  id => {
    it('entries written with the key carry a mac; one appended without it breaks its chain after macAfter only', async () => {
      const knex = await setup(id);
      const ledger = new Ledger(knex, KEY);
      const first = await knex.transaction(tx =>
        ledger.append(tx, {
          entryType: 'note',
          entityRef: RCO,
          actor: 'user:default/alice',
          payload: { n: 1 },
        }),
      );
      expect(first.mac).toMatch(/^[0-9a-f]{64}$/);
      const createdAt = new Date();
      const forged = {
        entryType: 'note',
        entityRef: RCO,
        actor: 'user:default/mallory',
        payload: { n: 2 },
        createdAt,
      };
      await knex('rco_ledger').insert({
        entry_type: forged.entryType,
        entity_ref: RCO,
        actor: forged.actor,
        payload: JSON.stringify(forged.payload),
        prev_hash: first.hash,
        hash: entryHash(first.hash, forged),
        created_at: createdAt,
      });
      const walk = await ledger.walkFromCheckpoints(knex, { signedOnly: true });
      expect(walk.broken.get(RCO)).toEqual({
        seq: first.seq + 1,
        reason: 'entry not authenticated: its mac was not written with the key',
      });
      // Entries up to macAfter were written before a key was configured: no mac is asked of them.
      const legacy = await ledger.walkFromCheckpoints(knex, {
        signedOnly: true,
        macAfter: first.seq + 1,
      });
      expect(legacy.broken.size).toBe(0);
      // Without a key nothing is authenticated.
      const unkeyed = await new Ledger(knex).walkFromCheckpoints(knex, {
        signedOnly: false,
      });
      expect(unkeyed.broken.size).toBe(0);
    });

    it('the signed record of all heads: grows, merges forward, and is not accepted when edited, older or gone', async () => {
      const knex = await setup(id);
      const heads = new LedgerHeads(KEY);
      expect(await heads.read(knex)).toBeUndefined();
      await heads.write(knex, { [RCO]: { seq: 3, hash: 'a'.repeat(64) } }, 2);
      const older = (await knex('rco_ledger_heads').first())!;
      await heads.write(
        knex,
        {
          [RCO]: { seq: 1, hash: 'b'.repeat(64) },
          '': { seq: 4, hash: 'c'.repeat(64) },
        },
        9,
      );
      expect(await heads.read(knex)).toEqual({
        counter: 2,
        // Fixed by the first record.
        macSince: 2,
        // A head never moves back.
        heads: {
          [RCO]: { seq: 3, hash: 'a'.repeat(64) },
          '': { seq: 4, hash: 'c'.repeat(64) },
        },
      });
      // Edited without the key.
      const current = (await knex('rco_ledger_heads').first())!;
      await knex('rco_ledger_heads').update({
        heads: JSON.stringify({ [RCO]: { seq: 3, hash: 'a'.repeat(64) } }),
      });
      expect(await heads.read(knex)).toBe('invalid');
      // A forged record is never signed over.
      await heads.write(knex, { x: { seq: 5, hash: 'd'.repeat(64) } }, 0);
      expect(
        JSON.parse((await knex('rco_ledger_heads').first())!.heads),
      ).toEqual({ [RCO]: { seq: 3, hash: 'a'.repeat(64) } });
      // An older genuine copy: found by an instance that saw the newer one...
      await knex('rco_ledger_heads').delete();
      await knex('rco_ledger_heads').insert(older);
      expect(await heads.read(knex)).toBe('invalid');
      // ...not by a fresh one (ADR 0004: what it does not prove).
      expect(await new LedgerHeads(KEY).read(knex)).toMatchObject({
        counter: 1,
      });
      // Gone after this instance saw it.
      await knex('rco_ledger_heads').delete();
      expect(await heads.read(knex)).toBe('invalid');
      await knex('rco_ledger_heads').insert(current);
      expect(
        await new LedgerHeads(Buffer.from('o'.repeat(32))).read(knex),
      ).toBe('invalid');
    });

    it('a stored verification outcome counts only when the backend signed it', async () => {
      const knex = await setup(id);
      const verifications = new LedgerVerifications(knex, KEY);
      await verifications.record({
        startedAt: new Date(),
        ok: false,
        result: { ok: false, problems: [{ problem: 'x' }] },
      });
      expect(await verifications.latest()).toMatchObject({ ok: false });
      await verifications.record({
        startedAt: new Date(),
        ok: true,
        result: { ok: true, problems: [] },
      });
      expect(await verifications.latest()).toMatchObject({ ok: true });
      const genuine = (await knex('rco_ledger_verifications')
        .orderBy('id', 'desc')
        .first())!;
      // A genuine row copied as a newer one: its signature names its old id.
      const { id: _id, ...copy } = genuine;
      await knex('rco_ledger_verifications').insert(copy);
      const untrusted = await verifications.latest();
      expect(untrusted).toMatchObject({
        ok: false,
        result: { problems: [{ problem: NOT_TRUSTED }] },
      });
      expect(untrusted!.startedAt.getTime()).toBe(0);
      // The newest rows deleted so that an older one is read: this instance saw a newer one.
      await knex('rco_ledger_verifications')
        .where('id', '>=', genuine.id)
        .delete();
      expect(await verifications.latest()).toMatchObject({
        ok: false,
        result: { problems: [{ problem: NOT_TRUSTED }] },
      });
      // Without a key there is nothing to check (the verifier says so in cannotDetect).
      const unkeyed = new LedgerVerifications(knex);
      await knex('rco_ledger_verifications').update({ ok: true });
      expect(await unkeyed.latest()).toMatchObject({ ok: true });
    });
  },
);

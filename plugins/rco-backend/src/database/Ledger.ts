import { Knex } from 'knex';
import { Tables } from 'knex/types/tables';
import { LedgerRow } from './tables';
import { canonicalJson, sha256, toDate } from '../lib/canonicalJson';
import { ledgerMac, ledgerMacMatches } from './LedgerMac';
import { LedgerVerifications, StoredVerification } from './LedgerVerifications';

export const GENESIS = '0'.repeat(64);

/** One ledger entry. */
export interface LedgerEntry {
  seq: number;
  entryType: string;
  entityRef?: string;
  actor: string;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** HMAC-SHA256 of the hash under the ledger key (absent without a key). */
  mac?: string;
  createdAt: Date;
}

/** Outcome of recomputing the chain. */
export interface LedgerVerification {
  ok: boolean;
  entries: number;
  firstBroken?: { seq: number; reason: string };
}

export const entryHash = (
  prevHash: string,
  entry: {
    entryType: string;
    entityRef?: string;
    actor: string;
    payload: unknown;
    createdAt: Date;
  },
) =>
  sha256(
    prevHash +
      canonicalJson({
        entryType: entry.entryType,
        entityRef: entry.entityRef ?? null,
        actor: entry.actor,
        payload: entry.payload,
        createdAt: entry.createdAt.toISOString(),
      }),
  );

/** What an incremental walk found (see Ledger.walkFromCheckpoints). */
export interface ChainWalk {
  /** Entries hashed. */
  entries: number;
  /** The new head of each chain that had new entries and verifies. */
  heads: Map<string, { seq: number; hash: string }>;
  /** Chains that break, with the first entry that does not hold. */
  broken: Map<string, { seq: number; reason: string }>;
  firstBroken?: { seq: number; reason: string };
}

const fromRow = (row: LedgerRow): LedgerEntry => ({
  seq: Number(row.seq),
  entryType: row.entry_type,
  entityRef: row.entity_ref ?? undefined,
  actor: row.actor,
  payload: JSON.parse(row.payload),
  prevHash: row.prev_hash,
  hash: row.hash,
  mac: row.mac ?? undefined,
  createdAt: toDate(row.created_at),
});

const MAC_PURPOSE = 'entry';

/** Tables whose rows have an id and the entity_ref of their ledger chain. */
type ChainedTable = {
  [T in keyof Tables]: Tables[T] extends { id: string; entity_ref: string }
    ? T
    : never;
}[keyof Tables];

/** Why an entry does not continue its chain from `prevHash`, or undefined if it does. */
const brokenBecause = (prevHash: string, entry: LedgerEntry) => {
  if (entry.prevHash !== prevHash)
    return 'prev_hash does not match the previous entry of its chain';
  if (entryHash(prevHash, entry) !== entry.hash)
    return 'content does not match its hash';
  return undefined;
};

/**
 * The append-only, hash-chained ledger: `hash = sha256(prev_hash ‖ canonical(entry))`. Entries
 * are appended inside the caller's transaction, so a decision and its ledger entry commit
 * together; on PostgreSQL an advisory lock per chain serialises its appenders so it never forks.
 */
export class Ledger {
  /** The chains each open transaction has locked already (one round trip less per append). */
  private readonly held = new WeakMap<Knex.Transaction, Set<string>>();
  private readonly verifications: LedgerVerifications;

  /**
   * `key` (rco.ledger.checkpointKey) authenticates every entry written: someone who can write the
   * database but does not hold the key cannot append or rewrite an entry that verifies.
   */
  constructor(private readonly db: Knex, private readonly key?: Buffer) {
    this.verifications = new LedgerVerifications(db, key);
  }

  /** Why an entry that must carry a mac does not, or undefined if it does. */
  private unauthenticated(entry: LedgerEntry) {
    if (!this.key) return undefined;
    return ledgerMacMatches(this.key, MAC_PURPOSE, entry.hash, entry.mac)
      ? undefined
      : 'entry not authenticated: its mac was not written with the key';
  }

  /**
   * Serialises the writers of one chain (one entity; entries without an entity form their own
   * chain): call it first in a transaction that will append, so concurrent transactions queue
   * here instead of deadlocking on rows they inserted before appending. Writers for different
   * entities do not wait for each other. A PostgreSQL advisory lock held until commit; SQLite
   * transactions are serial already.
   */
  async lock(tx: Knex.Transaction, entityRef: string | undefined) {
    if (tx.client.config.client !== 'pg') return;
    const key = `rco_ledger:${entityRef ?? ''}`;
    if (this.held.get(tx)?.has(key)) return; // held until this transaction ends
    await tx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
    this.remember(tx, key);
  }

  /**
   * Reads the row of `table` with this id and takes the lock of the chain its `entity_ref`
   * names, in one statement on PostgreSQL. The row is as it was when the statement began: a
   * writer that held the lock meanwhile may have changed it since.
   */
  async readLocked<T extends ChainedTable>(
    tx: Knex.Transaction,
    table: T,
    id: string,
  ): Promise<Tables[T] | undefined> {
    if (tx.client.config.client !== 'pg') {
      // Knex cannot resolve a row type for a table name that is itself generic: the row is T's.
      const row: Tables[T] | undefined = await tx(table as string)
        .where({ id })
        .first();
      if (row) await this.lock(tx, row.entity_ref);
      return row;
    }
    const { rows } = await tx.raw(
      `SELECT t.*, pg_advisory_xact_lock(hashtext('rco_ledger:' || coalesce(t.entity_ref, ''))) AS locked
       FROM ?? AS t WHERE t.id = ?`,
      [table, id],
    );
    const row = rows[0];
    if (!row) return undefined;
    delete row.locked;
    this.remember(tx, `rco_ledger:${row.entity_ref ?? ''}`);
    return row;
  }

  private remember(tx: Knex.Transaction, key: string) {
    const held = this.held.get(tx) ?? new Set<string>();
    held.add(key);
    this.held.set(tx, held);
  }

  async append(
    tx: Knex.Transaction,
    entry: {
      entryType: string;
      entityRef?: string;
      actor: string;
      payload: Record<string, unknown>;
    },
  ): Promise<LedgerEntry> {
    await this.lock(tx, entry.entityRef);
    const chain = tx('rco_ledger');
    if (entry.entityRef) chain.where({ entity_ref: entry.entityRef });
    else chain.whereNull('entity_ref');
    const last = await chain.orderBy('seq', 'desc').first('hash');
    const prevHash: string = last?.hash ?? GENESIS;
    // JavaScript dates carry milliseconds, which SQLite and PostgreSQL keep exactly.
    const createdAt = new Date();
    const hash = entryHash(prevHash, { ...entry, createdAt });
    const mac = this.key ? ledgerMac(this.key, MAC_PURPOSE, hash) : undefined;
    const [row] = await tx('rco_ledger')
      .insert({
        mac: mac ?? null,
        entry_type: entry.entryType,
        entity_ref: entry.entityRef ?? null,
        actor: entry.actor,
        payload: canonicalJson(entry.payload),
        prev_hash: prevHash,
        hash,
        created_at: createdAt,
      })
      .returning('seq');
    const seq = typeof row === 'object' ? Number(row.seq) : Number(row);
    return { seq, ...entry, prevHash, hash, mac, createdAt };
  }

  async list(
    options: {
      entityRef?: string;
      limit?: number;
      afterSeq?: number;
      entryType?: string;
    } = {},
    db: Knex = this.db,
  ): Promise<LedgerEntry[]> {
    const query = db('rco_ledger').orderBy('seq', 'asc');
    if (options.entityRef) query.where({ entity_ref: options.entityRef });
    if (options.entryType) query.where({ entry_type: options.entryType });
    if (options.afterSeq) query.where('seq', '>', options.afterSeq);
    if (options.limit) query.limit(options.limit);
    return (await query).map(fromRow);
  }

  /**
   * Runs `fn` on one consistent snapshot of the database (REPEATABLE READ on PostgreSQL; SQLite
   * transactions are serial): writers of different chains commit out of seq order, and pages read
   * at different moments could skip an entry that committed in between.
   */
  snapshot<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
    if (this.db.client.config.client === 'pg') {
      return this.db.transaction(tx => fn(tx), {
        isolationLevel: 'repeatable read',
        readOnly: true,
      });
    }
    return this.db.transaction(tx => fn(tx));
  }

  /**
   * Checks the entries appended since each chain's checkpoint (all of a chain that has none),
   * starting from the checkpoint's hash. Returns the new heads of the chains that verify, and
   * where the others break; a broken chain does not stop the others from being checked.
   * `signedOnly` ignores unsigned checkpoints (written before a key was configured); `full`
   * ignores all of them and re-hashes every chain from its start (an entry edited before its
   * chain's checkpoint without recomputing the later hashes is found only this way). With a key,
   * every entry after `macAfter` (the entries written before the key are not) must carry its mac.
   */
  async walkFromCheckpoints(
    db: Knex,
    options: { signedOnly: boolean; full?: boolean; macAfter?: number },
  ): Promise<ChainWalk> {
    const heads = new Map<string, { seq: number; hash: string }>();
    const broken = new Map<string, { seq: number; reason: string }>();
    let entries = 0;
    let firstBroken: ChainWalk['firstBroken'];
    for (let afterSeq = 0; ; ) {
      const page = await db('rco_ledger as l')
        .leftJoin('rco_ledger_checkpoints as c', join => {
          join.on('c.chain', '=', db.raw("coalesce(l.entity_ref, '')"));
          if (options.signedOnly) join.andOnNotNull('c.signature');
          if (options.full) join.andOn(db.raw('1 = 0'));
        })
        .where('l.seq', '>', afterSeq)
        .andWhere('l.seq', '>', db.raw('coalesce(c.seq, 0)'))
        .select('l.*', 'c.hash as checkpoint_hash')
        .orderBy('l.seq', 'asc')
        .limit(1000);
      if (page.length === 0) break;
      for (const row of page) {
        const entry = fromRow(row);
        const chain = entry.entityRef ?? '';
        if (broken.has(chain)) continue;
        entries++;
        const prevHash =
          heads.get(chain)?.hash ?? row.checkpoint_hash ?? GENESIS;
        const reason =
          brokenBecause(prevHash, entry) ??
          (entry.seq > (options.macAfter ?? 0)
            ? this.unauthenticated(entry)
            : undefined);
        if (reason) {
          broken.set(chain, { seq: entry.seq, reason });
          firstBroken ??= { seq: entry.seq, reason };
        } else heads.set(chain, { seq: entry.seq, hash: entry.hash });
      }
      afterSeq = Number(page[page.length - 1].seq);
    }
    return { entries, heads, broken, firstBroken };
  }

  /** Stores the outcome of a verification run, signed with the key (see LedgerVerifications). */
  recordVerification(run: { startedAt: Date; ok: boolean; result: object }) {
    return this.verifications.record(run);
  }

  /** The newest stored outcome; one not signed with the key reads as a failed verification. */
  latestVerification(): Promise<StoredVerification | undefined> {
    return this.verifications.latest();
  }

  /** Recomputes every hash from the beginning and names the first entry that does not match. */
  async verify(): Promise<LedgerVerification> {
    const walk = await this.snapshot(db =>
      this.walkFromCheckpoints(db, { signedOnly: false, full: true }),
    );
    return walk.firstBroken
      ? { ok: false, entries: walk.entries, firstBroken: walk.firstBroken }
      : { ok: true, entries: walk.entries };
  }
}

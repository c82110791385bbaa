import { Knex } from 'knex';
import { canonicalJson, sha256, toDate } from '../lib/canonicalJson';

const GENESIS = '0'.repeat(64);

/** One ledger entry. */
export interface LedgerEntry {
  seq: number;
  entryType: string;
  entityRef?: string;
  actor: string;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
  createdAt: Date;
}

/** Outcome of recomputing the chain. */
export interface LedgerVerification {
  ok: boolean;
  entries: number;
  firstBroken?: { seq: number; reason: string };
}

const entryHash = (
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

/**
 * The append-only, hash-chained ledger: `hash = sha256(prev_hash ‖ canonical(entry))`. Entries
 * are appended inside the caller's transaction, so a decision and its ledger entry commit
 * together; on PostgreSQL an advisory lock per chain serialises its appenders so it never forks.
 */
export class Ledger {
  /** The chains each open transaction has locked already (one round trip less per append). */
  private readonly held = new WeakMap<Knex.Transaction, Set<string>>();

  constructor(private readonly db: Knex) {}

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
  async readLocked(
    tx: Knex.Transaction,
    table: string,
    id: string,
  ): Promise<Record<string, any> | undefined> {
    if (tx.client.config.client !== 'pg') {
      const row = await tx(table).where({ id }).first();
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
    const [row] = await tx('rco_ledger')
      .insert({
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
    return { seq, ...entry, prevHash, hash, createdAt };
  }

  async list(
    options: { entityRef?: string; limit?: number; afterSeq?: number } = {},
    db: Knex = this.db,
  ): Promise<LedgerEntry[]> {
    const query = db('rco_ledger').orderBy('seq', 'asc');
    if (options.entityRef) query.where({ entity_ref: options.entityRef });
    if (options.afterSeq) query.where('seq', '>', options.afterSeq);
    if (options.limit) query.limit(options.limit);
    const rows = await query;
    return rows.map(row => ({
      seq: Number(row.seq),
      entryType: row.entry_type,
      entityRef: row.entity_ref ?? undefined,
      actor: row.actor,
      payload: JSON.parse(row.payload),
      prevHash: row.prev_hash,
      hash: row.hash,
      createdAt: toDate(row.created_at),
    }));
  }

  /** Recomputes every hash in order and names the first entry that does not match. */
  async verify(): Promise<LedgerVerification> {
    // One snapshot for the whole walk: writers of different chains commit out of seq order, and
    // pages read at different moments could skip an entry that committed in between.
    if (this.db.client.config.client === 'pg') {
      return this.db.transaction(tx => this.verifyWith(tx), {
        isolationLevel: 'repeatable read',
        readOnly: true,
      } as any);
    }
    return this.verifyWith(this.db);
  }

  private async verifyWith(db: Knex): Promise<LedgerVerification> {
    const lastOf = new Map<string, string>();
    let entries = 0;
    let afterSeq = 0;
    for (;;) {
      const page = await this.list({ afterSeq, limit: 1000 }, db);
      if (page.length === 0) break;
      for (const entry of page) {
        entries++;
        const chain = entry.entityRef ?? '';
        const prevHash = lastOf.get(chain) ?? GENESIS;
        if (entry.prevHash !== prevHash) {
          return {
            ok: false,
            entries,
            firstBroken: {
              seq: entry.seq,
              reason:
                'prev_hash does not match the previous entry of its chain',
            },
          };
        }
        if (entryHash(prevHash, entry) !== entry.hash) {
          return {
            ok: false,
            entries,
            firstBroken: {
              seq: entry.seq,
              reason: 'content does not match its hash',
            },
          };
        }
        lastOf.set(chain, entry.hash);
      }
      afterSeq = page[page.length - 1].seq;
    }
    return { ok: true, entries };
  }
}

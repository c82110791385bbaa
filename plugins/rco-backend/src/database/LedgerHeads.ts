import { Knex } from 'knex';
import { canonicalJson, sha256, toDate } from '../lib/canonicalJson';
import { ledgerMac, ledgerMacMatches } from './LedgerMac';

/** The checkpoint of each chain ('' is the chain of entries without an entity). */
export type Heads = Record<string, { seq: number; hash: string }>;

/** One signed record of every chain's checkpoint (rco_ledger_heads, ADR 0004). */
export interface HeadsRecord {
  /** Grows with every save: a record that goes back was restored from an older copy. */
  counter: number;
  /** Entries with a greater seq must carry a valid mac (older ones were written without a key). */
  macSince: number;
  heads: Heads;
}

const PURPOSE = 'heads';
const ID = 'heads';

const signed = (record: HeadsRecord, headsJson: string, createdAt: Date) =>
  canonicalJson({
    counter: record.counter,
    macSince: record.macSince,
    heads: sha256(headsJson),
    createdAt: createdAt.toISOString(),
  });

/**
 * Signed per-chain checkpoints prove each head, but not that a checkpoint row still exists or is
 * the newest: a writer can delete one, or put back an older signed copy. This record signs all
 * heads together with a counter, so a checkpoint deleted, rolled back or left unsigned differs
 * from it, also after a restart. Only a copy of the whole record, checkpoints and entries taken
 * together from an older backup passes, unless an instance saw a newer counter (ADR 0004).
 */
export class LedgerHeads {
  /** The highest counter this instance has seen. */
  private seen = 0;

  constructor(private readonly key: Buffer) {}

  /** The stored record: undefined if there is none, 'invalid' if it is not the key's or went back. */
  async read(db: Knex): Promise<HeadsRecord | undefined | 'invalid'> {
    const row = await db('rco_ledger_heads').where({ id: ID }).first();
    if (!row) return this.seen ? 'invalid' : undefined;
    const record: HeadsRecord = {
      counter: Number(row.counter),
      macSince: Number(row.mac_since),
      heads: JSON.parse(row.heads),
    };
    const text = signed(record, row.heads, toDate(row.created_at));
    if (!ledgerMacMatches(this.key, PURPOSE, text, row.signature)) {
      return 'invalid';
    }
    if (record.counter < this.seen) return 'invalid';
    this.seen = record.counter;
    return record;
  }

  /** Whether this instance has seen a record (a record gone since then is a problem). */
  get hasSeen() {
    return this.seen > 0;
  }

  /**
   * Stores `heads` over the stored record (a chain's head never moves back), in the caller's
   * transaction, which must hold the heads lock. Does nothing if the stored record is invalid:
   * a forged record is never signed over.
   */
  async write(db: Knex, heads: Heads, macSince: number) {
    const current = await this.read(db);
    if (current === 'invalid') return;
    const merged: Heads = { ...current?.heads };
    for (const [chain, head] of Object.entries(heads)) {
      if (!merged[chain] || merged[chain].seq < head.seq) merged[chain] = head;
    }
    const record: HeadsRecord = {
      counter: (current?.counter ?? 0) + 1,
      macSince: current?.macSince ?? macSince,
      heads: merged,
    };
    const headsJson = canonicalJson(merged);
    const createdAt = new Date();
    await db('rco_ledger_heads')
      .insert({
        id: ID,
        counter: record.counter,
        mac_since: record.macSince,
        heads: headsJson,
        created_at: createdAt,
        signature: ledgerMac(
          this.key,
          PURPOSE,
          signed(record, headsJson, createdAt),
        ),
      })
      .onConflict('id')
      .merge();
    this.seen = record.counter;
  }
}

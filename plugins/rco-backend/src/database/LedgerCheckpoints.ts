import { Knex } from 'knex';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson, toDate } from '../lib/canonicalJson';
import { Heads, HeadsRecord, LedgerHeads } from './LedgerHeads';

const HEADS_INVALID =
  'the signed record of all chain heads is not signed with the key, went back, or is gone';
const HEADS_MISSING =
  'the signed record of all chain heads is missing while signed checkpoints exist';

/** The newest entry of one chain ('' is the chain of entries without an entity). */
export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
}

/** A stored checkpoint that does not hold. */
export interface CheckpointProblem {
  chain: string;
  seq: number;
  problem: string;
}

/**
 * Signed checkpoints of the chain heads (ADR 0004). Someone who can write the database can
 * rewrite an entry and recompute every later hash of its chain, and the chain still verifies;
 * the checkpoint that names one of those entries does not, because its hash was signed with a key
 * the database does not hold (HMAC-SHA256). Without a key checkpoints are written unsigned: they
 * save work, and prove nothing against such a writer.
 */
export class LedgerCheckpoints {
  /**
   * The newest checkpoint seq of each chain this instance has seen: a checkpoint that goes back
   * (deleted, or restored from an older copy) is reported even though its signature is valid.
   */
  private readonly seen = new Map<string, number>();
  /** The signed record of all heads (with a key): rows deleted or rolled back differ from it. */
  private readonly heads?: LedgerHeads;

  constructor(private readonly key?: Buffer) {
    if (key) this.heads = new LedgerHeads(key);
  }

  get signed() {
    return this.key !== undefined;
  }

  private sign(head: ChainHead, createdAt: Date): string | null {
    if (!this.key) return null;
    return createHmac('sha256', this.key)
      .update(
        canonicalJson({
          chain: head.chain,
          seq: head.seq,
          hash: head.hash,
          createdAt: createdAt.toISOString(),
        }),
      )
      .digest('hex');
  }

  /**
   * Checks every stored checkpoint: its signature (when there is a key), and that the entry it
   * names is still in its chain with the hash it had. Chains with a problem must not be
   * checkpointed again, so the problem is reported on every run until someone looks.
   */
  async check(db: Knex): Promise<{
    checked: number;
    problems: CheckpointProblem[];
    /** Entries after this seq must carry a valid mac (see Ledger.walkFromCheckpoints). */
    macAfter: number;
  }> {
    const { record, problems, macAfter } = await this.checkRecord(db);
    const rows = await db('rco_ledger_checkpoints as c')
      .leftJoin('rco_ledger as l', 'l.seq', 'c.seq')
      .select(
        'c.chain',
        'c.seq',
        'c.hash',
        'c.signature',
        'c.created_at',
        'l.hash as entry_hash',
        'l.entity_ref as entry_chain',
      );
    const stored = new Set<string>();
    for (const row of rows) {
      const head = { chain: row.chain, seq: Number(row.seq), hash: row.hash };
      stored.add(head.chain);
      const before = problems.length;
      const report = (problem: string) =>
        problems.push({ chain: head.chain, seq: head.seq, problem });
      if (head.seq < (this.seen.get(head.chain) ?? 0)) {
        report(`checkpoint went back from entry ${this.seen.get(head.chain)}`);
      }
      // Unsigned checkpoints written before a key was configured are not trusted: the walk
      // starts from the chain's beginning instead, and the first signed run signs its head.
      // Once the heads record exists, an unsigned checkpoint is a problem, never re-signed.
      if (record && !row.signature) {
        report('not signed with the key');
        continue;
      }
      if (this.key && row.signature) {
        const expected = Buffer.from(
          this.sign(head, toDate(row.created_at))!,
          'hex',
        );
        const actual = Buffer.from(String(row.signature), 'hex');
        if (
          actual.length !== expected.length ||
          !timingSafeEqual(actual, expected)
        ) {
          report('signature does not match: not written with the key');
          continue;
        }
      }
      if (row.entry_hash === null || row.entry_hash === undefined) {
        report('the entry it names is gone');
      } else if (
        row.entry_hash !== head.hash ||
        (row.entry_chain ?? '') !== head.chain
      ) {
        report('the entry it names was rewritten');
      }
      const signedHead = record?.heads[head.chain];
      if (record && !signedHead) {
        report('not in the signed record of all chain heads');
      } else if (
        signedHead &&
        (signedHead.seq !== head.seq || signedHead.hash !== head.hash)
      ) {
        report(
          `differs from the signed record of all chain heads (entry ${signedHead.seq})`,
        );
      }
      if (problems.length === before) this.remember(head);
    }
    const removed = new Map(this.seen);
    for (const [chain, { seq }] of Object.entries(record?.heads ?? {})) {
      removed.set(chain, Math.max(seq, removed.get(chain) ?? 0));
    }
    for (const [chain, seq] of removed) {
      if (!stored.has(chain)) {
        problems.push({ chain, seq, problem: 'checkpoint removed' });
      }
    }
    return { checked: rows.length, problems, macAfter };
  }

  /**
   * Reads the signed record of all heads. Without one (the first run with a key) the entries
   * written before the key carry no mac: the record then fixes where macs begin, once.
   */
  private async checkRecord(db: Knex): Promise<{
    record?: HeadsRecord;
    problems: CheckpointProblem[];
    macAfter: number;
  }> {
    if (!this.heads) return { problems: [], macAfter: 0 };
    const record = await this.heads.read(db);
    if (record === 'invalid' || (!record && this.heads.hasSeen)) {
      return {
        problems: [{ chain: '*', seq: 0, problem: HEADS_INVALID }],
        macAfter: 0,
      };
    }
    if (record) return { record, problems: [], macAfter: record.macSince };
    const signedRow = await db('rco_ledger_checkpoints')
      .whereNotNull('signature')
      .first('chain');
    if (signedRow) {
      return {
        problems: [{ chain: '*', seq: 0, problem: HEADS_MISSING }],
        macAfter: 0,
      };
    }
    const firstMac = await db('rco_ledger')
      .whereNotNull('mac')
      .min({ seq: 'seq' })
      .first();
    const last = await db('rco_ledger').max({ seq: 'seq' }).first();
    const macAfter =
      firstMac?.seq !== null && firstMac?.seq !== undefined
        ? Number(firstMac.seq) - 1
        : Number(last?.seq ?? 0);
    return { problems: [], macAfter };
  }

  /**
   * Stores new heads; a stored checkpoint never moves back (two runs may overlap). With a key the
   * rows and the signed record of all heads are written in one transaction, under a lock, so the
   * record always names exactly the rows. `macAfter` is kept by the first record only.
   */
  async save(db: Knex, heads: ChainHead[], macAfter = 0) {
    if (!this.heads) {
      await this.saveRows(db, heads);
    } else {
      const signedHeads = this.heads;
      await db.transaction(async tx => {
        if (tx.client.config.client === 'pg') {
          await tx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [
            'rco_ledger_heads',
          ]);
        }
        await this.saveRows(tx, heads);
        const byChain: Heads = {};
        for (const { chain, seq, hash } of heads)
          byChain[chain] = { seq, hash };
        await signedHeads.write(tx, byChain, macAfter);
      });
    }
    heads.forEach(head => this.remember(head));
  }

  private async saveRows(db: Knex, heads: ChainHead[]) {
    const createdAt = new Date();
    for (let i = 0; i < heads.length; i += 200) {
      const batch = heads.slice(i, i + 200).map(head => ({
        chain: head.chain,
        seq: head.seq,
        hash: head.hash,
        signature: this.sign(head, createdAt),
        created_at: createdAt,
      }));
      await db('rco_ledger_checkpoints')
        .insert(batch)
        .onConflict('chain')
        .merge()
        .where(
          db.raw(
            'rco_ledger_checkpoints.seq < excluded.seq or (rco_ledger_checkpoints.signature is null and excluded.signature is not null)',
          ),
        );
    }
  }

  private remember(head: { chain: string; seq: number }) {
    this.seen.set(
      head.chain,
      Math.max(head.seq, this.seen.get(head.chain) ?? 0),
    );
  }
}

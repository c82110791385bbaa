import { Knex } from 'knex';
import { canonicalJson, toDate } from '../lib/canonicalJson';
import { ledgerMac, ledgerMacMatches } from './LedgerMac';

/** A stored verification outcome, as readers get it. */
export interface StoredVerification {
  startedAt: Date;
  finishedAt: Date;
  ok: boolean;
  result: any;
}

export const NOT_TRUSTED =
  'the stored verification result is not signed with the key: not trusted';

const PURPOSE = 'verification';

/** What is signed: the row's id too, so an older genuine outcome cannot be copied as a new row. */
const signed = (row: {
  id: unknown;
  started_at: unknown;
  finished_at: unknown;
  ok: unknown;
  result: string;
}) =>
  canonicalJson({
    id: String(row.id),
    startedAt: toDate(row.started_at as Date).toISOString(),
    finishedAt: toDate(row.finished_at as Date).toISOString(),
    ok: Boolean(row.ok),
    result: row.result,
  });

/**
 * The outcomes of verification runs (rco_ledger_verifications). With a key each row is signed,
 * so a row a database writer inserts or edits to say "ok" reads as not verified; readers also
 * refuse a newest row older than one this instance has seen (newer ones deleted).
 */
export class LedgerVerifications {
  private newestSeen = 0;

  constructor(private readonly db: Knex, private readonly key?: Buffer) {}

  async record(run: { startedAt: Date; ok: boolean; result: object }) {
    const row = {
      started_at: run.startedAt,
      finished_at: new Date(),
      ok: run.ok,
      result: JSON.stringify(run.result),
    };
    const [inserted] = await this.db('rco_ledger_verifications')
      .insert(row)
      .returning('id');
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    if (this.key) {
      await this.db('rco_ledger_verifications')
        .where({ id })
        .update({
          signature: ledgerMac(this.key, PURPOSE, signed({ id, ...row })),
        });
    }
    this.newestSeen = Math.max(this.newestSeen, Number(id));
    // Keep a short history: the newest run is what counts.
    const keep = await this.db('rco_ledger_verifications')
      .orderBy('id', 'desc')
      .offset(99)
      .first('id');
    if (keep) {
      await this.db('rco_ledger_verifications')
        .where('id', '<', keep.id)
        .delete();
    }
  }

  /** The newest outcome; with a key, one not signed with it reads as a failed verification. */
  async latest(): Promise<StoredVerification | undefined> {
    const row = await this.db('rco_ledger_verifications')
      .orderBy('id', 'desc')
      .first();
    if (!row) return this.newestSeen ? this.untrusted() : undefined;
    const startedAt = toDate(row.started_at);
    if (this.key) {
      if (
        !ledgerMacMatches(this.key, PURPOSE, signed(row), row.signature) ||
        Number(row.id) < this.newestSeen
      ) {
        return this.untrusted();
      }
      this.newestSeen = Number(row.id);
    }
    return {
      startedAt,
      finishedAt: toDate(row.finished_at),
      ok: Boolean(row.ok),
      result: JSON.parse(row.result),
    };
  }

  /** Dated at the epoch: an on-demand run never takes it for a recent run and skips itself. */
  private untrusted(): StoredVerification {
    return {
      startedAt: new Date(0),
      finishedAt: new Date(0),
      ok: false,
      result: {
        ok: false,
        entries: 0,
        checkpoints: 0,
        rows: 0,
        signed: true,
        full: false,
        problems: [{ problem: NOT_TRUSTED }],
        cannotDetect: [],
      },
    };
  }
}

import { Knex } from 'knex';
import type { JudgementInputs } from '../metrics/inputs';
import {
  GateStatus,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import { toDate } from '../lib/canonicalJson';
import { VerdictRow } from './tables';

/** One gate of a stored verdict, as the portfolio reads it. */
export interface StoredGate {
  id: string;
  title: string;
  status: GateStatus;
  /** When the gate's evidence ages out (a passing gate turns stale then). */
  expiresAt?: string;
  /** When the waiver that holds the gate ends. */
  waivedUntil?: string;
  /** When the rule's own deadline (the RPO) changes it. */
  changesAt?: string;
}

/** A stored verdict: one entity's newest release judged in one environment ('' = none). */
export interface StoredVerdict {
  entityRef: string;
  environment: string;
  release: { version?: string; digest?: string };
  runbookVersion?: string;
  ready: boolean;
  gates: StoredGate[];
  summary: ReleaseStatusResponse['summary'];
  /** What the status route serves from (JSON; its dates are ISO strings). */
  judged: unknown;
  validUntil?: Date;
  judgedAt: Date;
  /** When the computation read its inputs, and the newest ledger entry of the chain it saw. */
  readAt: Date;
  basisSeq: number;
  /** Order in which computations read their inputs (ties of basisSeq; no instance's clock). */
  readSeq: number;
  /** Writes outside the entity's ledger chain: counted, and the count this verdict saw. */
  changes: number;
  judgedChanges: number;
  configDigest: string;
  generation: number;
}

export type NewVerdict = Omit<StoredVerdict, 'generation' | 'changes'> & {
  /** What it read, by reference (the '' row only): the replay judges it again (issue 17). */
  inputs?: JudgementInputs;
};

/** What a computation notes before reading its inputs (VerdictStore.mark). */
export interface VerdictMark {
  basisSeq: number;
  readSeq: number;
  changes: number;
}

const fromRow = (row: VerdictRow): StoredVerdict => ({
  entityRef: row.entity_ref,
  environment: row.environment,
  release: {
    version: row.release_version ?? undefined,
    digest: row.release_digest ?? undefined,
  },
  runbookVersion: row.runbook_version ?? undefined,
  ready: !!row.ready,
  gates: JSON.parse(row.gates),
  summary: JSON.parse(row.summary),
  judged: JSON.parse(row.judged),
  validUntil: row.valid_until ? toDate(row.valid_until) : undefined,
  judgedAt: toDate(row.judged_at),
  readAt: toDate(row.read_at),
  basisSeq: Number(row.basis_seq),
  readSeq: Number(row.read_seq),
  changes: Number(row.changes),
  judgedChanges: Number(row.judged_changes),
  configDigest: row.config_digest,
  generation: Number(row.generation),
});

/** Columns the portfolio reads (everything but the status route's `judged`). */
const PORTFOLIO_COLUMNS = [
  'entity_ref',
  'environment',
  'release_version',
  'release_digest',
  'runbook_version',
  'ready',
  'gates',
  'summary',
  'valid_until',
  'judged_at',
  'read_at',
  'basis_seq',
  'read_seq',
  'changes',
  'judged_changes',
  'config_digest',
  'generation',
] as const;

/** Persistence of stored verdicts. */
export class VerdictStore {
  constructor(private readonly db: Knex) {}

  private get pg() {
    return this.db.client.config.client === 'pg';
  }

  /**
   * Replaces an entity's verdicts with these, unless what is stored was computed from newer
   * inputs: a later ledger entry, the same entries read later, or a write outside the chain
   * (markChanged) after this computation's mark. Returns whether it stored. Environments the new
   * set lacks are removed with it, so one entity's rows always come from one computation.
   */
  async replace(entityRef: string, verdicts: NewVerdict[]): Promise<boolean> {
    if (!verdicts.length) return false;
    const { basisSeq, readSeq, judgedChanges } = verdicts[0];
    return this.db.transaction(async tx => {
      // One entity's store is serialised (also its first, when there is no row to lock yet):
      // two instances storing the same entity queue here; other entities do not wait. SQLite
      // transactions are serial already.
      if (this.pg) {
        await tx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [
          `rco_verdicts:${entityRef.toLowerCase()}`,
        ]);
        // A verdict is derived: one lost in a crash is found behind its entity's ledger head or
        // change count by the next scheduled run (due) and judged again, so its commit need not
        // wait for the disk (the write it follows did).
        await tx.raw('SET LOCAL synchronous_commit TO OFF');
      }
      const current = await tx('rco_verdicts')
        .where({ entity_ref: entityRef, environment: '' })
        .first('basis_seq', 'read_seq', 'changes');
      const changes = Number(current?.changes ?? 0);
      if (current) {
        const seq = Number(current.basis_seq);
        const newer =
          seq > basisSeq ||
          (seq === basisSeq && Number(current.read_seq) > readSeq) ||
          changes > judgedChanges;
        if (newer) return false;
      }
      // Before the delete: on SQLite the next generation is read from the rows themselves.
      const generation = await this.nextGeneration(tx);
      await tx('rco_verdicts').where({ entity_ref: entityRef }).delete();
      await tx('rco_verdicts').insert(
        verdicts.map(v => ({
          entity_ref: entityRef,
          environment: v.environment,
          release_version: v.release.version ?? null,
          release_digest: v.release.digest ?? null,
          runbook_version: v.runbookVersion ?? null,
          ready: v.ready,
          gates: JSON.stringify(v.gates),
          summary: JSON.stringify(v.summary),
          judged: JSON.stringify(v.judged),
          inputs: v.inputs ? JSON.stringify(v.inputs) : null,
          valid_until: v.validUntil ?? null,
          judged_at: v.judgedAt,
          read_at: v.readAt,
          basis_seq: v.basisSeq,
          read_seq: v.readSeq,
          changes,
          judged_changes: v.judgedChanges,
          config_digest: v.configDigest,
          generation,
        })),
      );
      return true;
    });
  }

  /**
   * Noted by a computation before it reads its inputs: the entity's ledger head, its place in
   * the order of reads (from the database, not this instance's clock) and the count of writes
   * outside the chain.
   */
  async mark(entityRef: string): Promise<VerdictMark> {
    const [basisSeq, readSeq, row] = await Promise.all([
      this.basisOf(this.db, entityRef),
      this.pg
        ? this.db
            .raw("SELECT nextval('rco_verdicts_generation_seq') AS s")
            .then(r => Number(r.rows[0].s))
        : // One SQLite database has one writer process: its clock and a counter order reads.
          Promise.resolve(Date.now() * 1000 + (this.reads++ % 1000)),
      this.db('rco_verdicts')
        .where({ entity_ref: entityRef, environment: '' })
        .first('changes'),
    ]);
    return { basisSeq, readSeq, changes: Number(row?.changes ?? 0) };
  }

  private reads = 0;

  private async nextGeneration(tx: Knex.Transaction): Promise<number> {
    if (this.pg) {
      const { rows } = await tx.raw(
        "SELECT nextval('rco_verdicts_generation_seq') AS g",
      );
      return Number(rows[0].g);
    }
    const row = await tx('rco_verdicts').max({ g: 'generation' }).first();
    return Number(row?.g ?? 0) + 1;
  }

  /** An entity's stored verdicts, every environment. */
  async forEntity(entityRef: string): Promise<StoredVerdict[]> {
    const rows = await this.db('rco_verdicts').where({ entity_ref: entityRef });
    return rows.map(fromRow);
  }

  /**
   * The portfolio's rows ('' environment) changed after `generation`, without `judged`. An
   * instance keeps them in memory and asks again only for what changed.
   */
  async changedSince(
    generation: number,
  ): Promise<Array<Omit<StoredVerdict, 'judged'>>> {
    const rows = await this.db('rco_verdicts')
      .where({ environment: '' })
      .andWhere('generation', '>', generation)
      .select(...PORTFOLIO_COLUMNS);
    return rows.map(r => {
      const { judged: _j, ...rest } = fromRow({ ...r, judged: 'null' });
      return rest;
    });
  }

  /**
   * Entities whose verdict time alone has changed (valid_until passed), that were judged under
   * another configuration, or that had a write after the verdict's basis or mark (a write whose
   * recomputation was lost with its instance): what the scheduled recomputation takes.
   */
  async due(now: Date, configDigest: string, limit: number): Promise<string[]> {
    const rows = await this.db('rco_verdicts as v')
      .where('v.environment', '')
      .andWhere(q =>
        q
          .where('v.valid_until', '<=', now)
          .orWhereNot('v.config_digest', configDigest)
          .orWhereRaw('v.changes <> v.judged_changes')
          .orWhereExists(function behind() {
            this.select(1)
              .from('rco_ledger as l')
              .whereRaw('l.entity_ref = v.entity_ref')
              .andWhereRaw('l.seq > v.basis_seq');
          }),
      )
      .select('v.entity_ref')
      // Oldest first, so rows that keep coming back cannot crowd out the others.
      .orderBy('v.valid_until', 'asc')
      .limit(limit);
    return rows.map(r => r.entity_ref);
  }

  /** Every entity that has a stored verdict. */
  async entities(): Promise<string[]> {
    const rows = await this.db('rco_verdicts')
      .where({ environment: '' })
      .select('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  /** Removes these entities' verdicts, however their refs are spelled. */
  async remove(entityRefs: string[]) {
    const lower = entityRefs.map(r => r.toLowerCase());
    for (let i = 0; i < lower.length; i += 500) {
      const chunk = lower.slice(i, i + 500);
      await this.db('rco_verdicts')
        .whereRaw(
          `lower(entity_ref) in (${chunk.map(() => '?').join(', ')})`,
          chunk,
        )
        .delete();
    }
  }

  /** The newest ledger entry of an entity's chain: the basis a computation reads from. */
  async basisOf(db: Knex, entityRef: string): Promise<number> {
    const row = await db('rco_ledger')
      .where({ entity_ref: entityRef })
      .max({ seq: 'seq' })
      .first();
    return Number(row?.seq ?? 0);
  }
}

/**
 * Called in the transaction of a write that changes verdicts without an entry on the entities'
 * own ledger chains (a collector's observation moved, objects gone): their stored verdicts are
 * no longer current (VerdictService.current) and are due, even if this instance dies before it
 * recomputes them.
 */
export async function markVerdictsChanged(
  tx: Knex.Transaction,
  evidenceIds: string[],
) {
  for (let i = 0; i < evidenceIds.length; i += 500) {
    const rows = await tx('rco_evidence')
      .distinct('entity_ref')
      .whereIn('id', evidenceIds.slice(i, i + 500));
    await markEntitiesChanged(
      tx,
      rows.map(r => r.entity_ref),
    );
  }
}

/** The same for entities named directly (a runbook version made current again). */
export async function markEntitiesChanged(
  tx: Knex.Transaction,
  entityRefs: string[],
) {
  const refs = [...new Set(entityRefs)].sort();
  // Under each entity's verdict lock (VerdictStore.replace holds it while it compares and
  // rewrites the rows), so an increment is never lost to a replace in between; in sorted
  // order, so two of these cannot deadlock.
  if (tx.client.config.client === 'pg')
    for (const ref of refs)
      await tx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `rco_verdicts:${ref.toLowerCase()}`,
      ]);
  if (!refs.length) return;
  // A new generation too: the portfolio reads changed rows by generation, and must see that
  // these are no longer current (it counts them pending until judged again).
  const generation =
    tx.client.config.client === 'pg'
      ? tx.raw("nextval('rco_verdicts_generation_seq')")
      : tx.raw('(SELECT coalesce(max(generation), 0) + 1 FROM rco_verdicts)');
  await tx('rco_verdicts')
    .whereIn('entity_ref', refs)
    .update({ changes: tx.raw('changes + 1'), generation } as any);
}

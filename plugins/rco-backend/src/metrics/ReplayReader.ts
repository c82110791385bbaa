import { Runbook } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { EVIDENCE_COLUMNS, toRecord } from '../database/DatabaseEvidenceStore';
import { signoffOf, waiverOf } from '../database/DecisionStore';
import { SignoffRow, WaiverRow } from '../database/tables';
import { keeper } from '../lib/entityRefs';
import {
  emptyRecords,
  JudgementInputs,
  LoadedRecords,
  readsInput,
  readsSignoffs,
  ReplayReads,
} from './inputs';

/** Bound values per query: SQLite allows 999. */
const CHUNK = 900;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(items.slice(i, i + CHUNK));
  return out;
}

/** A release in flight: an entity's stored verdicts and what they were judged from. */
export interface InFlight {
  entityRef: string;
  release: { version?: string; digest?: string };
  /** environment ('' = none) → the gate statuses and blocking gates stored. */
  rows: Array<{
    environment: string;
    gates: Array<{ id: string; status: string }>;
    blockedBy: string[];
  }>;
  inputs: JudgementInputs;
  configDigest: string;
}

/**
 * Reads what the replay judges again: the records judgements refer to (only the evidence kinds
 * the replayed gate reads, and collected objects: readsInput), and the releases in flight (the stored verdicts with their inputs).
 * Reads only; the replay writes nothing.
 */
export class ReplayReader {
  constructor(private readonly db: Knex) {}

  /**
   * The records these judgements refer to, added to `into` (what earlier slices loaded is not
   * read again) and returned.
   */
  async records(
    judgements: Array<{ entityRef: string; inputs: JudgementInputs }>,
    reads: ReplayReads = {},
    into: LoadedRecords = emptyRecords(),
  ): Promise<LoadedRecords> {
    const evidenceIds = new Set<string>();
    const signoffIds = new Set<string>();
    const waiverIds = new Set<string>();
    const runbooks = new Set<string>();
    const read = readsInput(reads);
    const signoffsRead = readsSignoffs(reads);
    // Inputs shared by judgements (a deploy's preflight and confirmation: listWithInputs parses
    // each text once) are looked through once per entity.
    const seen = new Map<JudgementInputs, string>();
    for (const j of judgements) {
      if (seen.get(j.inputs) === j.entityRef) continue;
      seen.set(j.inputs, j.entityRef);
      for (const input of j.inputs.evidence)
        if (read(input) && !into.evidence.has(input[0]))
          evidenceIds.add(input[0]);
      if (signoffsRead)
        for (const id of j.inputs.signoffs)
          if (!into.signoffs.has(id)) signoffIds.add(id);
      for (const id of j.inputs.waivers)
        if (!into.waivers.has(id) && !into.otherWaivers.has(id))
          waiverIds.add(id);
      if (
        j.inputs.runbookHash &&
        !into.runbooks.has(`${j.entityRef} ${j.inputs.runbookHash}`)
      )
        runbooks.add(j.inputs.runbookHash);
    }
    const pg = this.db.client.config.client === 'pg';
    // PostgreSQL takes every id in one array parameter; SQLite binds at most 999 values.
    const byIds = async <T>(
      table: string,
      ids: Set<string>,
      columns: readonly string[] = ['*'],
      where: (q: Knex.QueryBuilder) => Knex.QueryBuilder = q => q,
    ): Promise<T[]> => {
      if (!ids.size) return [];
      if (pg)
        return where(
          this.db(table)
            .select(...columns)
            .whereRaw('id = ANY(?)', [[...ids]]),
        ) as Promise<T[]>;
      return (
        await Promise.all(
          chunks([...ids]).map(
            c =>
              where(
                this.db(table)
                  .select(...columns)
                  .whereIn('id', c),
              ) as Promise<T[]>,
          ),
        )
      ).flat();
    };
    // One gate's replay reads that gate's waivers whole, and of the others only that they exist.
    const gate = reads.gate;
    const [evidence, signoffs, waivers, others, documents] = await Promise.all([
      byIds<any>('rco_evidence', evidenceIds, EVIDENCE_COLUMNS),
      byIds<SignoffRow>('rco_signoffs', signoffIds),
      byIds<WaiverRow>('rco_waivers', waiverIds, ['*'], q =>
        gate ? q.where({ gate }) : q,
      ),
      gate
        ? byIds<{ id: string }>('rco_waivers', waiverIds, ['id'], q =>
            q.whereNot({ gate }),
          )
        : [],
      this.runbooks([...runbooks]),
    ]);
    for (const r of evidence) into.evidence.set(r.id, toRecord(r));
    for (const r of signoffs) into.signoffs.set(r.id, signoffOf(r));
    for (const r of waivers) into.waivers.set(r.id, waiverOf(r));
    for (const r of others) into.otherWaivers.add(r.id);
    for (const [key, doc] of documents) into.runbooks.set(key, doc);
    return into;
  }

  /** Runbook versions by `${entityRef} ${hash}`; each document parsed once. */
  private async runbooks(hashes: string[]) {
    const parsed = new Map<string, Runbook>();
    const found = new Map<string, Runbook | undefined>();
    for (const c of chunks(hashes)) {
      const rows = await this.db('rco_runbook_versions')
        .select('entity_ref', 'content_hash')
        .whereIn('content_hash', c);
      const missing = c.filter(h => !parsed.has(h));
      for (const m of chunks(missing)) {
        // One document per hash (the hash is of the content): one row's, by its id. (The
        // smallest document by value made the database compare every entity's copy.)
        const docs = await this.db('rco_runbook_versions')
          .select('content_hash', 'document')
          .whereIn(
            'id',
            this.db('rco_runbook_versions')
              .min('id')
              .whereIn('content_hash', m)
              .groupBy('content_hash'),
          );
        for (const d of docs)
          parsed.set(
            d.content_hash as string,
            JSON.parse(d.document as string),
          );
      }
      for (const r of rows)
        found.set(
          `${r.entity_ref} ${r.content_hash}`,
          parsed.get(r.content_hash),
        );
    }
    return found;
  }

  /** The stored verdicts of these entities (all when absent) that carry their inputs. */
  async inFlight(entityRefs?: string[]): Promise<InFlight[]> {
    const query = this.db('rco_verdicts');
    // A few entities (an entity's replay) are asked for by ref; a long list filtered below.
    if (entityRefs && entityRefs.length <= CHUNK)
      query.whereIn('entity_ref', entityRefs);
    const rows = await query.select(
      'entity_ref',
      'environment',
      'release_version',
      'release_digest',
      'gates',
      'summary',
      'inputs',
      'config_digest',
    );
    const keep = entityRefs ? keeper(entityRefs) : undefined;
    const byEntity = new Map<string, InFlight>();
    for (const row of rows) {
      if (keep && !keep(row.entity_ref)) continue;
      const entry: InFlight = byEntity.get(row.entity_ref) ?? {
        entityRef: row.entity_ref,
        release: {
          version: row.release_version ?? undefined,
          digest: row.release_digest ?? undefined,
        },
        rows: [],
        inputs: undefined as unknown as JudgementInputs,
        configDigest: row.config_digest,
      };
      if (row.inputs) entry.inputs = JSON.parse(row.inputs);
      entry.rows.push({
        environment: row.environment,
        gates: JSON.parse(row.gates),
        blockedBy: JSON.parse(row.summary).blockedBy ?? [],
      });
      byEntity.set(row.entity_ref, entry);
    }
    return [...byEntity.values()].filter(e => e.inputs);
  }
}

import { Knex } from 'knex';
import { differingFields, LEDGER_TABLES, LedgerTable } from './ledgerRecords';

/** A row and the ledger disagree. Names the row, never its content (it may hold secrets). */
export interface ReconciliationProblem {
  table: string;
  id: string;
  problem: string;
  /** The entity the row or entry is about, so readers see only problems of entities they see. */
  entityRef?: string | null;
}

export interface Reconciliation {
  /** Rows compared, over all tables. */
  rows: number;
  problems: ReconciliationProblem[];
}

const PAGE = 500;
/** A run stops listing problems here (it still counts them): the report stays readable. */
const MAX_PROBLEMS = 200;

interface Expected {
  table: LedgerTable;
  entityRef: string | null;
  record: Record<string, any>;
  seq: number;
}

/**
 * Reconciles the tables the gates read with the ledger: every row must have been written by an
 * entry whose payload is its full content (and its revocation by a later entry), and every such
 * entry must still have its row. A row inserted, edited or deleted directly in the database is
 * reported by table and id.
 *
 * A full scan of those tables and of their ledger entries: rows change without touching the
 * ledger exactly when someone tampers, so no row can be skipped. Call it inside one snapshot
 * (a repeatable-read transaction), or a write committing between the two reads looks like a
 * row without its entry.
 */
export async function reconcileLedger(
  db: Knex,
  tables: LedgerTable[] = LEDGER_TABLES,
): Promise<Reconciliation> {
  const present: LedgerTable[] = [];
  for (const table of tables) {
    // A table another migration adds (target claims) is reconciled once it exists.
    if (await db.schema.hasTable(table.table)) present.push(table);
  }
  const problems: ReconciliationProblem[] = [];
  let total = 0;
  let rowsSeen = 0;
  const report = (problem: ReconciliationProblem) => {
    total++;
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };

  const creates = new Map<string, LedgerTable>();
  const changes = new Map<string, LedgerTable>();
  const removes = new Map<string, LedgerTable>();
  for (const t of present) {
    t.creates.forEach(type => creates.set(type, t));
    t.changes?.forEach(type => changes.set(type, t));
    t.removes?.forEach(type => removes.set(type, t));
  }
  const expected = new Map<string, Expected>();
  const types = [...creates.keys(), ...changes.keys(), ...removes.keys()];
  for (let afterSeq = 0; ; ) {
    const page = await db('rco_ledger')
      .select('seq', 'entry_type', 'entity_ref', 'payload')
      .whereIn('entry_type', types)
      .andWhere('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(PAGE);
    if (page.length === 0) break;
    for (const entry of page) {
      const payload = JSON.parse(entry.payload);
      const entityRef = entry.entity_ref ?? null;
      const creator = creates.get(entry.entry_type);
      const remover = removes.get(entry.entry_type);
      const table = creator ?? remover ?? changes.get(entry.entry_type)!;
      const key = `${table.table}\u0000${table.key(payload, entityRef)}`;
      const label = {
        table: table.table,
        id: table.key(payload, entityRef),
        entityRef,
      };
      if (creator) {
        if (expected.has(key)) {
          report({ ...label, problem: `created again by entry ${entry.seq}` });
        }
        const record = table.fromEntry?.(payload) ?? payload;
        expected.set(key, { table, entityRef, record, seq: Number(entry.seq) });
      } else if (remover) {
        // An authenticated entry said the row goes: it must be absent from now on.
        if (!expected.delete(key)) {
          report({
            ...label,
            problem: `entry ${entry.seq} removes a row no entry created`,
          });
        }
      } else {
        for (const change of table.splitChange?.(payload) ?? [payload]) {
          const changedKey = `${table.table}\u0000${table.key(
            change,
            entityRef,
          )}`;
          const target = expected.get(changedKey);
          if (!target) {
            report({
              ...label,
              id: table.key(change, entityRef),
              problem: `entry ${entry.seq} changes a row no entry created`,
            });
            continue;
          }
          const { id: _id, ...changed } = change;
          Object.assign(target.record, changed);
        }
      }
    }
    afterSeq = Number(page[page.length - 1].seq);
  }

  for (const table of present) {
    for (let after: string | undefined; ; ) {
      const query = db(table.table)
        .select(table.columns ?? '*')
        .orderBy(table.primaryKey, 'asc')
        .limit(PAGE);
      if (after !== undefined) query.where(table.primaryKey, '>', after);
      const rows = await query;
      if (rows.length === 0) break;
      for (const row of rows) {
        const record = table.fromRow(row);
        const entityRef = row.entity_ref ?? null;
        const id = String(row[table.primaryKey]);
        const key = `${table.table}\u0000${table.key(record, entityRef)}`;
        const wanted = expected.get(key);
        expected.delete(key);
        if (!wanted) {
          report({
            table: table.table,
            id,
            entityRef,
            problem: 'no ledger entry',
          });
          continue;
        }
        const fields = differingFields(wanted.record, record);
        if (wanted.entityRef !== entityRef) fields.unshift('entity_ref');
        if (fields.length > 0) {
          report({
            table: table.table,
            id,
            entityRef,
            problem: `differs from its ledger entry ${
              wanted.seq
            } (${fields.join(', ')})`,
          });
        }
      }
      rowsSeen += rows.length;
      after = String(rows[rows.length - 1][table.primaryKey]);
    }
  }
  for (const [key, gone] of expected) {
    report({
      table: gone.table.table,
      id: key.split('\u0000')[1],
      entityRef: gone.entityRef,
      problem: `row of ledger entry ${gone.seq} is gone`,
    });
  }
  if (total > problems.length) {
    problems.push({
      table: '*',
      id: '*',
      problem: `${total - problems.length} more problems not listed`,
    });
  }
  return { rows: rowsSeen, problems };
}

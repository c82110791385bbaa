import { GateId, GateStatus } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { toDate } from '../lib/canonicalJson';
import { keeper } from '../lib/entityRefs';
import { JudgementInputs } from '../metrics/inputs';
import { BooleanColumn, JsonText, Timestamp } from './tables';

/** One gate as a judgement recorded it. */
export interface JudgedGate {
  id: GateId;
  status: GateStatus;
  /** collectedAt of the oldest evidence the gate used (ISO), for the evidence age at deploy. */
  oldest?: string;
  /** The waiver that waived it. */
  waiver?: string;
}

/** A deploy decision: the verdict preflight judged, what it decided and what it read. */
export interface Judgement {
  id: string;
  entityRef: string;
  environment: string;
  operationId?: string;
  occasion: 'preflight' | 'confirm' | 'promote';
  release: { version?: string; digest?: string };
  judgedAt: Date;
  allowed: boolean;
  /** Sign-offs or the road held it, whatever the gates said. */
  heldOtherwise: boolean;
  /** The override preflight let it through with (a gate or the road held it). */
  overrideId?: string;
  /** An override that counts was active, needed or not (a stricter policy would meet it). */
  overrideAvailable?: boolean;
  gates: JudgedGate[];
  configDigest: string;
}

export type NewJudgement = Omit<Judgement, 'id'> & { inputs: JudgementInputs };

/** rco_judgements (migration 20261212000000). */
export interface JudgementRow {
  id: string;
  entity_ref: string;
  environment: string;
  operation_id: string | null;
  occasion: Judgement['occasion'];
  release_version: string | null;
  release_digest: string | null;
  judged_at: Timestamp;
  allowed: BooleanColumn;
  held_otherwise: BooleanColumn;
  override_id: string | null;
  override_available: BooleanColumn;
  gates: JsonText;
  inputs: JsonText;
  config_digest: string;
  created_at: Timestamp;
}

const IN_LIST = 500;

const COLUMNS = [
  'id',
  'entity_ref',
  'environment',
  'operation_id',
  'occasion',
  'release_version',
  'release_digest',
  'judged_at',
  'allowed',
  'held_otherwise',
  'override_id',
  'override_available',
  'gates',
  'config_digest',
] as const;

function fromRow(row: Omit<JudgementRow, 'inputs' | 'created_at'>): Judgement {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    operationId: row.operation_id ?? undefined,
    occasion: row.occasion,
    release: {
      version: row.release_version ?? undefined,
      digest: row.release_digest ?? undefined,
    },
    judgedAt: toDate(row.judged_at),
    allowed: !!row.allowed,
    heldOtherwise: !!row.held_otherwise,
    overrideId: row.override_id ?? undefined,
    overrideAvailable: !!row.override_available,
    gates: JSON.parse(row.gates),
    configDigest: row.config_digest,
  };
}

/** Which judgements to read: a period, an environment, some entities (all when absent). */
export interface JudgementQuery {
  from: Date;
  to: Date;
  environment?: string;
  entityRefs?: string[];
}

/** The deploy decisions, written as preflight makes them and read by the metrics and replay. */
export class JudgementStore {
  constructor(private readonly db: Knex) {}

  async record(judgement: NewJudgement): Promise<string> {
    const id = randomUUID();
    await this.db('rco_judgements').insert({
      id,
      entity_ref: judgement.entityRef,
      environment: judgement.environment,
      operation_id: judgement.operationId ?? null,
      occasion: judgement.occasion,
      release_version: judgement.release.version ?? null,
      release_digest: judgement.release.digest ?? null,
      judged_at: judgement.judgedAt,
      allowed: judgement.allowed,
      held_otherwise: judgement.heldOtherwise,
      override_id: judgement.overrideId ?? null,
      override_available: !!judgement.overrideAvailable,
      gates: JSON.stringify(judgement.gates),
      inputs: JSON.stringify(judgement.inputs),
      config_digest: judgement.configDigest,
      created_at: new Date(),
    });
    return id;
  }

  private query(q: JudgementQuery) {
    const query = this.db('rco_judgements')
      .where('judged_at', '>=', q.from)
      .andWhere('judged_at', '<', q.to);
    if (q.environment) query.andWhere({ environment: q.environment });
    // A long list is filtered in memory (SQLite binds at most 999 values).
    if (q.entityRefs && q.entityRefs.length <= IN_LIST)
      query.whereIn('entity_ref', q.entityRefs);
    return query;
  }

  private keep(q: JudgementQuery) {
    if (!q.entityRefs) return () => true;
    const keep = keeper(q.entityRefs);
    return (row: { entity_ref: string }) => keep(row.entity_ref);
  }

  /** The judgements of a period, oldest first, without their inputs. */
  async list(q: JudgementQuery): Promise<Judgement[]> {
    const rows = await this.query(q)
      .select(...COLUMNS)
      .orderBy([
        { column: 'judged_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.filter(this.keep(q)).map(fromRow);
  }

  /** The same, with what each read (for the replay). */
  async listWithInputs(
    q: JudgementQuery,
  ): Promise<Array<Judgement & { inputs: JudgementInputs }>> {
    const rows = await this.query(q)
      .select(...COLUMNS, 'inputs')
      .orderBy([
        { column: 'judged_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    // A deploy's preflight and its confirmation read the same inputs (about half the rows
    // repeat one): each text is parsed once and the parsed inputs shared, read-only, which the
    // replay also uses to restore each distinct set of inputs once.
    const parsed = new Map<string, JudgementInputs>();
    return rows.filter(this.keep(q)).map((row: JudgementRow) => {
      let inputs = parsed.get(row.inputs);
      if (!inputs) {
        inputs = JSON.parse(row.inputs) as JudgementInputs;
        parsed.set(row.inputs, inputs);
      }
      return { ...fromRow(row), inputs };
    });
  }
}

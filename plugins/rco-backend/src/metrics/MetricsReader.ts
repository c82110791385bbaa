import { Knex } from 'knex';
import { EVIDENCE_COLUMNS, toRecord } from '../database/DatabaseEvidenceStore';
import { EvidenceRecord } from '../database/EvidenceStore';
import { JudgementStore } from '../database/JudgementStore';
import { applySourcePolicy } from '../gates/sourcePolicy';
import { GateConfig } from '../gates/types';
import { OperationRow, OverrideRow, WaiverRow } from '../database/tables';
import { toDate } from '../lib/canonicalJson';
import { keeper } from '../lib/entityRefs';
import { AnalysisFailureFact, MetricsFacts, OperationFact } from './facts';

/** The span of history a period's metrics read: before it (open blocks) and after (failures). */
export interface ReadRange {
  from: Date;
  to: Date;
  environment: string;
}

/** At most this many refs go into one `IN` list (SQLite allows 999 bound values). */
const IN_LIST = 500;

const optional = (value: string | null) => value ?? undefined;

/**
 * Reads the facts of the metrics from the plugin's tables: operations and overrides (each row
 * written with its ledger entry), the deploy decisions, and the evidence that dates a digest or
 * reports a failed analysis. Only the columns the metrics use; never the raw documents.
 */
export class MetricsReader {
  constructor(
    private readonly db: Knex,
    private readonly judgements: JudgementStore,
    /** The gates' configured sources (rco.gates.<gate>.sources); unset: the defaults. */
    private readonly gates: Pick<GateConfig, 'sources'> = {},
  ) {}

  /** A number that changes whenever anything the metrics read does. */
  async marker(): Promise<string> {
    const [ledger, judged] = await Promise.all([
      this.db('rco_ledger').max({ seq: 'seq' }).first(),
      this.db('rco_judgements').count({ n: '*' }).first(),
    ]);
    return `${ledger?.seq ?? 0}/${judged?.n ?? 0}`;
  }

  async read(range: ReadRange, entityRefs?: string[]): Promise<MetricsFacts> {
    const few =
      entityRefs && entityRefs.length <= IN_LIST ? entityRefs : undefined;
    const scoped = <T extends Knex.QueryBuilder>(q: T) =>
      few ? q.whereIn('entity_ref', few) : q;
    const [ops, judgements, waivers, overrides, analyses, first] =
      await Promise.all([
        scoped(
          this.db('rco_operations')
            .select(
              'id',
              'entity_ref',
              'environment',
              'type',
              'state',
              'release_version',
              'release_digest',
              'created_at',
              'finished_at',
              'confirmed_by',
              'override_id',
              // Whether the driver started (a failure before it changed nothing).
              this.db.raw(
                'case when progress is null then 0 else 1 end as started',
              ),
            )
            .where({ environment: range.environment })
            .andWhere('created_at', '>=', range.from)
            .andWhere('created_at', '<', range.to),
        ) as Promise<OperationRow[]>,
        this.judgements.list({ ...range, entityRefs: few }),
        scoped(
          this.db('rco_waivers')
            .select(
              'id',
              'entity_ref',
              'gate',
              'environment',
              'release_version',
              'granted_by',
              'justification',
              'created_at',
              'expires_at',
              'revoked_at',
            )
            .where('created_at', '<', range.to)
            .andWhere('expires_at', '>=', range.from),
        ) as Promise<Array<WaiverRow & { entity_ref: string }>>,
        scoped(
          this.db('rco_overrides')
            .select(
              'id',
              'entity_ref',
              'environment',
              'release_version',
              'created_by',
              'justification',
              'created_at',
              'expires_at',
              'revoked_at',
            )
            .where({ environment: range.environment })
            .andWhere('created_at', '<', range.to)
            .andWhere('expires_at', '>=', range.from),
        ) as Promise<Array<OverrideRow & { entity_ref: string }>>,
        scoped(
          this.db('rco_evidence')
            .select(...EVIDENCE_COLUMNS)
            .where({
              kind: 'argo-analysis-run',
              environment: range.environment,
            })
            .andWhere('collected_at', '>=', range.from)
            .andWhere('collected_at', '<', range.to)
            // Newest first, as the gates read evidence.
            .orderBy('collected_at', 'desc'),
        ),
        scoped(
          this.db('rco_evidence')
            .select('entity_ref', 'subject_digest')
            .min({ first: 'collected_at' })
            .whereNotNull('subject_digest')
            .groupBy('entity_ref', 'subject_digest'),
        ),
      ]);
    const keep = entityRefs ? keeper(entityRefs) : () => true;
    return {
      operations: ops.filter(r => keep(r.entity_ref)).map(operationFact),
      judgements: judgements.filter(j => keep(j.entityRef)),
      overrides: [
        ...waivers
          .filter(w => keep(w.entity_ref))
          .map(w => ({
            kind: 'waiver' as const,
            id: w.id,
            entityRef: w.entity_ref,
            gate: w.gate,
            environment: optional(w.environment),
            releaseVersion: optional(w.release_version),
            grantedBy: w.granted_by,
            justification: w.justification,
            createdAt: toDate(w.created_at),
            expiresAt: toDate(w.expires_at),
            revokedAt: w.revoked_at ? toDate(w.revoked_at) : undefined,
          })),
        ...overrides
          .filter(o => keep(o.entity_ref))
          .map(o => ({
            kind: 'break-glass' as const,
            id: o.id,
            entityRef: o.entity_ref,
            environment: o.environment,
            releaseVersion: optional(o.release_version),
            grantedBy: o.created_by,
            justification: o.justification,
            createdAt: toDate(o.created_at),
            expiresAt: toDate(o.expires_at),
            revokedAt: o.revoked_at ? toDate(o.revoked_at) : undefined,
          })),
      ],
      analysisFailures: this.judgedRuns(
        (analyses as any[]).filter(a => keep(a.entity_ref)).map(toRecord),
        range.environment,
      ).flatMap((a): AnalysisFailureFact[] =>
        ['Failed', 'Error'].includes(
          String((a.summary as { phase?: unknown })?.phase ?? ''),
        )
          ? [
              {
                id: a.id,
                entityRef: a.entityRef,
                environment: range.environment,
                digest: a.subject.digest,
                at: a.collectedAt,
              },
            ]
          : [],
      ),
      firstEvidence: new Map(
        (first as any[])
          .filter(f => keep(f.entity_ref))
          .map(f => [`${f.entity_ref} ${f.subject_digest}`, toDate(f.first)]),
      ),
    };
  }

  /**
   * The analysis runs the progressive-delivery gate would read, per entity and digest: from the
   * sources it accepts (a person's upload is not a failed change signal), and an upload set
   * aside where the console collected the release's runs itself. The gate's own rule
   * (applySourcePolicy), not a copy of it.
   */
  private judgedRuns(runs: EvidenceRecord[], environment: string) {
    const byRelease = new Map<string, EvidenceRecord[]>();
    for (const r of runs) {
      const key = `${r.entityRef} ${r.subject.digest ?? ''}`;
      byRelease.set(key, [...(byRelease.get(key) ?? []), r]);
    }
    return [...byRelease.values()].flatMap(
      evidence =>
        applySourcePolicy(
          {
            config: this.gates,
            release: { digest: evidence[0].subject.digest, environment },
            evidence,
          },
          'progressive-delivery',
        ).ctx.evidence,
    );
  }
}

function operationFact(row: OperationRow): OperationFact {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    type: row.type as OperationFact['type'],
    state: row.state,
    release: {
      version: optional(row.release_version),
      digest: optional(row.release_digest),
    },
    createdAt: toDate(row.created_at),
    finishedAt: row.finished_at ? toDate(row.finished_at) : undefined,
    confirmed: !!row.confirmed_by,
    started: Number((row as OperationRow & { started: unknown }).started) === 1,
    overrideId: optional(row.override_id),
  };
}

import { EvidenceRecord } from '../../database/EvidenceStore';
import { RuleOutcome, GateContext } from '../types';
import { observedAt } from '../helpers';

/** What every gate rule is: a pure judgement of the context. */
export type Rule = (ctx: GateContext) => RuleOutcome;

export const missing = (
  reasons: string[],
  used: EvidenceRecord[] = [],
): RuleOutcome => ({
  status: 'missing',
  reasons,
  used,
});

/** When each record was last known to hold; collected ones age with the granularity's slack. */
export const fresh = (used: EvidenceRecord[]) =>
  used.map(r => ({
    what: r.kind,
    at: observedAt(r),
    ...(r.provenance ? { collected: true } : {}),
  }));

/** Metric names and queries that measure latency or errors (canary analysis, SLO alerts). */
export const LATENCY = /latenc|duration|p9[059]|response.?time/i;
export const ERRORS = /error|5xx|fail|success.?rate/i;

import {
  EvidenceScope,
  GateId,
  GateResult,
  evidenceScope,
} from '@helix-portal/plugin-rco-common';
import { ConditionContext, gateCondition } from './conditions';
import { NextStepContext, nextSteps } from './nextSteps';

/**
 * The gates as the status route serves them: each with its condition in words, the scope of each
 * piece of evidence it rests on, and (when not passing) its next steps. Evaluation stays free of
 * this: preflight and the portfolio judge without it.
 */
export function explainGates(
  gates: GateResult[],
  ctx: NextStepContext & ConditionContext,
): GateResult[] {
  return gates.map(gate => ({
    ...gate,
    evidence: gate.evidence.map(e => ({
      ...e,
      scope: evidenceScope(e.kind) as EvidenceScope,
    })),
    condition: gateCondition(gate.id as GateId, gate.maxAge, ctx),
    next: nextSteps(gate, ctx),
  }));
}

/**
 * How many environments that only evidence names are listed (and judged on each status read).
 * Anyone who may upload chooses those names: without a bound, evidence filed under thousands of
 * made-up environments would make every status read judge thousands of environments.
 */
export const EVIDENCE_ONLY_ENVIRONMENTS = 5;

/**
 * Every environment the portal knows for an entity: the configured ones in their order, then
 * the one asked about, then at most EVIDENCE_ONLY_ENVIRONMENTS others that only its evidence
 * names (the configuration bounds the rest).
 */
export function knownEnvironments(
  configured: string[],
  evidenced: string[],
  requested?: string,
): string[] {
  const others = evidenced
    .filter(e => !configured.includes(e) && e !== requested)
    .slice(0, EVIDENCE_ONLY_ENVIRONMENTS);
  return [
    ...configured,
    ...(requested && !configured.includes(requested) ? [requested] : []),
    ...others,
  ];
}

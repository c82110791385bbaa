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
 * Every environment the portal knows for an entity: the configured ones in their order, then
 * any other that only its evidence names.
 */
export function knownEnvironments(
  configured: string[],
  evidenced: string[],
): string[] {
  return [...configured, ...evidenced.filter(e => !configured.includes(e))];
}

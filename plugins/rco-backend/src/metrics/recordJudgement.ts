import { LoggerService } from '@backstage/backend-plugin-api';
import { GateId, ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import {
  JudgedGate,
  JudgementStore,
  NewJudgement,
} from '../database/JudgementStore';
import { OperationRecord } from '../database/OperationStore';
import { activeWaiver } from '../gates/evaluate';
import { observedAt } from '../gates/helpers';
import { GateContext } from '../gates/types';
import { PreflightResult } from '../operations/preflight';
import { captureInputs, JudgedInputs } from './inputs';

/** Records deploy decisions (OperationService.judgements). */
export interface JudgementRecorder {
  record(judgement: Omit<NewJudgement, 'configDigest'>): Promise<void>;
}

/** The gates as judged, with the oldest evidence each used and the waiver that waived it. */
export function judgedGates(
  status: ReleaseStatusResponse,
  waivers: GateContext['waivers'],
  now: Date,
): JudgedGate[] {
  const ctx = { waivers, now, release: status.release } as GateContext;
  return status.gates.map(g => {
    // Dated as the gates' staleness dates it: a collected object from its last observation.
    const oldest = g.evidence.reduce<string | undefined>((min, e) => {
      const at = observedAt<string>(e);
      return !min || at < min ? at : min;
    }, undefined);
    const id = g.id as GateId;
    const waiver =
      g.status === 'waived' ? activeWaiver(ctx, id)?.id : undefined;
    return {
      id,
      status: g.status,
      ...(oldest ? { oldest } : {}),
      ...(waiver ? { waiver } : {}),
    };
  });
}

/**
 * A deploy decision as recorded: the gate statuses the release was judged with (before the
 * deploy gate re-judges the DPO sign-off with the confirmer, which the replay does not redo),
 * what preflight decided, and the inputs by reference.
 */
export function judgementOf(o: {
  op: OperationRecord;
  occasion: NewJudgement['occasion'];
  judged: JudgedInputs & {
    status: ReleaseStatusResponse;
    waivers: GateContext['waivers'];
  };
  result: PreflightResult;
  now: Date;
}): Omit<NewJudgement, 'configDigest'> {
  const { op, judged, result } = o;
  return {
    entityRef: op.entityRef,
    environment: op.environment,
    operationId: op.id,
    occasion: o.occasion,
    release: { version: op.release.version, digest: op.release.digest },
    judgedAt: o.now,
    allowed: result.allowed,
    // What held it besides the gates as evaluated: sign-offs, the road, and the DPO gate
    // judged again with the confirmer (which the replay does not redo).
    heldOtherwise:
      result.missingSignoffs.length > 0 ||
      result.signoffGateHeld ||
      (result.road.length > 0 && !result.override),
    overrideId: result.override?.id,
    overrideAvailable: !!result.available,
    gates: judgedGates(judged.status, judged.waivers, o.now),
    inputs: captureInputs(judged, o.now),
  };
}

/**
 * The recorder the plugin uses: a decision that cannot be recorded is logged, never allowed to
 * stop the deploy it describes (the operation and its ledger entries still record the decision).
 */
export function judgementRecorder(o: {
  store: JudgementStore;
  configDigest: string;
  logger: LoggerService;
}): JudgementRecorder {
  return {
    async record(judgement) {
      try {
        await o.store.record({ ...judgement, configDigest: o.configDigest });
      } catch (error) {
        o.logger.warn(
          `Deploy decision of ${judgement.entityRef} in ${judgement.environment} not recorded for the metrics: ${error}`,
        );
      }
    },
  };
}

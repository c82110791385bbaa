import { Entity } from '@backstage/catalog-model';
import { OperationRecord } from '../database/OperationStore';
import { OverrideStore } from '../database/OverrideStore';
import { judgementOf, JudgementRecorder } from '../metrics/recordJudgement';
import type { RoadService } from '../service/road/RoadService';
import type { ReleaseService } from '../service/ReleaseService';
import { preflight, PreflightResult } from './preflight';

/** What judging an operation reads and where its decision is recorded. */
export interface OperationJudge {
  releases: Pick<ReleaseService, 'judge'>;
  overrides: Pick<OverrideStore, 'findActive'>;
  /** The road's blockers (issue 15); none when unset. */
  road?: Pick<RoadService, 'blockers'>;
  /** Where the decision is recorded with its inputs (issue 17); not recorded when unset. */
  judgements?: JudgementRecorder;
}

/**
 * The gates of this release in this environment (evidence from another environment's cluster
 * does not count), the environment's sign-offs and an active break-glass override. The
 * four-eyes rule judges the sign-offs with whoever confirms: the operation's requester (only
 * they confirm), so a deployer's own approvals never count. The road's blockers (promotion,
 * soak, analysis, marks, window, freeze) are asked at the same instant, every time: at
 * preflight, at confirmation and before a canary's promotion. The one home of this decision:
 * OperationService judges with it, and the demo history writes its decisions with it.
 */
export async function judgeOperation(
  o: OperationJudge,
  d: {
    entity: Entity;
    op: OperationRecord;
    occasion: 'preflight' | 'confirm' | 'promote';
    confirmer: string;
    requiredSignoffs: Parameters<typeof preflight>[0]['requiredSignoffs'];
    /** The gates' clock (the local portal's demo clock can be ahead of the system's). */
    now: Date;
  },
): Promise<PreflightResult> {
  const { op, now, confirmer } = d;
  const [judged, override, road] = await Promise.all([
    // The same instant as the judgement records (judgedAt): the replay judges at judgedAt.
    o.releases.judge(
      d.entity,
      { ...op.release, environment: op.environment },
      now,
    ),
    o.overrides.findActive(op.entityRef, op.environment, op.release, now),
    // Who confirms deploys: their own acceptance of its window does not count.
    o.road?.blockers(
      op.entityRef,
      op.environment,
      op.release,
      now,
      confirmer,
    ) ?? [],
  ]);
  const { status, signoffs, requester, groups } = judged;
  const result = preflight({
    status,
    signoffs,
    requester,
    confirmer,
    groups,
    requiredSignoffs: d.requiredSignoffs,
    override,
    road,
    now,
  });
  await o.judgements?.record(
    judgementOf({ op, occasion: d.occasion, judged, result, now }),
  );
  return result;
}

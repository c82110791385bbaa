import {
  ReplayChange,
  ReplayResponse,
  ReplayedJudgement,
  ReplayedVerdict,
} from '@helix-portal/plugin-rco-common';
import { JudgementStore } from '../database/JudgementStore';
import { TooManyRequestsError } from '../collectors/TooManyRequestsError';
import { Clock } from '../lib/clock';
import { CallerSlots } from './callerSlots';
import { blocking } from './effectiveness';
import { missingInput } from './inputs';
import { Period } from './periods';
import { ReplayReader } from './ReplayReader';
import {
  changedConfig,
  decisionAfter,
  kindsOf,
  Policy,
  replayOne,
} from './replay';

/** Replays at once per instance: each reads and judges a period of history. */
const AT_ONCE = 2;
/** Replays at once per caller: one caller cannot hold the instance's slots. */
const PER_CALLER = 1;
/** Judgements and verdicts listed per answer. */
const LISTED = 500;

/**
 * What a proposed change of a gate (its maximum age, its blocking severities, a waiver) would
 * have decided: every recorded deploy decision of the period judged again from the evidence it
 * read, and every release in flight judged now, under the policy as it is and as changed. It
 * reads and writes nothing else: no verdict, ledger entry or audit record changes.
 */
export class ReplayService {
  private running = 0;
  private readonly callers = new CallerSlots(
    PER_CALLER,
    'You already have a replay running on this instance; wait for it to finish, then try again',
  );

  constructor(
    private readonly o: {
      judgements: JudgementStore;
      reader: ReplayReader;
      clock: Clock;
      policy: Policy;
      configDigest: string;
      /** Whether the local portal's generated demo history is in the database. */
      demo?: () => boolean;
    },
  ) {}

  async replay(
    change: ReplayChange,
    period: Period,
    scope: { entityRef?: string; entityRefs: string[]; caller?: string },
  ): Promise<ReplayResponse> {
    // Per caller first: a caller refused its own second replay takes no instance slot.
    return this.callers.run(scope.caller ?? 'anonymous', () =>
      this.instanceSlot(change, period, scope),
    );
  }

  private async instanceSlot(
    change: ReplayChange,
    period: Period,
    scope: { entityRef?: string; entityRefs: string[] },
  ): Promise<ReplayResponse> {
    if (this.running >= AT_ONCE) {
      throw new TooManyRequestsError(
        'Other replays are running on this instance; try again in a few seconds',
        5,
      );
    }
    this.running += 1;
    try {
      return await this.run(change, period, scope);
    } finally {
      this.running -= 1;
    }
  }

  private async run(
    change: ReplayChange,
    period: Period,
    scope: { entityRef?: string; entityRefs: string[] },
  ): Promise<ReplayResponse> {
    const started = performance.now();
    const policy = {
      base: this.o.policy,
      changed: {
        ...this.o.policy,
        config: changedConfig(this.o.policy.config, change),
      },
      change,
    };
    const kinds = kindsOf(change);
    const [judgements, inFlight] = await Promise.all([
      this.o.judgements.listWithInputs({
        from: period.from,
        to: period.to,
        entityRefs: scope.entityRefs,
      }),
      this.o.reader.inFlight(scope.entityRefs),
    ]);
    const loaded = await this.o.reader.records(
      [...judgements, ...inFlight],
      kinds,
    );
    const baseline: ReplayResponse['baseline'] = {
      replayed: 0,
      matched: 0,
      mismatched: [],
      unreplayable: 0,
    };
    const past: ReplayedJudgement[] = [];
    const decisive = decisiveJudgements(judgements);
    for (const j of judgements) {
      if (
        j.configDigest !== this.o.configDigest ||
        missingInput(j.entityRef, j.inputs, loaded, kinds)
      ) {
        baseline.unreplayable += 1;
        continue;
      }
      const { before, after } = replayOne(
        { ...j, at: j.judgedAt },
        loaded,
        policy,
      );
      baseline.replayed += 1;
      let matched = true;
      for (const [gate, status] of before) {
        const stored = j.gates.find(g => g.id === gate)?.status;
        if (stored !== status) {
          matched = false;
          if (baseline.mismatched.length < 100 && stored)
            baseline.mismatched.push({
              operationId: j.operationId ?? j.id,
              gate,
              stored,
              replayed: status,
            });
        }
      }
      if (matched) baseline.matched += 1;
      const was = before.get(change.gate)!;
      // A deploy is listed once, from the judgement that decided it (every one is replayed).
      if (after && after !== was && decisive.has(j.id)) {
        past.push({
          operationId: j.operationId ?? j.id,
          entityRef: j.entityRef,
          environment: j.environment,
          release: j.release,
          judgedAt: j.judgedAt.toISOString(),
          before: was,
          after,
          decisionBefore: j.allowed ? 'allowed' : 'blocked',
          decisionAfter: decisionAfter(j, change.gate, was, after),
        });
      }
    }
    const now = this.o.clock.now();
    const changedNow: ReplayedVerdict[] = [];
    let inFlightJudged = 0;
    for (const e of inFlight) {
      if (missingInput(e.entityRef, e.inputs, loaded, kinds)) continue;
      for (const row of e.rows) {
        inFlightJudged += 1;
        const { before, after } = replayOne(
          {
            entityRef: e.entityRef,
            environment: row.environment,
            release: e.release,
            at: now,
            inputs: e.inputs,
          },
          loaded,
          policy,
        );
        const was = before.get(change.gate)!;
        if (!after || after === was) continue;
        const blocked = new Set(row.blockedBy);
        if (blocking(after)) blocked.add(change.gate);
        else blocked.delete(change.gate);
        changedNow.push({
          entityRef: e.entityRef,
          environment: row.environment,
          release: e.release,
          before: was,
          after,
          readyBefore: row.blockedBy.length === 0,
          readyAfter: blocked.size === 0,
        });
      }
    }
    return {
      change,
      // The first 500 of each (a wide change over the catalog can flip thousands).
      past: past.slice(0, LISTED),
      pastCount: past.length,
      inFlight: changedNow.slice(0, LISTED),
      inFlightCount: changedNow.length,
      scope: {
        ...(scope.entityRef ? { entityRef: scope.entityRef } : {}),
        from: period.from.toISOString(),
        to: period.to.toISOString(),
        services: scope.entityRefs.length,
      },
      baseline,
      inFlightJudged,
      durationMs: Math.round(performance.now() - started),
      demo: this.o.demo?.() ?? false,
    };
  }
}

/**
 * The judgement that decided each operation: its last (preflight, confirmation, promotion are
 * judged in turn; listWithInputs orders them by time). One without an operation is its own.
 */
function decisiveJudgements(
  judgements: Array<{ id: string; operationId?: string }>,
): Set<string> {
  const last = new Map<string, string>();
  for (const j of judgements) last.set(j.operationId ?? j.id, j.id);
  return new Set(last.values());
}

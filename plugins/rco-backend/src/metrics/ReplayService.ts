import {
  ReplayChange,
  ReplayResponse,
  ReplayedVerdict,
} from '@helix-portal/plugin-rco-common';
import { JudgementStore } from '../database/JudgementStore';
import { TooManyRequestsError } from '../collectors/TooManyRequestsError';
import { Clock } from '../lib/clock';
import { CallerSlots } from './callerSlots';
import { blocking } from './effectiveness';
import { Period } from './periods';
import { ReplayReader } from './ReplayReader';
import { emptyRecords } from './inputs';
import { PastReplay, slicesOf } from './pastReplay';
import { changedConfig, Policy, ReplayMemo, replayOne } from './replay';

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
    const loaded = emptyRecords();
    const memo = new ReplayMemo(loaded, policy.base, change);
    // What the replayed change reads: the memo's, so records load what it restores.
    const reads = memo.reads;
    const history = new PastReplay({
      change,
      configDigest: this.o.configDigest,
      loaded,
      policy,
      memo,
    });
    const inFlightRead = this.o.reader.inFlight(scope.entityRefs);
    // Read while the slices are judged: a failure is caught here so it is not unhandled
    // meanwhile (or at all, when a slice fails first), and thrown when met below.
    inFlightRead.catch(() => undefined);
    // A slice's judgements and the records they refer to, read while the one before is judged
    // (a failed read is caught here so it is not unhandled while it waits, and thrown when met).
    const prepare = (slice: { from: Date; to: Date }) => {
      const ready = this.o.judgements
        .listWithInputs({ ...slice, entityRefs: scope.entityRefs })
        .then(async judgements => {
          await this.o.reader.records(judgements, reads, loaded);
          return judgements;
        });
      ready.catch(() => undefined);
      return ready;
    };
    // Each slice's rows are let go once judged.
    const slices = slicesOf(period);
    let next = slices.length ? prepare(slices[0]) : undefined;
    for (let i = 0; next; i++) {
      const judgements = await next;
      next = i + 1 < slices.length ? prepare(slices[i + 1]) : undefined;
      for (const j of judgements) history.add(j);
    }
    const inFlight = await inFlightRead;
    await this.o.reader.records(inFlight, reads, loaded);
    const past = history.flipped();
    const baseline = history.baseline;
    const now = this.o.clock.now();
    const changedNow: ReplayedVerdict[] = [];
    let inFlightJudged = 0;
    for (const e of inFlight) {
      if (memo.missing(e.entityRef, e.inputs)) continue;
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
          memo,
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

import {
  ReplayChange,
  ReplayResponse,
  ReplayedJudgement,
} from '@helix-portal/plugin-rco-common';
import { Judgement } from '../database/JudgementStore';
import { JudgementInputs, LoadedRecords } from './inputs';
import { Period } from './periods';
import { decisionAfter, Policy, ReplayMemo, replayOne } from './replay';

/** How much history a replay holds at once: a month's judgements with their inputs. */
const SLICE_MS = 30 * 86_400_000;

/**
 * The period in consecutive half-open slices of at most a month, oldest first. The replay reads
 * and judges one slice at a time, so the judgements and their inputs it holds (a year of a large
 * catalog's is gigabytes) are a month's; the records they refer to and one entry per deploy are
 * kept for the whole period (a period is at most 366 days, parsePeriod). Fewer, longer
 * slices are faster (each is a round of queries): 16 slices of a 90-day period cost a tenth more.
 */
export function slicesOf(period: Pick<Period, 'from' | 'to'>): Array<{
  from: Date;
  to: Date;
}> {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const slices = [];
  for (let at = from; at < to; at += SLICE_MS)
    slices.push({
      from: new Date(at),
      to: new Date(Math.min(at + SLICE_MS, to)),
    });
  return slices;
}

/**
 * The recorded deploy decisions judged again, fed in time order (slice by slice): the baseline
 * (does the unchanged policy give every stored status back?) and the decisions the change flips.
 * A deploy is listed once, from the judgement that decided it: its last (preflight, confirmation
 * and promotion are judged in turn), which may come in a later slice than its first.
 */
export class PastReplay {
  readonly baseline: ReplayResponse['baseline'] = {
    replayed: 0,
    matched: 0,
    mismatched: [],
    unreplayable: 0,
  };
  /** Per operation, its latest judgement's flip (undefined: that one flips nothing). */
  private readonly latest = new Map<string, ReplayedJudgement | undefined>();

  constructor(
    private readonly o: {
      change: ReplayChange;
      configDigest: string;
      loaded: LoadedRecords;
      policy: { base: Policy; changed: Policy; change: ReplayChange };
      memo: ReplayMemo;
    },
  ) {}

  add(j: Judgement & { inputs: JudgementInputs }) {
    const { change, memo } = this.o;
    const baseline = this.baseline;
    const operation = j.operationId ?? j.id;
    if (
      j.configDigest !== this.o.configDigest ||
      memo.missing(j.entityRef, j.inputs)
    ) {
      baseline.unreplayable += 1;
      // Not replayed: whatever an earlier judgement of it flipped is not what decided it.
      this.decided(operation, undefined);
      return;
    }
    const { before, after } = replayOne(
      { ...j, at: j.judgedAt },
      this.o.loaded,
      this.o.policy,
      memo,
    );
    baseline.replayed += 1;
    let matched = true;
    for (const [gate, status] of before) {
      const stored = j.gates.find(g => g.id === gate)?.status;
      if (stored !== status) {
        matched = false;
        if (baseline.mismatched.length < 100 && stored)
          baseline.mismatched.push({
            operationId: operation,
            gate,
            stored,
            replayed: status,
          });
      }
    }
    if (matched) baseline.matched += 1;
    const was = before.get(change.gate)!;
    this.decided(
      operation,
      after && after !== was
        ? {
            operationId: operation,
            entityRef: j.entityRef,
            environment: j.environment,
            release: j.release,
            judgedAt: j.judgedAt.toISOString(),
            before: was,
            after,
            decisionBefore: j.allowed ? 'allowed' : 'blocked',
            decisionAfter: decisionAfter(j, change.gate, was, after),
          }
        : undefined,
    );
  }

  /** The later judgement of an operation replaces the earlier, and takes its place in time. */
  private decided(operation: string, flip: ReplayedJudgement | undefined) {
    this.latest.delete(operation);
    this.latest.set(operation, flip);
  }

  /** The flipped decisions, in the order of the judgements that decided them. */
  flipped(): ReplayedJudgement[] {
    return [...this.latest.values()].filter((f): f is ReplayedJudgement => !!f);
  }
}

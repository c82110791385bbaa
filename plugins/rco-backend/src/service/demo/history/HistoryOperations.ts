import { HistoryRelease } from './historyEvidence';
import {
  DRIVER_ACTOR,
  HistoryRecords,
  HISTORY_LABEL,
  LEASE,
} from './HistoryRecords';

export { HistoryClock, HISTORY_LABEL } from './HistoryRecords';

/**
 * The operations of one service's history, through the product's own store and decision path:
 * the same calls, in the same order, that OperationService makes (create, preflight with a
 * recorded judgement, confirmation judged again, the run's end), at the history clock's times.
 * Only the order lives here; each write is HistoryRecords', kept apart so it is checked against
 * what OperationService and the runner write in one place.
 */
export class HistoryOperations extends HistoryRecords {
  /**
   * A deploy as OperationService runs it: preflight (blocked, or awaiting confirmation), the
   * requester's confirmation judged again, then the run. Returns the operation as it ended.
   */
  async deploy(
    environment: string,
    release: HistoryRelease,
    requester: string,
    minutes: { confirm: number; run: number },
    outcome: 'succeeded' | 'rolled-back' = 'succeeded',
  ) {
    const start = this.o.clock.now().getTime();
    const store = this.o.operations;
    const op = await this.create(environment, 'deploy', requester, release);
    const steps = op.steps.map(s =>
      s.id === 'preflight'
        ? {
            ...s,
            status: 'running' as const,
            startedAt: this.o.clock.now().toISOString(),
          }
        : s,
    );
    const inPreflight = (await store.transition(op.id, {
      from: ['requested'],
      to: 'preflight',
      steps,
      actor: requester,
    }))!;
    const first = await this.judge(inPreflight, 'preflight');
    if (!first.allowed) {
      return (await store.transition(op.id, {
        from: ['preflight'],
        to: 'blocked',
        reasons: first.reasons,
        steps: steps.map(s =>
          s.id === 'preflight' ? { ...s, status: 'failed' as const } : s,
        ),
        gateSnapshot: first.snapshot,
        actor: requester,
      }))!;
    }
    const baseline = this.revision.get(environment) ?? 40;
    const waiting = (await store.transition(op.id, {
      from: ['preflight'],
      to: 'awaiting-confirmation',
      awaiting: 'plan',
      steps: this.done(steps, 'preflight'),
      reasons: first.reasons,
      gateSnapshot: first.snapshot,
      overrideId: first.override?.id,
      baselineRevision: String(baseline),
      actor: requester,
      lease: null,
    }))!;
    this.at(start + minutes.confirm * 60_000);
    const again = await this.judge(waiting, 'confirm', requester);
    if (!again.allowed) {
      return (await store.transition(op.id, {
        from: ['awaiting-confirmation'],
        to: 'blocked',
        awaiting: null,
        reasons: [
          ...waiting.reasons,
          `Preflight again at confirmation: ${again.reasons.join('. ')}`,
        ],
        gateSnapshot: again.snapshot,
        actor: requester,
      }))!;
    }
    await store.transition(op.id, {
      from: ['awaiting-confirmation'],
      to: 'running',
      awaiting: null,
      confirmedBy: requester,
      steps: waiting.steps,
      gateSnapshot: again.snapshot,
      overrideId: again.override?.id,
      actor: requester,
      lease: LEASE,
      detail: { confirmed: 'plan' },
    });
    return this.finish(
      op,
      start + (minutes.confirm + minutes.run) * 60_000,
      outcome,
      baseline,
    );
  }

  /**
   * A rollback as the page asks for it: a dry-run of the target revision first (the API holds
   * rollbacks to one), then the rollback, confirmed by its requester. Gates do not hold either.
   */
  async rollback(environment: string, requester: string, to: number) {
    const start = this.o.clock.now().getTime();
    const reasons = [
      'Rollbacks and dry-runs are not held by the gates: they return to a known revision',
    ];
    const store = this.o.operations;
    const dry = await this.create(
      environment,
      'rollback-dry-run',
      requester,
      {},
      String(to),
    );
    await store.transition(dry.id, {
      from: ['requested'],
      to: 'preflight',
      steps: dry.steps,
      actor: requester,
    });
    await store.transition(dry.id, {
      from: ['preflight'],
      to: 'running',
      steps: this.done(dry.steps, 'preflight'),
      reasons,
      baselineRevision: String(this.live(environment)),
      actor: requester,
      lease: LEASE,
    });
    this.at(start + 60_000);
    await store.transition(dry.id, {
      from: ['running'],
      to: 'succeeded',
      steps: this.done(dry.steps, 'rollback-dry-run'),
      reasons: [
        ...reasons,
        `Dry-run: revision ${to} can be restored (${HISTORY_LABEL})`,
      ],
      actor: DRIVER_ACTOR,
      timings: { controlPlaneMs: 30, driverMs: 800 },
    });
    this.at(start + 4 * 60_000);
    const op = await this.create(
      environment,
      'rollback',
      requester,
      {},
      String(to),
    );
    await store.transition(op.id, {
      from: ['requested'],
      to: 'preflight',
      steps: op.steps,
      actor: requester,
    });
    const baseline = this.live(environment);
    await store.transition(op.id, {
      from: ['preflight'],
      to: 'awaiting-confirmation',
      awaiting: 'plan',
      steps: this.done(op.steps, 'preflight'),
      reasons,
      baselineRevision: String(baseline),
      actor: requester,
      lease: null,
    });
    this.at(start + 6 * 60_000);
    await store.transition(op.id, {
      from: ['awaiting-confirmation'],
      to: 'running',
      awaiting: null,
      confirmedBy: requester,
      steps: op.steps,
      actor: requester,
      lease: LEASE,
      detail: { confirmed: 'plan' },
    });
    const running = (await store.get(op.id))!;
    return this.finish(running, start + 12 * 60_000, 'succeeded', baseline, to);
  }
}

import { deliveryMetrics, changeFailures } from './delivery';
import {
  history,
  operations,
  period,
  t,
  window,
} from './__testUtils__/history';
import { OperationFact } from './facts';
import { parsePeriod } from './periods';

const value = (m: ReturnType<typeof deliveryMetrics>, id: string) =>
  m.metrics.find(x => x.id === id)!;

describe('delivery metrics (hand-checked history)', () => {
  const m = deliveryMetrics(history, period, 'production', window);

  it('counts succeeded production deploys that finished in the period, per day', () => {
    // D1, D2, D4, E1; not D3 (rolled back), D2a (blocked), S1 (staging), E0 (before), E2 (at the end).
    const f = value(m, 'deployment-frequency');
    expect(f.sample).toBe(4);
    expect(f.value).toBe(0.286);
    expect([...f.operations].sort()).toEqual(['D1', 'D2', 'D4', 'E1']);
  });

  it('measures lead time from the first evidence of the digest, leaving out deploys without', () => {
    const lead = value(m, 'lead-time');
    expect(m.leadTimes.map(l => [l.operationId, l.hours])).toEqual([
      ['D1', 24],
      ['D2', 2],
      ['E1', 12],
    ]);
    expect(lead).toMatchObject({ value: 12, p90: 24, sample: 3 });
    expect(lead.definition).toContain('1 without a digest or evidence');
  });

  it('fails a change on its own rollback, a later rollback or break-glass within the window', () => {
    expect(
      m.failures.map(f => [
        f.operationId,
        f.signal,
        f.signalId,
        f.restoredBy ?? null,
      ]),
    ).toEqual([
      ['D2', 'rollback', 'R1', 'R1'],
      ['D3', 'rolled-back', 'D3', 'D3'],
      ['D4', 'break-glass', 'O2', null],
    ]);
    const cfr = value(m, 'change-failure-rate');
    // Changes: D1, D2, D3, D4, E1.
    expect(cfr).toMatchObject({ value: 0.6, sample: 5 });
    expect(cfr.definition).toContain('P1D');
  });

  it('a rollback of a rollback is neither a failure nor a second restore', () => {
    const all = changeFailures(history, 'production', window.ms);
    expect(
      all.filter(f => f.signalId === 'R2' || f.restoredBy === 'R2'),
    ).toEqual([]);
    // E0 failed (R0) but before the period: in the facts, not in the period's figures.
    expect(all.map(f => f.operationId)).toContain('E0');
    expect(m.failures.map(f => f.operationId)).not.toContain('E0');
  });

  it('measures time to restore from the signal to the restoring operation', () => {
    const restore = value(m, 'time-to-restore');
    expect(m.failures.map(f => f.restoreHours ?? null)).toEqual([
      0.25,
      0.33,
      null,
    ]);
    expect(restore).toMatchObject({ value: 0.29, p90: 0.33, sample: 2 });
    expect([...restore.operations].sort()).toEqual(['D3', 'R1']);
  });

  it('buckets weeks from Monday in UTC', () => {
    expect(m.weeks).toEqual([
      {
        week: '2026-01-05',
        deploys: 2,
        failures: 2,
        leadTimeHours: 13,
        restoreHours: 0.29,
      },
      {
        week: '2026-01-12',
        deploys: 2,
        failures: 1,
        leadTimeHours: 12,
        restoreHours: null,
      },
    ]);
  });

  it('buckets weeks in the asked time zone (D4 is Sunday evening in Los Angeles)', () => {
    const la = deliveryMetrics(
      history,
      { ...period, timeZone: 'America/Los_Angeles' },
      'production',
      window,
    );
    expect(la.weeks.map(w => [w.week, w.deploys, w.failures])).toEqual([
      ['2025-12-29', 0, 0],
      ['2026-01-05', 3, 3],
      ['2026-01-12', 1, 0],
    ]);
    // The figures over the period do not depend on the zone.
    expect(la.metrics).toEqual(m.metrics);
  });

  it('has no figures without deploys, and says so rather than dividing by zero', () => {
    const none = deliveryMetrics(
      { ...history, operations: [] },
      period,
      'production',
      window,
    );
    expect(none.metrics.map(x => [x.id, x.value, x.sample])).toEqual([
      ['deployment-frequency', 0, 0],
      ['lead-time', null, 0],
      ['change-failure-rate', null, 0],
      ['time-to-restore', null, 0],
    ]);
    expect(none.weeks.every(w => w.deploys === 0)).toBe(true);
  });

  it('another environment sees only its own operations', () => {
    const staging = deliveryMetrics(history, period, 'staging', window);
    expect(value(staging, 'deployment-frequency').operations).toEqual(['S1']);
    expect(staging.failures).toEqual([]);
  });
});

describe('what counts as a change and a failure (review R1)', () => {
  const base = operations.find(o => o.id === 'D1')!;
  const deploy = (id: string, o: Partial<OperationFact>): OperationFact => ({
    ...base,
    id,
    ...o,
  });
  const with_ = (...ops: OperationFact[]) => ({
    ...history,
    operations: ops,
    analysisFailures: [],
  });

  it('a deploy left needing attention failed and is not restored by itself', () => {
    const m = deliveryMetrics(
      with_(deploy('N', { state: 'needs-attention' })),
      period,
      'production',
      window,
    );
    expect(m.failures.map(f => [f.signal, f.restoredAt ?? null])).toEqual([
      ['needs-attention', null],
    ]);
    expect(value(m, 'time-to-restore').sample).toBe(0);
  });

  it('a confirmed deploy that failed before its driver started changed nothing: not a change', () => {
    const m = deliveryMetrics(
      with_(deploy('F', { state: 'failed', started: false })),
      period,
      'production',
      window,
    );
    expect(value(m, 'change-failure-rate')).toMatchObject({
      value: null,
      sample: 0,
    });
  });

  it('a canary aborted while running failed, and its analysis is not blamed on the deploy before', () => {
    const facts = {
      ...with_(
        deploy('OK', {}),
        deploy('AB', {
          state: 'aborted',
          createdAt: t('05T12:00'),
          finishedAt: t('05T12:30'),
          release: { version: '2', digest: 'dA2' },
        }),
      ),
      analysisFailures: [
        {
          id: 'run',
          entityRef: base.entityRef,
          environment: 'production',
          digest: 'dA2',
          at: t('05T12:20'),
        },
      ],
    };
    const m = deliveryMetrics(facts, period, 'production', window);
    expect(m.failures.map(f => [f.operationId, f.signal])).toEqual([
      ['AB', 'rolled-back'],
    ]);
    expect(value(m, 'change-failure-rate')).toMatchObject({
      value: 0.5,
      sample: 2,
    });
  });

  it('a failed analysis counts only for the image it names', () => {
    const run = (digest?: string) => ({
      ...with_(deploy('D', {})),
      analysisFailures: [
        {
          id: 'run',
          entityRef: base.entityRef,
          environment: 'production',
          digest,
          at: t('05T12:00'),
        },
      ],
    });
    const signal = (digest?: string) =>
      deliveryMetrics(run(digest), period, 'production', window).failures.map(
        f => f.signal,
      );
    expect(signal('dA1')).toEqual(['failed-analysis']);
    expect(signal('dOld')).toEqual([]);
    expect(signal(undefined)).toEqual([]);
  });
});

describe('periods', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('defaults to the 90 days before now in UTC', () => {
    const p = parsePeriod({}, now);
    expect(p).toEqual({
      from: new Date('2025-12-01T12:00:00Z'),
      to: now,
      timeZone: 'UTC',
    });
  });

  it('reads a date as midnight in the zone', () => {
    const p = parsePeriod(
      { from: '2026-01-05', to: '2026-01-19', tz: 'America/Los_Angeles' },
      now,
    );
    expect(p.from.toISOString()).toBe('2026-01-05T08:00:00.000Z');
    expect(p.to.toISOString()).toBe('2026-01-19T08:00:00.000Z');
  });

  it('reads a time without an offset in the zone, not the server’s', () => {
    const p = parsePeriod(
      { from: '2026-01-05T00:00', to: '2026-01-06T00:00', tz: 'Europe/Berlin' },
      now,
    );
    expect(p.from.toISOString()).toBe('2026-01-04T23:00:00.000Z');
  });

  it.each([
    [{ tz: 'Mars/Olympus' }, /IANA time zone/],
    [{ from: 'yesterday' }, /ISO 8601/],
    [{ from: '2026-02-30' }, /ISO 8601/],
    [{ to: '2026-13-01' }, /ISO 8601/],
    [{ from: '2026-02-01', to: '2026-01-01' }, /before/],
    [{ from: '2020-01-01', to: '2026-01-01' }, /at most 366 days/],
  ])('refuses %j', (query, message) => {
    expect(() => parsePeriod(query, now)).toThrow(message);
  });
});

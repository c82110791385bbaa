import { deliveryMetrics } from './delivery';
import { gateEffectiveness } from './effectiveness';
import { history, now, period, window } from './__testUtils__/history';

const failures = deliveryMetrics(
  history,
  period,
  'production',
  window,
).failures;
const e = gateEffectiveness(history, failures, period, 'production', now);
const row = (gate: string) => e.gates.find(g => g.gate === gate)!;

describe('gate effectiveness (hand-checked history)', () => {
  it('counts each release once, by its preflights in the period, and the releases each gate blocked', () => {
    // Releases judged: dA1, dA2 (asked twice: D2a, D2), dA3, dA4, dB1.
    expect(row('image-scanning')).toMatchObject({
      judged: 5,
      blocked: 2,
      blockedReleases: 2,
    });
    expect(row('secret-hygiene')).toMatchObject({
      judged: 5,
      blocked: 0,
      blockedReleases: 0,
    });
  });

  it('asking again for a blocked release is not another block (review: 20 requests read as 20)', () => {
    const again = Array.from({ length: 20 }, (_, i) => ({
      ...history.judgements[1],
      id: `again-${i}`,
      operationId: `again-${i}`,
    }));
    const inflated = gateEffectiveness(
      { ...history, judgements: [...history.judgements, ...again] },
      failures,
      period,
      'production',
      now,
    );
    expect(inflated.gates.find(g => g.gate === 'image-scanning')).toMatchObject(
      { judged: 5, blocked: 2 },
    );
  });

  it('says what turned a block green and how long it took', () => {
    expect(
      e.blocks.map(b => [
        b.gate,
        b.operationId,
        b.greenBy,
        b.greenOperationId,
        b.hours,
      ]),
    ).toEqual([
      ['image-scanning', 'D2a', 'evidence', 'D2', 24],
      ['image-scanning', 'D4', 'break-glass', 'D4', 0],
    ]);
    expect(row('image-scanning').turnedGreen).toEqual({
      evidence: 1,
      waiver: 0,
      'break-glass': 1,
    });
    expect(row('image-scanning').blockedToGreenHours).toEqual({
      median: 12,
      p90: 24,
    });
  });

  it('measures the age of the oldest evidence a gate used at the deploys that ran', () => {
    // D1 23.5 h, D2 1.5 h, D3 24 h, D4 24 h (E1 recorded none; D2a did not run).
    expect(row('image-scanning').evidenceAgeHours).toEqual({
      median: 23.75,
      p90: 24,
      samples: 4,
    });
  });

  it('finds escapes: releases past the gate by passing, a waiver or break-glass that then failed', () => {
    expect(row('image-scanning').escapes).toEqual({
      pass: 1,
      waiver: 1,
      'break-glass': 1,
    });
    expect(row('secret-hygiene').escapes).toEqual({
      pass: 3,
      waiver: 0,
      'break-glass': 0,
    });
    // A gate the judgements do not name was not passed by anything.
    expect(row('progressive-delivery').escapes).toEqual({
      pass: 0,
      waiver: 0,
      'break-glass': 0,
    });
    expect(
      e.escapes
        .filter(x => x.gate === 'image-scanning')
        .map(x => [x.operationId, x.via, x.failure]),
    ).toEqual([
      ['D2', 'pass', 'rollback'],
      ['D3', 'waiver', 'rolled-back'],
      ['D4', 'break-glass', 'break-glass'],
    ]);
  });

  it('says how each waiver and break-glass override ended', () => {
    expect(
      e.overrides.map(o => [o.id, o.kind, o.outcome, o.operations]),
    ).toEqual([
      ['W3', 'waiver', 'unused', []],
      ['W2', 'waiver', 'active', []],
      ['O2', 'break-glass', 'unused', []],
      ['O1', 'break-glass', 'failed', ['D4']],
      ['W1', 'waiver', 'failed', ['D3']],
    ]);
  });

  it('describes only the newest overrides it is asked to list, and counts them all', () => {
    const two = gateEffectiveness(
      history,
      failures,
      period,
      'production',
      now,
      2,
    );
    expect(two.overrides.map(o => [o.id, o.outcome])).toEqual([
      ['W3', 'unused'],
      ['W2', 'active'],
    ]);
    expect(two.counts).toEqual({ ...e.counts, overrides: 5 });
    expect(e.counts).toMatchObject({ overrides: 5, blocks: e.blocks.length });
  });

  it('fills the gate × week heat map from the preflights', () => {
    const cell = (week: string) =>
      e.cells.find(c => c.gate === 'image-scanning' && c.week === week);
    expect(cell('2026-01-05')).toEqual({
      gate: 'image-scanning',
      week: '2026-01-05',
      judged: 3,
      blocked: 1,
    });
    expect(cell('2026-01-12')).toEqual({
      gate: 'image-scanning',
      week: '2026-01-12',
      judged: 2,
      blocked: 1,
    });
  });

  it('the confirmation of a deploy let through by break-glass is not a second block', () => {
    const confirm = {
      ...history.judgements.find(j => j.id === 'J4')!,
      id: 'J4c',
      occasion: 'confirm' as const,
    };
    const twice = gateEffectiveness(
      { ...history, judgements: [...history.judgements, confirm] },
      failures,
      period,
      'production',
      now,
    );
    expect(
      twice.gates.find(g => g.gate === 'image-scanning')!.turnedGreen,
    ).toEqual({ evidence: 1, waiver: 0, 'break-glass': 1 });
  });

  it('a healthy deploy through a waiver reads healthy', () => {
    const healthy = gateEffectiveness(
      history,
      failures.filter(f => f.operationId !== 'D3'),
      period,
      'production',
      now,
    );
    expect(healthy.overrides.find(o => o.id === 'W1')?.outcome).toBe('healthy');
  });

  it('is empty without judgements', () => {
    const none = gateEffectiveness(
      { ...history, judgements: [] },
      [],
      period,
      'production',
      now,
    );
    expect(none.gates.every(g => g.judged === 0 && g.blocked === 0)).toBe(true);
    expect(none.blocks).toEqual([]);
    expect(none.escapes).toEqual([]);
  });
});

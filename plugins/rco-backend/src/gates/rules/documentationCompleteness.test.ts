import { context, runbook } from '../__testUtils__/context';
import { gateCondition } from '../conditions';
import { documentationCompleteness } from './documentationCompleteness';

describe('documentation-completeness', () => {
  it.each([
    {
      name: 'no runbook: missing',
      rb: () => undefined,
      status: 'missing',
      reason: 'No valid runbook',
    },
    {
      name: 'the example runbook, artefacts in helix-core: pass',
      rb: runbook,
      status: 'pass',
      reason: 'glossary of',
    },
    {
      name: 'artefacts in another repository: fail',
      rb: () => {
        const r = runbook();
        r.metadata.repository = 'https://github.com/elsewhere/rco';
        return r;
      },
      status: 'fail',
      reason: 'not linked to the Helix Core repository',
    },
    {
      name: 'an empty section: fail, naming it',
      rb: () => {
        const r = runbook();
        r.sections[0].body = '  ';
        return r;
      },
      status: 'fail',
      reason: 'Empty sections:',
    },
  ])('$name', ({ rb, status, reason }) => {
    const outcome = documentationCompleteness(context([], { runbook: rb() }));
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});

describe('documentation-completeness and the runbook review cadence (issue 15)', () => {
  // NOW is 2026-11-29T12:00Z; the example runbook declares P6M (its section 13: at least every
  // six months) from 2025-10-09.
  const withCadence = (reviewEvery?: string, lastReviewed?: string) => {
    const r = runbook();
    r.metadata.reviewEvery = reviewEvery;
    r.metadata.lastReviewed = lastReviewed;
    return r;
  };
  const judge = (
    rb: ReturnType<typeof runbook>,
    enforce: boolean | undefined,
    now?: Date,
  ) => {
    const ctx = context([], { runbook: rb, ...(now ? { now } : {}) });
    return documentationCompleteness({
      ...ctx,
      config: { ...ctx.config, runbookReviewEnforce: enforce },
    });
  };

  it.each([
    {
      name: 'overdue, enforced: fail naming the due date',
      rb: () => runbook(),
      enforce: true,
      status: 'fail',
      reason:
        'periodic review was due 2026-04-09 (every P6M, last reviewed 2025-10-09)',
    },
    {
      name: 'overdue, not enforced (the default): pass',
      rb: () => runbook(),
      enforce: undefined,
      status: 'pass',
      reason: 'glossary of',
    },
    {
      name: 'not yet due, enforced: pass',
      rb: () => withCadence('P1Y', '2026-06-01'),
      enforce: true,
      status: 'pass',
      reason: 'glossary of',
    },
    {
      name: 'no cadence declared, enforced: fail (leaving it out must not walk around the rule)',
      rb: () => withCadence(undefined, undefined),
      enforce: true,
      status: 'fail',
      reason: 'The runbook declares no periodic review',
    },
    {
      name: 'no cadence declared, not enforced: pass',
      rb: () => withCadence(undefined, undefined),
      enforce: false,
      status: 'pass',
      reason: 'glossary of',
    },
    {
      name: 'only the interval declared, enforced: fail',
      rb: () => withCadence('P6M', undefined),
      enforce: true,
      status: 'fail',
      reason: 'The runbook declares no periodic review',
    },
    {
      name: 'last reviewed after today, enforced: fail',
      rb: () => withCadence('P1Y', '2099-01-01'),
      enforce: true,
      status: 'fail',
      reason: 'metadata.lastReviewed (2099-01-01) is after today',
    },
  ])('$name', ({ rb, enforce, status, reason }) => {
    const outcome = judge(rb(), enforce);
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });

  it('a passing gate under enforcement changes at the due instant, and fails from it on', () => {
    const rb = withCadence('P1D', '2026-11-29');
    const before = judge(rb, true, new Date('2026-11-29T23:59:59.999Z'));
    expect(before.status).toBe('pass');
    expect(before.changesAt?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    const at = judge(rb, true, new Date('2026-11-30T00:00:00.000Z'));
    expect(at.status).toBe('fail');
    expect(at.reasons.join('\n')).toContain('was due 2026-11-30');
  });
});

describe('the condition of documentation-completeness in words', () => {
  const words = (enforce: boolean) =>
    gateCondition('documentation-completeness', 'P7D', {
      runbook: runbook(),
      config: { ...context([]).config, runbookReviewEnforce: enforce },
      entityName: 'rco',
      signoffGroups: { po: undefined, dpo: undefined, security: undefined },
      release: {},
    });
  it('names the periodic review only when it is enforced', () => {
    expect(words(true)).toMatch(/periodic review .* is not overdue/);
    expect(words(false)).not.toMatch(/periodic review/);
  });
});

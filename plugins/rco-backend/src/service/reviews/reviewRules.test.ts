import { OperationState, OperationType } from '@helix-portal/plugin-rco-common';
import {
  isReviewable,
  MAX_REVIEW_FIELD_CHARS,
  parseReviewInput,
  reviewRefusal,
} from './reviewRules';

const PROD = ['production'];
const op = (
  state: OperationState,
  o: { type?: OperationType; environment?: string; ran?: boolean } = {},
) => ({
  type: o.type ?? 'deploy',
  environment: o.environment ?? 'production',
  state,
  timings: o.ran ? { controlPlaneMs: 1, driverMs: 1 } : undefined,
});

describe('reviewRefusal: what may be reviewed', () => {
  it.each([
    // Finished after running: reviewable.
    {
      name: 'deploy succeeded',
      op: op('succeeded', { ran: true }),
      refused: undefined,
    },
    {
      name: 'rollback succeeded',
      op: op('succeeded', { type: 'rollback', ran: true }),
      refused: undefined,
    },
    {
      name: 'deploy rolled back',
      op: op('rolled-back', { ran: true }),
      refused: undefined,
    },
    {
      name: 'needs attention',
      op: op('needs-attention', { ran: true }),
      refused: undefined,
    },
    {
      name: 'failed while running',
      op: op('failed', { ran: true }),
      refused: undefined,
    },
    {
      name: 'aborted while running (canary abort)',
      op: op('aborted', { ran: true }),
      refused: undefined,
    },
    // Ended before running: nothing changed.
    { name: 'failed in preflight', op: op('failed'), refused: /before it ran/ },
    {
      name: 'aborted before confirmation',
      op: op('aborted'),
      refused: /before it ran/,
    },
    {
      name: 'blocked by the gates',
      op: op('blocked'),
      refused: /before it ran/,
    },
    // Not finished.
    { name: 'running', op: op('running'), refused: /once it has finished/ },
    {
      name: 'awaiting confirmation',
      op: op('awaiting-confirmation'),
      refused: /once it has finished/,
    },
    { name: 'requested', op: op('requested'), refused: /once it has finished/ },
    // Not production, or changes nothing.
    {
      name: 'staging deploy',
      op: op('succeeded', { environment: 'staging', ran: true }),
      refused: /Only deploys and rollbacks in production/,
    },
    {
      name: 'rollback dry-run',
      op: op('succeeded', { type: 'rollback-dry-run', ran: true }),
      refused: /changes nothing/,
    },
  ])('$name', ({ op: o, refused }) => {
    // A reviewable operation has no refusal at all ('' then).
    const message = reviewRefusal(o, PROD)?.message ?? '';
    expect(message).toMatch(refused ?? /^$/);
    expect(isReviewable(o, PROD)).toBe(!refused);
  });

  it('answers 400 for an operation that is never reviewable and 409 for one not yet or never run', () => {
    expect(
      reviewRefusal(op('succeeded', { environment: 'staging' }), PROD)?.name,
    ).toBe('InputError');
    expect(reviewRefusal(op('running'), PROD)?.name).toBe('ConflictError');
    expect(reviewRefusal(op('blocked'), PROD)?.name).toBe('ConflictError');
  });

  it('production is whatever the configuration names', () => {
    expect(
      isReviewable(op('succeeded', { environment: 'prod-eu', ran: true }), [
        'prod-eu',
      ]),
    ).toBe(true);
    expect(isReviewable(op('succeeded', { ran: true }), ['prod-eu'])).toBe(
      false,
    );
  });
});

describe('parseReviewInput', () => {
  const ok = {
    result: 'as-planned',
    summary: ' Went fine. ',
    deviations: '',
    lessons: '',
  };
  it('trims and accepts a review without deviations or lessons', () => {
    expect(parseReviewInput(ok)).toEqual({
      result: 'as-planned',
      summary: 'Went fine.',
      deviations: '',
      lessons: '',
    });
    expect(parseReviewInput({ result: 'failed', summary: 'x' })).toMatchObject({
      deviations: '',
      lessons: '',
    });
  });
  it.each([
    [{ ...ok, result: 'fine' }, /result must be one of/],
    [{ ...ok, summary: '   ' }, /summary must say what happened/],
    [{ ...ok, summary: 42 }, /summary must be text/],
    [
      { ...ok, lessons: 'x'.repeat(MAX_REVIEW_FIELD_CHARS + 1) },
      /lessons is 20001 characters/,
    ],
    [{ ...ok, result: 'with-deviations' }, /deviations must say what differed/],
    [undefined, /result must be one of/],
  ])('refuses %#', (body, message) => {
    expect(() => parseReviewInput(body)).toThrow(message);
  });
});

import { overdueReason, runbookReviewCadence } from './cadence';

const NOW = new Date('2026-11-30T12:00:00Z');

describe('runbookReviewCadence', () => {
  it.each([
    {
      name: 'both fields missing: no due date, never overdue',
      metadata: {},
      expected: { overdue: false },
    },
    {
      name: 'only reviewEvery: no due date',
      metadata: { reviewEvery: 'P90D' },
      expected: { reviewEvery: 'P90D', overdue: false },
    },
    {
      name: 'only lastReviewed: no due date',
      metadata: { lastReviewed: '2026-01-01' },
      expected: { lastReviewed: '2026-01-01', overdue: false },
    },
    {
      name: 'a duration that does not read (a version stored before validation): no due date',
      metadata: { reviewEvery: 'every quarter', lastReviewed: '2026-01-01' },
      expected: {
        reviewEvery: 'every quarter',
        lastReviewed: '2026-01-01',
        overdue: false,
      },
    },
    {
      name: 'a zero duration: no due date',
      metadata: { reviewEvery: 'P0D', lastReviewed: '2026-01-01' },
      expected: {
        reviewEvery: 'P0D',
        lastReviewed: '2026-01-01',
        overdue: false,
      },
    },
    {
      name: 'a date that does not exist: no due date',
      metadata: { reviewEvery: 'P90D', lastReviewed: '2026-02-30' },
      expected: {
        reviewEvery: 'P90D',
        lastReviewed: '2026-02-30',
        overdue: false,
      },
    },
    {
      name: 'due in the past: overdue',
      metadata: { reviewEvery: 'P90D', lastReviewed: '2025-10-09' },
      expected: {
        reviewEvery: 'P90D',
        lastReviewed: '2025-10-09',
        dueAt: '2026-01-07T00:00:00.000Z',
        overdue: true,
      },
    },
    {
      name: 'due in the future: not overdue',
      metadata: { reviewEvery: 'P6M', lastReviewed: '2026-09-01' },
      expected: {
        reviewEvery: 'P6M',
        lastReviewed: '2026-09-01',
        dueAt: '2027-03-01T00:00:00.000Z',
        overdue: false,
      },
    },
    {
      name: 'months are calendar months: P3M from 31 January is 30 April',
      metadata: { reviewEvery: 'P3M', lastReviewed: '2027-01-31' },
      expected: {
        reviewEvery: 'P3M',
        lastReviewed: '2027-01-31',
        dueAt: '2027-04-30T00:00:00.000Z',
        overdue: false,
      },
    },
  ])('$name', ({ metadata, expected }) => {
    expect(runbookReviewCadence(metadata, NOW)).toEqual(expected);
  });

  it('is overdue exactly at the due instant, not a millisecond before', () => {
    const metadata = { reviewEvery: 'PT12H', lastReviewed: '2026-11-30' };
    expect(
      runbookReviewCadence(metadata, new Date('2026-11-30T11:59:59.999Z'))
        .overdue,
    ).toBe(false);
    expect(
      runbookReviewCadence(metadata, new Date('2026-11-30T12:00:00.000Z'))
        .overdue,
    ).toBe(true);
  });

  it('names the due date only when overdue', () => {
    const overdue = runbookReviewCadence(
      { reviewEvery: 'P90D', lastReviewed: '2025-10-09' },
      NOW,
    );
    expect(overdueReason(overdue)).toMatch(/was due 2026-01-07/);
    expect(
      overdueReason(
        runbookReviewCadence(
          { reviewEvery: 'P1Y', lastReviewed: '2026-10-01' },
          NOW,
        ),
      ),
    ).toBeUndefined();
  });
});

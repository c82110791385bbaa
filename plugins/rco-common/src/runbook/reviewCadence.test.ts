import fs from 'node:fs';
import path from 'node:path';
import { parseRunbook } from './parse';

const v13 = fs.readFileSync(
  path.resolve(__dirname, '../../../../examples/rco/runbook/rco-runbook.yaml'),
  'utf8',
);
const withMetadata = (lines: string) =>
  v13.replace(/^ {2}reviewEvery: .*\n {2}lastReviewed: .*\n/m, lines);

describe('runbook review cadence fields (metadata.reviewEvery, metadata.lastReviewed)', () => {
  it('reads them from the example runbook', () => {
    const result = parseRunbook(v13);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.runbook.metadata).toMatchObject({
      reviewEvery: 'P6M',
      lastReviewed: '2025-10-09',
    });
  });

  it('accepts a runbook without them (both are optional)', () => {
    const result = parseRunbook(withMetadata(''));
    expect(result).toMatchObject({ ok: true });
    const metadata = result.ok ? result.runbook.metadata : undefined;
    expect(metadata).toBeDefined();
    expect(metadata?.reviewEvery).toBeUndefined();
    expect(metadata?.lastReviewed).toBeUndefined();
  });

  it.each([
    ['  reviewEvery: quarterly\n', 'metadata.reviewEvery', 'ISO 8601 duration'],
    ['  reviewEvery: P0D\n', 'metadata.reviewEvery', 'longer than zero'],
    ['  lastReviewed: "09.10.2025"\n', 'metadata.lastReviewed', 'YYYY-MM-DD'],
    [
      '  lastReviewed: "2025-02-30"\n',
      'metadata.lastReviewed',
      'real calendar date',
    ],
  ])('rejects %j, naming the field', (lines, field, message) => {
    const result = parseRunbook(withMetadata(lines));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: field,
          message: expect.stringContaining(message),
        }),
      ]),
    );
  });
});

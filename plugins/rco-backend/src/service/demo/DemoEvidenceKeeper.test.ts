import { pruneAfter } from './DemoEvidenceKeeper';

const DAY = 86_400_000;

/** How long the demo keeps a superseded record: as long as any gate may still count it. */
describe('pruneAfter', () => {
  it("is the catalogue's longest maximum evidence age (P30D) when nothing is configured", () => {
    expect(pruneAfter()).toBe(30 * DAY);
    expect(pruneAfter({ 'image-scanning': 'P1D' })).toBe(30 * DAY);
  });

  it('follows a configured maximum age longer than the catalogue’s', () => {
    expect(pruneAfter({ 'image-scanning': 'P90D' })).toBe(90 * DAY);
    expect(pruneAfter({ 'rto-rpo-verification': 'PT2400H' })).toBe(100 * DAY);
  });
});

import { validUntilOf } from './storedVerdicts';

const NOW = new Date('2026-11-30T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const judged = (gates: object[], waivers: object[] = []) =>
  ({ status: { gates }, waivers } as any);

describe('validUntilOf', () => {
  const cap = new Date(NOW.getTime() + 3_600_000);

  it('is the earliest of evidence ageing out, a rule deadline (RPO) and a waiver ending', () => {
    expect(
      validUntilOf(
        [
          judged([
            { expiresAt: at(86_400_000), changesAt: at(300_000) },
            { expiresAt: at(600_000) },
          ]),
        ],
        NOW,
        cap,
      ).toISOString(),
    ).toBe(at(300_000));
    expect(
      validUntilOf(
        [
          judged(
            [{ expiresAt: at(600_000) }],
            [{ expiresAt: new Date(at(60_000)) }],
          ),
        ],
        NOW,
        cap,
      ).toISOString(),
    ).toBe(at(60_000));
  });

  it('never later than the cap, and ignores moments already past or revoked waivers', () => {
    expect(
      validUntilOf(
        [
          judged(
            [{ expiresAt: at(-1000), changesAt: at(-1) }],
            [{ expiresAt: new Date(at(1000)), revokedAt: new Date() }],
          ),
        ],
        NOW,
        cap,
      ),
    ).toEqual(cap);
  });
});

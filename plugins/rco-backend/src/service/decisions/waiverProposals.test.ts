import { proposalStates } from './waiverProposals';

const at = (iso: string) => new Date(iso);
const proposal = (
  o: Partial<Parameters<typeof proposalStates>[0][0]> = {},
) => ({
  id: 'p1',
  ledgerSeq: 10,
  gate: 'image-scanning',
  environment: 'production' as string | undefined,
  justification: 'Scanner down until Monday',
  expiresAt: at('2026-12-03T00:00:00Z'),
  proposedBy: 'user:default/alice',
  proposedAt: at('2026-12-01T10:00:00Z'),
  releaseVersion: '1.4.0' as string | undefined,
  ...o,
});
const waiver = (o: Partial<Parameters<typeof proposalStates>[1][0]> = {}) => ({
  id: 'w1',
  gate: 'image-scanning' as const,
  environment: 'production' as string | undefined,
  justification: 'ok',
  grantedBy: 'user:default/sam',
  createdAt: at('2026-12-01T11:00:00Z'),
  expiresAt: at('2026-12-02T00:00:00Z'),
  releaseVersion: '1.4.0' as string | undefined,
  revokedAt: undefined as Date | undefined,
  ...o,
});
const NOW = at('2026-12-01T12:00:00Z');

describe('proposalStates', () => {
  it.each([
    ['no waiver', [], NOW, 'open', undefined],
    [
      'a waiver of the same gate and environment after it',
      [waiver()],
      NOW,
      'granted',
      'w1',
    ],
    [
      'a waiver granted at the same instant',
      [waiver({ createdAt: at('2026-12-01T10:00:00Z') })],
      NOW,
      'granted',
      'w1',
    ],
    [
      'a waiver of it that was later revoked (what was asked is not in force)',
      [waiver({ revokedAt: NOW })],
      NOW,
      'open',
      undefined,
    ],
    [
      'a waiver for another release',
      [waiver({ releaseVersion: '1.5.0' })],
      NOW,
      'open',
      undefined,
    ],
    [
      'a waiver for every release',
      [waiver({ releaseVersion: undefined })],
      NOW,
      'granted',
      'w1',
    ],
    [
      'a waiver from before the proposal',
      [waiver({ createdAt: at('2026-12-01T09:59:59Z') })],
      NOW,
      'open',
      undefined,
    ],
    [
      'a waiver of another gate',
      [waiver({ gate: 'policy-enforcement' })],
      NOW,
      'open',
      undefined,
    ],
    [
      'a waiver in another environment',
      [waiver({ environment: 'staging' })],
      NOW,
      'open',
      undefined,
    ],
    [
      'a waiver for every environment',
      [waiver({ environment: undefined })],
      NOW,
      'granted',
      'w1',
    ],
    [
      'no waiver, past the expiry it asked for',
      [],
      at('2026-12-03T00:00:00Z'),
      'expired',
      undefined,
    ],
    [
      'a waiver after it, even past its expiry',
      [waiver()],
      at('2026-12-05T00:00:00Z'),
      'granted',
      'w1',
    ],
  ] as const)('%s: %s', (_what, waivers, now, state, waiverId) => {
    const [p] = proposalStates([proposal()], [...waivers], now);
    expect(p.state).toBe(state);
    expect(p.waiverId).toBe(waiverId);
  });

  it('answers a proposal for every environment or release only with a waiver as wide', () => {
    const [release] = proposalStates(
      [proposal({ releaseVersion: undefined })],
      [waiver()],
      NOW,
    );
    expect(release.state).toBe('open');
    const [p] = proposalStates(
      [proposal({ environment: undefined })],
      [waiver(), waiver({ id: 'w2', environment: undefined })],
      NOW,
    );
    expect(p).toMatchObject({ state: 'granted', waiverId: 'w2' });
  });

  it('names the first waiver after the proposal, and lists the newest proposal first', () => {
    const states = proposalStates(
      [
        proposal(),
        proposal({
          id: 'p2',
          ledgerSeq: 12,
          proposedAt: at('2026-12-01T11:30:00Z'),
        }),
      ],
      [
        waiver({ id: 'late', createdAt: at('2026-12-01T11:45:00Z') }),
        waiver({ id: 'early', createdAt: at('2026-12-01T10:30:00Z') }),
      ],
      NOW,
    );
    expect(states.map(s => [s.id, s.waiverId])).toEqual([
      ['p2', 'late'],
      ['p1', 'early'],
    ]);
  });
});

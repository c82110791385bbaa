import { waiverRefusal } from './WaiverService';

const NOW = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const in_ = (ms: number) => new Date(NOW.getTime() + ms);

describe('waiverRefusal', () => {
  it.each<[string, string, Date, RegExp | undefined]>([
    [
      'a gate that evidence passes, within the maximum',
      'image-scanning',
      in_(DAY),
      undefined,
    ],
    [
      'an unknown gate',
      'moon-landing',
      in_(DAY),
      /^Unknown gate "moon-landing"/,
    ],
    [
      'the sign-off gate, whatever the expiry',
      'dpo-signoff',
      in_(DAY),
      /^dpo-signoff cannot be waived: .*only a break-glass override/,
    ],
    ['an expiry in the past', 'image-scanning', in_(-1), /in the future/],
    ['an expiry of now', 'image-scanning', NOW, /in the future/],
    ['longer than the maximum', 'image-scanning', in_(8 * DAY), /at most P7D/],
  ])('%s', (_name, gate, expiresAt, refusal) => {
    const result = waiverRefusal(gate, expiresAt, NOW, 7 * DAY, 'P7D');
    expect(result ?? '').toMatch(refusal ?? /^$/);
  });
});

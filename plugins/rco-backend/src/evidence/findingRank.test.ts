import { EvidenceSummary } from '@helix-portal/plugin-rco-common';
import { findingRank } from './findingRank';

const counts = (over: Record<string, number> = {}) => ({
  CRITICAL: 0,
  HIGH: 0,
  MEDIUM: 0,
  LOW: 0,
  UNKNOWN: 0,
  ...over,
});
const scan = (c: Record<string, number>, secrets = 0): EvidenceSummary => ({
  type: 'vulnerability-scan',
  tool: 'trivy',
  counts: counts(c),
  findings: [],
  secrets: Array.from({ length: secrets }, () => ({ rule: 'aws' })),
  misconfigurations: counts(),
});
const secretScan = (
  tool: 'gitleaks' | 'trufflehog',
  verified: boolean[],
): EvidenceSummary => ({
  type: 'secret-scan',
  tool,
  findings: verified.map(v => ({ rule: 'r', verified: v })),
});

describe('findingRank', () => {
  it.each<[string, EvidenceSummary, number]>([
    ['a clean scan', scan({}), 0],
    ['a scan with a LOW finding', scan({ LOW: 3 }), 2],
    [
      'a scan with a CRITICAL finding (the worst counts)',
      scan({ LOW: 3, CRITICAL: 1 }),
      5,
    ],
    ['a scan that found secrets', scan({}, 1), 10],
    ['a scan with a HIGH finding and secrets', scan({ HIGH: 1 }, 2), 14],
    ['an empty gitleaks list', secretScan('gitleaks', []), 0],
    ['a gitleaks finding', secretScan('gitleaks', [false]), 2],
    ['an unverified trufflehog hit', secretScan('trufflehog', [false]), 1],
    ['a verified trufflehog hit', secretScan('trufflehog', [false, true]), 2],
    [
      'a failed signature verification',
      {
        type: 'signature',
        tool: 'cosign',
        verified: false,
        signatures: 0,
        digests: [],
        identities: [],
      },
      1,
    ],
    [
      "CI's claim (a cosign report, issue 13): not adverse, it only does not count",
      {
        type: 'signature',
        tool: 'cosign',
        verified: false,
        verification: { verifiedBy: 'claim', ok: true },
        signatures: 1,
        digests: [],
        identities: [],
      },
      0,
    ],
    [
      'a bundle the console could not verify',
      {
        type: 'signature',
        tool: 'sigstore-bundle',
        verified: false,
        verification: { verifiedBy: 'console', ok: false, reason: 'x' },
        signatures: 1,
        digests: [],
        identities: [],
      },
      1,
    ],
    [
      'a bundle the console verified',
      {
        type: 'signature',
        tool: 'sigstore-bundle',
        verified: true,
        verification: { verifiedBy: 'console', ok: true },
        signatures: 1,
        digests: [],
        identities: [],
      },
      0,
    ],
    [
      'a failed attestation',
      {
        type: 'attestation',
        attestation: 'rollback-dry-run',
        succeeded: false,
        details: {},
      },
      1,
    ],
    [
      'a prometheus rule (no findings to speak of)',
      { type: 'prometheus-rule', name: 'x', alerts: [] },
      0,
    ],
  ])('%s: %d', (_name, summary, rank) =>
    expect(findingRank(summary)).toBe(rank),
  );

  it('gives a worse class another rank than each less bad one', () => {
    const ranks = [
      scan({}),
      scan({ UNKNOWN: 1 }),
      scan({ LOW: 1 }),
      scan({ MEDIUM: 1 }),
      scan({ HIGH: 1 }),
      scan({ CRITICAL: 1 }),
    ].map(findingRank);
    expect(new Set(ranks).size).toBe(ranks.length);
  });
});

import { SignatureSummary } from '@helix-portal/plugin-rco-common';
import {
  EARLIER_POLICY_REASON,
  consoleVerified,
  underSigningPolicy,
} from './signatureState';

const bundle = (
  signingPolicy: string | undefined,
  ok = true,
): { kind: string; summary: SignatureSummary } => ({
  kind: 'sigstore-bundle',
  summary: {
    type: 'signature',
    tool: 'sigstore-bundle',
    verified: ok,
    verification: {
      verifiedBy: 'console',
      ok,
      identity: { issuer: 'i', subject: 's' },
      ...(ok ? {} : { reason: 'not an identity rco allows' }),
    },
    ...(signingPolicy ? { signingPolicy } : {}),
    signatures: 1,
    digests: [],
    identities: [],
  },
});

describe('underSigningPolicy (R2 M1)', () => {
  it('keeps a verification made under the policy in force', () => {
    const [r] = underSigningPolicy([bundle('now')], 'now');
    expect(consoleVerified(r.summary as SignatureSummary)).toBe(true);
  });

  it('refuses: a verification under an earlier policy, or an unrecorded one, still signs', () => {
    for (const stored of [bundle('before'), bundle(undefined)]) {
      const [r] = underSigningPolicy([stored], 'now');
      expect(consoleVerified(r.summary as SignatureSummary)).toBe(false);
      expect(r.summary).toMatchObject({
        verified: false,
        verification: {
          verifiedBy: 'console',
          ok: false,
          reason: EARLIER_POLICY_REASON,
          identity: { subject: 's' },
        },
      });
    }
  });

  it('a failure under an earlier policy is not the current verdict either', () => {
    const [r] = underSigningPolicy([bundle('before', false)], 'now');
    expect((r.summary as SignatureSummary).verification?.reason).toBe(
      EARLIER_POLICY_REASON,
    );
  });

  it("leaves CI's claims and other evidence alone", () => {
    const claim = {
      kind: 'cosign',
      summary: {
        ...bundle(undefined).summary,
        tool: 'cosign' as const,
        verification: { verifiedBy: 'claim' as const, ok: true },
      },
    };
    expect(underSigningPolicy([claim], 'now')[0]).toBe(claim);
  });
});

import { InputError } from '@backstage/errors';
import { SignatureSummary } from '@helix-portal/plugin-rco-common';
import { readSample } from '../../__testUtils__/fixtures';
import { cosignParser } from './cosign';

const sampleText = readSample('cosign-verify-key-based.json');
const sample = () => JSON.parse(sampleText);

const digest = `sha256:${'e3'.repeat(32)}`;
const workflow =
  'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.4.2';

/** `cosign verify --certificate-identity … --certificate-oidc-issuer …` output, keyless. */
const keyless = (optional: Record<string, unknown>) => ({
  critical: {
    identity: { 'docker-reference': 'ghcr.io/acme/app' },
    image: { 'docker-manifest-digest': digest },
    type: 'cosign container image signature',
  },
  optional: {
    Bundle: {
      SignedEntryTimestamp: 'MEUCIQD0…',
      Payload: {
        body: 'eyJhcGlWZXJzaW9uIjoiMC4wLjEi…',
        integratedTime: 1736846400,
        logIndex: 161234567,
        logID:
          'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
      },
    },
    ...optional,
  },
});

describe('cosignParser', () => {
  it('reads the real key-based verify output', () => {
    const raw = sample();
    const parsed = cosignParser.parse(raw);
    const expected = raw[0].critical.image['docker-manifest-digest'];
    expect(parsed.summary).toEqual<SignatureSummary>({
      type: 'signature',
      tool: 'cosign',
      // Issue 13: CI's claim, not a verification the console made (it said verified: true).
      verified: false,
      verification: {
        verifiedBy: 'claim',
        ok: true,
        reason:
          "CI's claim: cosign verify output says it verified, but the console cannot check a report (upload the Sigstore bundle instead)",
      },
      signatures: raw.length,
      digests: [expected],
      identities: [],
    });
    expect(parsed.subject).toEqual({ digest: expected });
    expect(parsed.sanitized).toEqual(raw);
    expect(parsed.sanitized).not.toBe(raw);
  });

  it('reads keyless identities from Issuer/Subject or the Fulcio extensions', () => {
    const doc = [
      keyless({
        Issuer: 'https://token.actions.githubusercontent.com',
        Subject: workflow,
        '1.3.6.1.4.1.57264.1.1': 'https://token.actions.githubusercontent.com',
        '1.3.6.1.4.1.57264.1.2': 'push',
      }),
      // An older cosign: the issuer only as the raw extension, no Subject.
      keyless({ '1.3.6.1.4.1.57264.1.1': 'https://accounts.google.com' }),
      // The same identity twice is one identity.
      keyless({
        Issuer: 'https://token.actions.githubusercontent.com',
        Subject: workflow,
      }),
    ];
    const summary = cosignParser.parse(doc).summary as SignatureSummary;
    expect(summary.signatures).toBe(3);
    expect(summary.digests).toEqual([digest]);
    expect(summary.identities).toEqual([
      {
        issuer: 'https://token.actions.githubusercontent.com',
        subject: workflow,
      },
      { issuer: 'https://accounts.google.com' },
    ]);
  });

  it('rejects malformed output with an InputError naming the problem', () => {
    expect(() => cosignParser.parse([])).toThrow(InputError);
    expect(() => cosignParser.parse([])).toThrow(
      'cosign verify output has no signatures',
    );
    expect(() => cosignParser.parse(sample()[0])).toThrow(
      'cosign verify output is not a JSON array of signatures',
    );
    const noDigest = sample();
    noDigest[0].critical.image = {
      'docker-manifest-digest': 'localhost:5000/tcpconnect:latest',
    };
    expect(() => cosignParser.parse(noDigest)).toThrow(
      'cosign signature [0] has no sha256 critical.image.docker-manifest-digest',
    );
    const other = [...sample(), { critical: { type: 'something else' } }];
    expect(() => cosignParser.parse(other)).toThrow(
      'cosign signature [1] is not a "cosign container image signature" payload',
    );
  });
});

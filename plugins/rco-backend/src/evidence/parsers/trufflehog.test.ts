import { InputError } from '@backstage/errors';
import { SecretScanSummary } from '@helix-portal/plugin-rco-common';
import { REDACTED } from './mask';
import { trufflehogParser } from './trufflehog';

/**
 * Fake credentials: AWS's documentation example key pair and an off-pattern Slack webhook, so
 * that secret scanners run on this repository do not flag the test itself.
 */
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SLACK_WEBHOOK =
  'https://hooks.slack.com/services/TEXAMPLE/BEXAMPLE/example-not-a-real-hook';

/** One line of `trufflehog git … --json`, as trufflehog 3.x writes it. */
const gitResult = {
  SourceMetadata: {
    Data: {
      Git: {
        commit: '77b2a3e56973785a52ba4ae4b8dac61d4bac016f',
        file: 'keys',
        email: 'dev <dev@example.com>',
        repository: 'https://github.com/acme/app',
        timestamp: '2025-01-14 10:27:56 -0700 -0700',
        line: 3,
      },
    },
  },
  SourceID: 1,
  SourceType: 16,
  SourceName: 'trufflehog - git',
  DetectorType: 2,
  DetectorName: 'AWS',
  DecoderName: 'PLAIN',
  Verified: true,
  Raw: AWS_KEY_ID,
  RawV2: `${AWS_KEY_ID}${AWS_SECRET}`,
  Redacted: AWS_KEY_ID,
  ExtraData: { account: '123456789012', resource_type: 'Access key' },
  StructuredData: null,
};

/** One line of `trufflehog filesystem … --json`. */
const fsResult = {
  SourceMetadata: { Data: { Filesystem: { file: 'config/.env', line: 7 } } },
  SourceID: 1,
  SourceType: 15,
  SourceName: 'trufflehog - filesystem',
  DetectorType: 20,
  DetectorName: 'SlackWebhook',
  DecoderName: 'PLAIN',
  Verified: false,
  Raw: SLACK_WEBHOOK,
  RawV2: '',
  Redacted: '',
  ExtraData: null,
  StructuredData: null,
};

const logLine = {
  level: 'info-0',
  ts: '2025-01-14T09:30:00Z',
  logger: 'trufflehog',
  msg: 'finished scanning',
  chunks: 130,
  bytes: 38291,
  verified_secrets: 1,
  unverified_secrets: 1,
};

const SECRETS = [AWS_KEY_ID, AWS_SECRET, SLACK_WEBHOOK];

describe('trufflehogParser', () => {
  it('reads NDJSON lines (as an array) into findings and stores no secret', () => {
    const doc = [gitResult, fsResult, logLine];
    const before = JSON.stringify(doc);
    expect(trufflehogParser.detect(doc)).toBe(true);
    const parsed = trufflehogParser.parse(doc);
    expect(parsed.summary).toEqual<SecretScanSummary>({
      type: 'secret-scan',
      tool: 'trufflehog',
      findings: [
        { rule: 'AWS', file: 'keys', line: 3, verified: true },
        { rule: 'SlackWebhook', file: 'config/.env', line: 7, verified: false },
      ],
    });
    const stored =
      JSON.stringify(parsed.sanitized) + JSON.stringify(parsed.summary);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('masks Raw, RawV2 and Redacted and keeps the rest of each line', () => {
    const [git, fs, log] = trufflehogParser.parse([
      gitResult,
      fsResult,
      logLine,
    ]).sanitized as Array<Record<string, unknown>>;
    expect(git).toEqual({
      ...gitResult,
      Raw: REDACTED,
      RawV2: REDACTED,
      Redacted: REDACTED,
    });
    // Empty values had nothing to hide and stay empty.
    expect(fs).toEqual({ ...fsResult, Raw: REDACTED });
    expect(log).toEqual(logLine);
  });

  it('accepts a single result line on its own', () => {
    expect(trufflehogParser.detect(gitResult)).toBe(true);
    const parsed = trufflehogParser.parse(gitResult);
    expect((parsed.summary as SecretScanSummary).findings).toHaveLength(1);
    expect(parsed.sanitized).toMatchObject({
      DetectorName: 'AWS',
      Raw: REDACTED,
    });
    expect(JSON.stringify(parsed.sanitized)).not.toContain(AWS_KEY_ID);
  });

  it('is not fooled by log lines alone or other arrays', () => {
    expect(trufflehogParser.detect([logLine])).toBe(false);
    expect(trufflehogParser.detect([])).toBe(false);
    expect(
      trufflehogParser.detect([gitResult, { RuleID: 'x', File: 'y' }]),
    ).toBe(false);
    expect(trufflehogParser.parse([]).summary).toMatchObject({ findings: [] });
  });

  it('rejects malformed output with an InputError naming the problem', () => {
    expect(() => trufflehogParser.parse([gitResult, { foo: 1 }])).toThrow(
      InputError,
    );
    expect(() => trufflehogParser.parse([gitResult, { foo: 1 }])).toThrow(
      'trufflehog line 2 is not a result (no DetectorName and SourceMetadata)',
    );
    expect(() => trufflehogParser.parse('AKIA…')).toThrow(InputError);
  });
});

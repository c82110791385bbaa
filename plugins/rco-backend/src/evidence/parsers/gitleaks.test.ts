import { InputError } from '@backstage/errors';
import { SecretScanSummary } from '@helix-portal/plugin-rco-common';
import { readSample } from '../../__testUtils__/fixtures';
import { gitleaksParser } from './gitleaks';
import { REDACTED } from './mask';

const sampleText = readSample('gitleaks-report-json-simple.json');
const sample = () => JSON.parse(sampleText);

/**
 * A second finding as gitleaks 8.x writes it for a git scan. The token is fake and deliberately
 * off-pattern, so that secret scanners run on this repository do not flag the test itself.
 */
const GITHUB_PAT = 'ghp_EXAMPLE_not_a_real_token_0000000000';
const githubFinding = {
  RuleID: 'github-pat',
  Description: 'Uncovered a GitHub Personal Access Token',
  StartLine: 12,
  EndLine: 12,
  StartColumn: 17,
  EndColumn: 56,
  Line: `  GITHUB_TOKEN: ${GITHUB_PAT}`,
  Match: GITHUB_PAT,
  Secret: GITHUB_PAT,
  File: 'deploy/values.yaml',
  SymlinkFile: '',
  Commit: '3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39',
  Link: 'https://github.com/acme/app/blob/3f1c2a9/deploy/values.yaml#L12',
  Entropy: 4.3,
  Author: 'Jane Doe',
  Email: 'jane@example.com',
  Date: '2025-01-14T09:30:00Z',
  Message: 'add values',
  Tags: [],
  Fingerprint:
    '3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39:deploy/values.yaml:github-pat:12',
};

describe('gitleaksParser', () => {
  it('reports rule, file and line of the real sample, and stores no secret', () => {
    const raw = sample();
    const secrets: string[] = raw.flatMap(
      (f: { Secret: string; Match: string }) => [f.Secret, f.Match],
    );
    expect(secrets.every(s => s.length > 0)).toBe(true);

    const parsed = gitleaksParser.parse(raw);
    expect(parsed.summary).toEqual<SecretScanSummary>({
      type: 'secret-scan',
      tool: 'gitleaks',
      // The sample's Fingerprint is "": no fingerprint rather than an empty one.
      findings: [
        { rule: raw[0].RuleID, file: raw[0].File, line: raw[0].StartLine },
      ],
    });
    const stored =
      JSON.stringify(parsed.sanitized) + JSON.stringify(parsed.summary);
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(parsed.subject).toEqual({});
  });

  it('masks Secret, Match and Line on a copy and keeps everything else', () => {
    const raw = [...sample(), githubFinding];
    const before = JSON.stringify(raw);
    const parsed = gitleaksParser.parse(raw);
    const sanitized = parsed.sanitized as Array<Record<string, unknown>>;
    expect(sanitized[1]).toEqual({
      ...githubFinding,
      Secret: REDACTED,
      Match: REDACTED,
      Line: REDACTED,
    });
    expect((parsed.summary as SecretScanSummary).findings[1]).toEqual({
      rule: 'github-pat',
      file: 'deploy/values.yaml',
      line: 12,
      fingerprint: githubFinding.Fingerprint,
    });
    expect(JSON.stringify(parsed)).not.toContain(GITHUB_PAT);
    // No prefix of the token either.
    expect(JSON.stringify(parsed)).not.toContain(GITHUB_PAT.slice(0, 8));
    expect(JSON.stringify(raw)).toBe(before);
  });

  it('accepts an empty report (a clean scan) when parsed explicitly', () => {
    expect(gitleaksParser.detect([])).toBe(false);
    expect(gitleaksParser.parse([]).summary).toEqual({
      type: 'secret-scan',
      tool: 'gitleaks',
      findings: [],
    });
  });

  it('rejects malformed reports with an InputError naming the problem', () => {
    expect(() => gitleaksParser.parse({ findings: [] })).toThrow(InputError);
    expect(() => gitleaksParser.parse({ findings: [] })).toThrow(
      'gitleaks report is not a JSON array of findings',
    );
    expect(() => gitleaksParser.parse([...sample(), { File: 'x' }])).toThrow(
      'gitleaks finding [1] has no RuleID',
    );
    expect(() => gitleaksParser.parse([...sample(), 'oops'])).toThrow(
      'gitleaks report[1] is not an object',
    );
  });
});

import { InputError } from '@backstage/errors';
import { VulnerabilityScanSummary } from '@helix-portal/plugin-rco-common';
import { readSample } from '../../__testUtils__/fixtures';
import { REDACTED } from './mask';
import { normaliseSeverity, trivyParser } from './trivy';

type Vuln = { VulnerabilityID: string; Severity: string; PkgName: string };
type Result = { Target: string; Vulnerabilities?: Vuln[] };

const sampleText = readSample('trivy-image-alpine310.json');
const sample = () => JSON.parse(sampleText);

/** Counted straight from the raw JSON, independently of the parser. */
function countSeverity(doc: { Results: Result[] }, severity: string): number {
  return doc.Results.reduce(
    (total, result) =>
      total +
      (result.Vulnerabilities ?? []).filter(v => v.Severity === severity)
        .length,
    0,
  );
}

const vulnSummary = (doc: unknown) =>
  trivyParser.parse(doc).summary as VulnerabilityScanSummary;

/** A Trivy secret result as `trivy fs --scanners secret` writes it, with an unmasked key. */
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const secretResult = {
  Target: 'app/config.yaml',
  Class: 'secret',
  Secrets: [
    {
      RuleID: 'aws-access-key-id',
      Category: 'AWS',
      Severity: 'CRITICAL',
      Title: 'AWS Access Key ID',
      StartLine: 3,
      EndLine: 3,
      Code: {
        Lines: [
          { Number: 2, Content: 'aws:', IsCause: false, Highlighted: 'aws:' },
          {
            Number: 3,
            Content: `  access_key_id: ${AWS_KEY}`,
            IsCause: true,
            Highlighted: `  access_key_id: ${AWS_KEY}`,
            FirstCause: true,
            LastCause: true,
          },
        ],
      },
      Match: `  access_key_id: ${AWS_KEY}`,
    },
  ],
};

const misconfigResult = {
  Target: 'Dockerfile',
  Class: 'config',
  Type: 'dockerfile',
  Misconfigurations: [
    {
      ID: 'DS002',
      Title: "Image user should not be 'root'",
      Severity: 'HIGH',
      Status: 'FAIL',
    },
    {
      ID: 'DS026',
      Title: 'No HEALTHCHECK defined',
      Severity: 'LOW',
      Status: 'FAIL',
    },
    {
      ID: 'DS001',
      Title: "':latest' tag used",
      Severity: 'MEDIUM',
      Status: 'PASS',
    },
  ],
};

describe('trivyParser', () => {
  it('counts every severity of the real alpine 3.10 report', () => {
    const raw = sample();
    const summary = vulnSummary(raw);
    expect(summary.tool).toBe('trivy');
    expect(summary.artifact).toBe(raw.ArtifactName);
    for (const severity of ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']) {
      expect(summary.counts[severity as 'HIGH']).toBe(
        countSeverity(raw, severity),
      );
    }
    const total = raw.Results.reduce(
      (n: number, r: Result) => n + (r.Vulnerabilities ?? []).length,
      0,
    );
    expect(Object.values(summary.counts).reduce((a, b) => a + b, 0)).toBe(
      total,
    );
    expect(summary.findings).toHaveLength(
      countSeverity(raw, 'CRITICAL') + countSeverity(raw, 'HIGH'),
    );
    expect(summary.secrets).toEqual([]);
  });

  it('takes the image digest from Metadata (ImageID when there are no RepoDigests)', () => {
    const raw = sample();
    expect(raw.Metadata.RepoDigests).toBeUndefined();
    expect(trivyParser.parse(raw).subject).toEqual({
      digest: raw.Metadata.ImageID,
    });

    const repoDigest = `sha256:${'ab'.repeat(32)}`;
    raw.Metadata.RepoDigests = [`ghcr.io/acme/app@${repoDigest}`];
    expect(trivyParser.parse(raw).subject).toEqual({ digest: repoDigest });
  });

  it('lists CRITICAL and HIGH findings only, criticals first, at most 50', () => {
    const raw = sample();
    const pkgs: Result = {
      Target: 'app/package-lock.json',
      Vulnerabilities: [
        ...Array.from({ length: 60 }, (_, i) => ({
          VulnerabilityID: `CVE-2024-${1000 + i}`,
          Severity: 'HIGH',
          PkgName: `pkg-${i}`,
        })),
        {
          VulnerabilityID: 'CVE-2021-44228',
          Severity: 'CRITICAL',
          PkgName: 'log4j-core',
        },
      ],
    };
    raw.Results.push(pkgs);
    const summary = vulnSummary(raw);
    expect(summary.counts.CRITICAL).toBe(countSeverity(raw, 'CRITICAL'));
    expect(summary.counts.HIGH).toBe(countSeverity(raw, 'HIGH'));
    expect(summary.findings).toHaveLength(50);
    expect(summary.findings[0]).toMatchObject({
      id: 'CVE-2021-44228',
      severity: 'CRITICAL',
      package: 'log4j-core',
    });
    expect(
      summary.findings.every(f => ['CRITICAL', 'HIGH'].includes(f.severity)),
    ).toBe(true);
  });

  it('counts failed misconfigurations and reports secrets without their values', () => {
    const raw = sample();
    raw.Results.push(secretResult, misconfigResult);
    const before = JSON.stringify(raw);
    const parsed = trivyParser.parse(raw);
    const summary = parsed.summary as VulnerabilityScanSummary;

    expect(summary.misconfigurations).toEqual({
      CRITICAL: 0,
      HIGH: 1,
      MEDIUM: 0,
      LOW: 1,
      UNKNOWN: 0,
    });
    expect(summary.secrets).toEqual([
      { rule: 'aws-access-key-id', file: 'app/config.yaml', line: 3 },
    ]);
    const stored = `${JSON.stringify(parsed.sanitized)}${JSON.stringify(
      summary,
    )}`;
    expect(stored).not.toContain(AWS_KEY);
    const secret = (parsed.sanitized as typeof raw).Results.at(-2).Secrets[0];
    expect(secret.Match).toBe(REDACTED);
    expect(secret.Code.Lines[1]).toMatchObject({
      Content: REDACTED,
      Highlighted: REDACTED,
      Number: 3,
    });
    // Everything else is kept, and the caller's document is untouched.
    expect(secret.RuleID).toBe('aws-access-key-id');
    expect(JSON.stringify(raw)).toBe(before);
  });

  it('normalises severities to one scale', () => {
    expect(normaliseSeverity('Critical')).toBe('CRITICAL');
    expect(normaliseSeverity('Negligible')).toBe('LOW');
    expect(normaliseSeverity('whatever')).toBe('UNKNOWN');
    expect(normaliseSeverity(undefined)).toBe('UNKNOWN');
  });

  it('rejects malformed reports with an InputError naming the problem', () => {
    const noResults = sample();
    delete noResults.Results;
    expect(() => trivyParser.parse(noResults)).toThrow(InputError);
    expect(() => trivyParser.parse(noResults)).toThrow(
      'Trivy report has no Results array',
    );

    const noId = sample();
    delete noId.Results[0].Vulnerabilities[1].VulnerabilityID;
    expect(() => trivyParser.parse(noId)).toThrow(
      'Trivy Results[0].Vulnerabilities[1] has no VulnerabilityID',
    );
    expect(() => trivyParser.parse({ apiVersion: 'v1', kind: 'Pod' })).toThrow(
      InputError,
    );
  });
});

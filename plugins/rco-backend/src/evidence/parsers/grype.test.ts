import { InputError } from '@backstage/errors';
import { VulnerabilityScanSummary } from '@helix-portal/plugin-rco-common';
import { readSample } from '../../__testUtils__/fixtures';
import { grypeParser } from './grype';

type Match = {
  vulnerability: { id: string; severity: string; fix?: { versions: string[] } };
  artifact: { name: string; version: string };
};

const sampleText = readSample('grype-json-image.json');
const sample = () => JSON.parse(sampleText);

/** Grype's own scale, upper-cased, Negligible folded into LOW: counted from the raw JSON. */
function countSeverity(matches: Match[], severity: string): number {
  return matches.filter(m => {
    const own = m.vulnerability.severity.toUpperCase();
    return (own === 'NEGLIGIBLE' ? 'LOW' : own) === severity;
  }).length;
}

const vulnSummary = (doc: unknown) =>
  grypeParser.parse(doc).summary as VulnerabilityScanSummary;

describe('grypeParser', () => {
  it('counts the real Grype image report by normalised severity', () => {
    const raw = sample();
    const summary = vulnSummary(raw);
    expect(summary.tool).toBe('grype');
    expect(summary.artifact).toBe(raw.source.target.userInput);
    for (const severity of ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']) {
      expect(summary.counts[severity as 'LOW']).toBe(
        countSeverity(raw.matches, severity),
      );
    }
    expect(summary.secrets).toEqual([]);
    expect(Object.values(summary.misconfigurations).every(n => n === 0)).toBe(
      true,
    );
  });

  it('lists the CRITICAL and HIGH matches with package and versions', () => {
    const raw = sample();
    const gating = (raw.matches as Match[]).filter(m =>
      ['Critical', 'High'].includes(m.vulnerability.severity),
    );
    const summary = vulnSummary(raw);
    expect(summary.findings).toEqual(
      gating.map(m => ({
        id: m.vulnerability.id,
        severity: m.vulnerability.severity.toUpperCase(),
        package: m.artifact.name,
        installedVersion: m.artifact.version,
        fixedVersion: m.vulnerability.fix?.versions.length
          ? m.vulnerability.fix.versions.join(', ')
          : undefined,
      })),
    );
  });

  it('maps Negligible to LOW', () => {
    const raw = sample();
    raw.matches[0].vulnerability.severity = 'Negligible';
    expect(vulnSummary(raw).counts.LOW).toBe(countSeverity(raw.matches, 'LOW'));
  });

  it('takes the manifest digest, then repoDigests, then the image ID', () => {
    const raw = sample();
    const target = raw.source.target;
    expect(grypeParser.parse(raw).subject).toEqual({
      digest: target.manifestDigest,
    });

    delete target.manifestDigest;
    const repoDigest = `sha256:${'cd'.repeat(32)}`;
    target.repoDigests = [`docker.io/acme/app@${repoDigest}`];
    expect(grypeParser.parse(raw).subject).toEqual({ digest: repoDigest });

    target.repoDigests = [];
    expect(grypeParser.parse(raw).subject).toEqual({ digest: target.imageID });
  });

  it('keeps the document intact in sanitized and never mutates the input', () => {
    const raw = sample();
    const parsed = grypeParser.parse(raw);
    expect(parsed.sanitized).toEqual(raw);
    expect(parsed.sanitized).not.toBe(raw);
    expect(JSON.stringify(raw)).toBe(JSON.stringify(JSON.parse(sampleText)));
  });

  it('rejects malformed reports with an InputError naming the problem', () => {
    const noMatches = sample();
    noMatches.matches = { nope: true };
    expect(() => grypeParser.parse(noMatches)).toThrow(InputError);
    expect(() => grypeParser.parse(noMatches)).toThrow(
      'Grype report has no matches array',
    );

    const noId = sample();
    delete noId.matches[1].vulnerability.id;
    expect(() => grypeParser.parse(noId)).toThrow(
      'Grype matches[1] has no vulnerability.id',
    );
    expect(() => grypeParser.parse({ matches: [] })).toThrow(InputError);
  });
});

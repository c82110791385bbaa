import {
  EvidenceKind,
  parseRunbook,
  Runbook,
  SignatureVerificationView,
} from '@helix-portal/plugin-rco-common';
import { fixture as sigstoreFixture } from '../../evidence/sigstore/__fixtures__/fixtures';
import { EvidenceRecord, EvidenceSource } from '../../database/EvidenceStore';
import { builtinParsers } from '../../evidence/parsers';
import { readExample, readSample } from '../../__testUtils__/fixtures';
import { GateContext } from '../types';
import { parse as parseYaml } from 'yaml';

export const NOW = new Date('2026-11-29T12:00:00Z');
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The example RCO runbook, as the gates read it. */
export function runbook(): Runbook {
  const parsed = parseRunbook(readExample('rco/runbook/rco-runbook.yaml'));
  if (!parsed.ok) throw new Error('the example runbook does not parse');
  return parsed.runbook;
}

let seq = 0;

/**
 * A stored record of a document, summarised by the real parser of its kind: `doc` is a
 * document (object) or the file name of a shared sample (`trivy-image-alpine310.json`).
 */
export function record(
  kind: EvidenceKind,
  doc: unknown,
  options: {
    age?: number;
    source?: EvidenceSource;
    subject?: EvidenceRecord['subject'];
    submitter?: string;
  } = {},
): EvidenceRecord {
  let document = doc;
  if (typeof doc === 'string')
    document = doc.endsWith('.json')
      ? JSON.parse(readSample(doc))
      : parseYaml(readSample(doc));
  const parser = builtinParsers.find(p => p.kind === kind)!;
  const parsed = parser.parse(document);
  seq += 1;
  return {
    id: `r${seq}`,
    entityRef: 'component:default/rco',
    kind,
    sha256: seq.toString(16).padStart(64, '0'),
    subject: options.subject ?? parsed.subject,
    source: options.source ?? 'ci',
    submitter: options.submitter ?? 'service:ci-rco',
    collectedAt: new Date(NOW.getTime() - (options.age ?? 0)),
    // As EvidenceService stores it: with the image the document names, if any.
    summary: parsed.image
      ? ({ ...parsed.summary, image: parsed.image } as typeof parsed.summary)
      : parsed.summary,
    rawSize: 1,
  };
}

/**
 * A real Sigstore bundle (evidence/sigstore/__fixtures__) filed under `digest`, with the outcome
 * the console's verification stored for it (the rules judge stored outcomes; the verification
 * itself is tested in evidence/sigstore and through the plugin in security/sigstore).
 */
export function bundleRecord(
  verification: SignatureVerificationView,
  options: { age?: number; source?: EvidenceSource; digest?: string } = {},
): EvidenceRecord {
  const r = record(
    'sigstore-bundle',
    sigstoreFixture('bundle-dsse-release.json'),
    {
      age: options.age,
      source: options.source,
      subject: { digest: options.digest ?? DIGEST },
    },
  );
  return {
    ...r,
    summary: { ...r.summary, verified: verification.ok, verification } as any,
  };
}

export const VERIFIED: SignatureVerificationView = {
  verifiedBy: 'console',
  ok: true,
  identity: {
    issuer: 'https://token.actions.githubusercontent.com',
    subject:
      'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/main',
  },
};

/** A gate context of the given evidence (sorted newest first, as the store returns it). */
export function context(
  evidence: EvidenceRecord[],
  overrides: Partial<GateContext> = {},
): GateContext {
  return {
    entityRef: 'component:default/rco',
    runbook: runbook(),
    release: { version: '1.3.2', digest: DIGEST },
    evidence: [...evidence].sort(
      (a, b) => b.collectedAt.getTime() - a.collectedAt.getTime(),
    ),
    signoffs: [],
    waivers: [],
    now: NOW,
    config: {
      maxAge: {},
      blockingSeverities: ['CRITICAL', 'HIGH'],
      helixCoreRepository: 'helix-core',
    },
    ...overrides,
  };
}

/** A Trivy report of the release image with the given findings. */
export function trivy(
  findings: Array<{ id: string; severity: string }>,
  secrets: Array<{ rule: string; file: string }> = [],
) {
  return {
    SchemaVersion: 2,
    ArtifactName: `registry.example/rco@${DIGEST}`,
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [`registry.example/rco@${DIGEST}`] },
    Results: [
      {
        Target: 'app',
        Class: 'lang-pkgs',
        Type: 'gobinary',
        Vulnerabilities: findings.map(f => ({
          VulnerabilityID: f.id,
          PkgName: 'stdlib',
          InstalledVersion: '1.0',
          Severity: f.severity,
        })),
      },
      ...(secrets.length
        ? [
            {
              Target: secrets[0].file,
              Class: 'secret',
              Secrets: secrets.map(s => ({
                RuleID: s.rule,
                Category: 'AWS',
                Severity: 'CRITICAL',
                Title: s.rule,
                StartLine: 1,
                EndLine: 1,
                Match: 'key = *****',
              })),
            },
          ]
        : []),
    ],
  };
}

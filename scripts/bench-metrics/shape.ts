// What the metrics benchmark's history is made of: real documents parsed once by the backend's
// own parsers (the shared Trivy and Velero samples, the example restore drill and runbook), their
// summaries reused per row with the subject and times of that row.
import { parseRunbook, Runbook } from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { builtinParsers } from '../../plugins/rco-backend/src/evidence/parsers';

const repo = path.resolve(__dirname, '../..');
const samples = path.resolve(repo, '../shared/samples');

/** A small deterministic generator (mulberry32): the same history for the same seed. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

function parsed(file: string, text: string) {
  const doc = file.endsWith('.json') ? JSON.parse(text) : yaml.parse(text);
  const parser = builtinParsers.find(p => p.detect(doc));
  if (!parser) throw new Error(`No parser reads ${file}`);
  return parser.parse(doc).summary as any;
}

export interface EvidenceSummaries {
  trivy(
    release: { version: string; digest: string },
    failing: boolean,
  ): unknown;
  signature(digest: string): unknown;
  sbom(): unknown;
  backup(completedAt: number): unknown;
  restore(startedAt: number): unknown;
}

/** The summaries, each parsed once. */
export function evidenceSummaries(): EvidenceSummaries {
  // alpine 3.10: four MEDIUM findings, so it passes under CRITICAL/HIGH and fails once MEDIUM
  // blocks (the what-if the benchmark replays).
  const trivy = parsed(
    'trivy-image-alpine310.json',
    fs.readFileSync(path.join(samples, 'trivy-image-alpine310.json'), 'utf8'),
  );
  const backup = parsed(
    'velero-backup-completed.yaml',
    fs.readFileSync(path.join(samples, 'velero-backup-completed.yaml'), 'utf8'),
  );
  const drill = fs
    .readFileSync(
      path.join(repo, 'examples/rco/evidence/velero-restore-drill.yaml'),
      'utf8',
    )
    .replace(/\{\{[^}]+\}\}/g, '2026-01-01T00:00:00Z');
  const restore = parsed('velero-restore-drill.yaml', drill);
  const example = (file: string) =>
    parsed(
      file,
      fs.readFileSync(path.join(repo, 'examples/rco/evidence', file), 'utf8'),
    );
  const bundle = example('sigstore-bundle-rco-1.3.2.json');
  const sbom = example('sbom-rco-1.3.2.cdx.json');
  const iso = (t: number) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    trivy: (release, failing) => ({
      ...trivy,
      artifact: `registry.example/bench@${release.digest}`,
      // A failing scan: the same report with two HIGH findings (a vulnerable base image).
      counts: failing ? { ...trivy.counts, HIGH: 2 } : trivy.counts,
    }),
    // The example bundle's summary filed under the release's digest, as EvidenceService stores
    // a bundle it verified (no rco.sigstore policy configured, so no policy digest).
    signature: digest => ({
      ...bundle,
      digests: [digest],
      verified: true,
      verification: {
        verifiedBy: 'console',
        ok: true,
        identity: bundle.identities[0],
      },
    }),
    sbom: () => sbom,
    backup: completedAt => ({
      ...backup,
      // One schedule's latest backup: a collected schedule keeps one object current.
      name: 'state-5m',
      startTimestamp: iso(completedAt - 60_000),
      completionTimestamp: iso(completedAt),
    }),
    restore: startedAt => ({
      ...restore,
      startTimestamp: iso(startedAt),
      completionTimestamp: iso(startedAt + 9 * 60_000),
    }),
  };
}

/** The example RCO runbook (RTO PT15M, RPO PT5M), parsed as the runbook reader parses it. */
export function exampleRunbook(): Runbook {
  const result = parseRunbook(
    fs.readFileSync(
      path.join(repo, 'examples/rco/runbook/rco-runbook.yaml'),
      'utf8',
    ),
  );
  if (!result.ok)
    throw new Error(
      `runbook: ${JSON.stringify(result.problems).slice(0, 300)}`,
    );
  return result.runbook;
}

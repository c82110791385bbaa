import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { renderTimes } from '../../demoEvidence';

const DAY = 86_400_000;

/** A release of the history: what CI built and what its documents must name. */
export interface HistoryRelease {
  version: string;
  digest: string;
  commit: string;
}

interface ManifestDocument {
  file: string;
  kind?: string;
  digest?: boolean;
  version?: boolean;
  commit?: boolean;
  environment?: string;
  age?: string;
}

/** One document to upload: the body and the upload's query parameters. */
export interface HistoryDocument {
  /** The sample it was rendered from (the history's cadence is per sample). */
  file?: string;
  body: string;
  kind?: string;
  version?: string;
  digest?: string;
  commit?: string;
  environment?: string;
}

/** Reports about the cluster: uploaded per environment, before a deploy there. */
const CLUSTER_FILES = new Set([
  'rollout-rco.yaml',
  'analysistemplate-rco-canary-slo.yaml',
  'policyreport-rco-prod.yaml',
  'gatekeeper-rco-required-labels.yaml',
  'velero-restore-drill.yaml',
  'deployment-rco.yaml',
  'networkpolicy-rco.yaml',
]);
/** Kubernetes objects whose samples carry no time (see reportedAt). */
const TIMELESS = new Set([
  'rollout-rco.yaml',
  'analysistemplate-rco-canary-slo.yaml',
  'prometheusrule-rco-slo.yaml',
  'networkpolicy-rco.yaml',
]);
/**
 * Not re-targetable: the Sigstore bundle is signed for the demo release's digest only (the
 * cosign verification output stands for the signature in the history). The analysis run is
 * reported after the canary ran, by the deploy itself (see `analysisRun`).
 */
const SKIPPED = new Set([
  'sigstore-bundle-rco-1.3.2.json',
  'analysisrun-rco-1.3.2.yaml',
  'velero-backups.yaml',
]);

/**
 * The sample evidence of examples/rco/evidence, read once at start (never copied) and rendered
 * for each release of the history: re-dated to the time CI reports it and re-targeted to the
 * release's version, digest and commit. The image repository stays the sample's: it is the one
 * the local portal configures for every service (rco.environments[].imageRepository).
 */
export class HistoryEvidence {
  private constructor(
    private readonly manifest: {
      release: HistoryRelease;
      documents: ManifestDocument[];
    },
    private readonly texts: Map<string, string>,
  ) {}

  static async load(dir: string): Promise<HistoryEvidence> {
    const manifest = parse(
      await fs.readFile(path.join(dir, 'demo-evidence.yaml'), 'utf8'),
    );
    const texts = new Map<string, string>();
    for (const doc of manifest.documents as ManifestDocument[]) {
      texts.set(doc.file, await fs.readFile(path.join(dir, doc.file), 'utf8'));
    }
    texts.set(
      'velero-backups.yaml',
      await fs.readFile(path.join(dir, 'velero-backups.yaml'), 'utf8'),
    );
    texts.set(
      'analysisrun-rco-1.3.2.yaml',
      await fs.readFile(path.join(dir, 'analysisrun-rco-1.3.2.yaml'), 'utf8'),
    );
    return new HistoryEvidence(manifest, texts);
  }

  /** The sample re-targeted to the release's identifiers. */
  private retarget(text: string, release: HistoryRelease) {
    const sample = this.manifest.release;
    return text
      .split(sample.digest)
      .join(release.digest)
      .split(sample.commit)
      .join(release.commit)
      .replace(/(?<![\d.])1\.3\.2(?![\d])/g, release.version);
  }

  private render(file: string, release: HistoryRelease, at: Date) {
    const text = renderTimes(this.retarget(this.texts.get(file)!, release), at);
    return TIMELESS.has(file) ? reportedAt(text, at) : text;
  }

  private upload(
    doc: ManifestDocument,
    body: string,
    release: HistoryRelease,
    environment?: string,
  ): HistoryDocument {
    return {
      file: doc.file,
      body,
      kind: doc.kind,
      // Every history document names its release's version: unlabelled cluster state would
      // count for every release, the demo's own (1.3.2) included, and change its story.
      version: release.version,
      digest: doc.digest ? release.digest : undefined,
      commit: doc.commit ? release.commit : undefined,
      environment,
    };
  }

  /**
   * What CI reports when it builds a release: scans, SBOM, signature check, secret scan and the
   * service's own reports. `vulnerable`: the image scans keep the sample's HIGH finding (the Go
   * stdlib); otherwise they report the image as rebuilt with it fixed.
   */
  build(
    release: HistoryRelease,
    at: Date,
    vulnerable: boolean,
  ): HistoryDocument[] {
    return this.manifest.documents
      .filter(d => !CLUSTER_FILES.has(d.file) && !SKIPPED.has(d.file))
      .filter(d => !d.environment)
      .map(d => {
        let body =
          d.file === 'rollback-dry-run.yaml'
            ? // The sample is dated a month back on purpose; the history's pipeline ran it now.
              this.render(d.file, release, new Date(at.getTime() + 31 * DAY))
            : this.render(d.file, release, at);
        if (
          !vulnerable &&
          (d.file.startsWith('trivy') || d.file.startsWith('grype'))
        )
          body = withoutBlocking(body);
        return this.upload(d, body, release);
      });
  }

  /** A new scan of the same image: clean, or (`vulnerable`) with a HIGH finding. */
  rescan(
    release: HistoryRelease,
    at: Date,
    vulnerable = false,
  ): HistoryDocument[] {
    return this.manifest.documents
      .filter(d => d.file.startsWith('trivy') || d.file.startsWith('grype'))
      .map(d =>
        this.upload(
          d,
          vulnerable
            ? this.render(d.file, release, at)
            : withoutBlocking(this.render(d.file, release, at)),
          release,
        ),
      );
  }

  /**
   * What the cluster of `environment` reports before a deploy there: the rollout, policies,
   * backups and restore drill, with the policy report passing (the history's clusters were
   * compliant; the demo's current one is not).
   */
  cluster(
    release: HistoryRelease,
    environment: string,
    at: Date,
    /** The Kyverno report keeps the sample's failing rule (an init container running as root). */
    policyFails = false,
  ): HistoryDocument[] {
    const docs = this.manifest.documents
      .filter(d => CLUSTER_FILES.has(d.file))
      .map(d => {
        let body = this.render(d.file, release, at);
        if (d.file.startsWith('policyreport') && !policyFails)
          body = passingPolicyReport(body);
        return this.upload(d, body, release, environment);
      });
    return [...docs, this.backups(release, environment, at)];
  }

  /** Velero's newest backups, the last completed a minute before `at`. */
  backups(
    release: HistoryRelease,
    environment: string,
    at: Date,
  ): HistoryDocument {
    return {
      file: 'velero-backups.yaml',
      body: this.render('velero-backups.yaml', release, at),
      environment,
      version: release.version,
    };
  }

  /** The canary's AnalysisRun as reported after the deploy; `failed` says it failed. */
  analysisRun(
    release: HistoryRelease,
    environment: string,
    at: Date,
    failed: boolean,
  ): HistoryDocument {
    let body = this.render('analysisrun-rco-1.3.2.yaml', release, at);
    if (failed) body = body.replace(/phase: Successful/g, 'phase: Failed');
    return { body, environment, version: release.version };
  }
}

/**
 * A Kubernetes object annotated with when CI reported it. Without a time in it, a report is
 * identical every time and not stored again, so it would age past the gates' maximum age; a
 * version label would tie it to one release (the parsers read app.kubernetes.io/version).
 */
function reportedAt(text: string, at: Date): string {
  const doc = parse(text);
  if (!doc?.metadata || doc.kind === 'List') return text;
  doc.metadata.annotations = {
    ...doc.metadata.annotations,
    'rco.helix.dev/reported-at': at.toISOString(),
  };
  return stringify(doc);
}

/** A scan report with its HIGH and CRITICAL findings gone (Trivy's or Grype's JSON). */
function withoutBlocking(text: string): string {
  const doc = JSON.parse(text);
  const blocking = (s: unknown) => /^(high|critical)$/i.test(String(s ?? ''));
  for (const result of doc.Results ?? []) {
    if (Array.isArray(result.Vulnerabilities))
      result.Vulnerabilities = result.Vulnerabilities.filter(
        (v: any) => !blocking(v.Severity),
      );
  }
  if (Array.isArray(doc.matches))
    doc.matches = doc.matches.filter(
      (m: any) => !blocking(m.vulnerability?.severity),
    );
  return JSON.stringify(doc, null, 2);
}

/** The Kyverno report with every rule passing (the history's workload ran as non-root). */
function passingPolicyReport(text: string): string {
  const doc = parse(text);
  let fixed = 0;
  for (const r of doc.results ?? []) {
    if (r.result === 'fail') {
      r.result = 'pass';
      r.message = 'validation rule passed';
      fixed += 1;
    }
  }
  if (doc.summary) {
    doc.summary.pass = (doc.summary.pass ?? 0) + fixed;
    doc.summary.fail = 0;
  }
  return stringify(doc);
}

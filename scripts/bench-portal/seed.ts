// Evidence for the status figure. Each sample document is uploaded once over HTTP (CI's token),
// so the backend's own parsers say what its record looks like; then N records are written by
// direct SQL into rco_evidence with their hash-chained, MAC'd rco_ledger entries, exactly as
// DatabaseEvidenceStore.add writes them (payload, hash, mac), spread over the services and over
// ten releases each. HTTP uploads reach ~100-400/s here: 100,000 of them would take minutes.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import {
  canonicalJson,
  sha256,
} from '../../plugins/rco-backend/src/lib/canonicalJson';
import { findingRank } from '../../plugins/rco-backend/src/evidence/findingRank';
import {
  entryHash,
  GENESIS,
} from '../../plugins/rco-backend/src/database/Ledger';
import { ledgerMac } from '../../plugins/rco-backend/src/database/LedgerMac';
import { ok } from './http';
import { serviceRef } from './setup';

const SAMPLES = '/work/shared/samples';
/** Small real documents of the kinds CI uploads (the raw document is stored with each record). */
export const UPLOAD_SAMPLES = [
  'cosign-verify-key-based.json',
  'gitleaks-report-json-simple.json',
  'grype-json-image.json',
  'trivy-image-alpine310.json',
];

export const sampleBody = (file: string) =>
  fs.readFileSync(path.join(SAMPLES, file));

export const releaseOf = (entity: number, release: number) => ({
  version: `1.${release}.0`,
  digest: `sha256:${sha256(`bench-${entity}-${release}`)}`,
});

interface Template {
  kind: string;
  sha256: string;
  source: string;
  submitter: string;
  summary: unknown;
  environment?: string;
  raw: Buffer;
  rawFormat: string;
}

/** One upload of each sample through the real API: the records the seeding copies. */
async function templates(baseUrl: string, ciToken: string) {
  const out: Template[] = [];
  for (const file of UPLOAD_SAMPLES) {
    const raw = sampleBody(file);
    // Filed under a version only: a document about an image names its digest itself.
    const res = await ok(
      `${baseUrl}/api/rco/entities/component/default/${
        serviceRef(0).split('/')[1]
      }/evidence?version=1.99.0`,
      { method: 'POST', token: ciToken, body: raw },
      [200, 201],
    );
    for (const item of res.body.items) {
      out.push({
        kind: item.kind,
        sha256: item.sha256,
        source: item.source,
        submitter: item.submitter,
        summary: item.summary,
        environment: item.subject?.environment,
        raw,
        rawFormat: file.endsWith('.json') ? 'json' : 'yaml',
      });
    }
  }
  return out;
}

/** Writes `records` evidence records over `services` entities; returns how long it took. */
export async function seedEvidence(options: {
  baseUrl: string;
  ciToken: string;
  connection: string;
  ledgerKey: string;
  services: number;
  records: number;
}) {
  const started = performance.now();
  const kinds = await templates(options.baseUrl, options.ciToken);
  const db = knexFactory({
    client: 'pg',
    connection: `${options.connection}/backstage_plugin_rco`,
  });
  const key = Buffer.from(options.ledgerKey, 'utf8');
  try {
    // Chains may have entries already (the template uploads): continue from their heads.
    const heads = new Map<string, string>(
      (
        await db.raw(
          'SELECT DISTINCT ON (entity_ref) entity_ref, hash FROM rco_ledger ORDER BY entity_ref, seq DESC',
        )
      ).rows.map((r: any) => [r.entity_ref, r.hash]),
    );
    const perEntity = Math.ceil(options.records / options.services);
    const now = Date.now();
    let written = 0;
    let evidence: any[] = [];
    let ledger: any[] = [];
    const flush = async () => {
      if (!evidence.length) return;
      await db.transaction(async tx => {
        await tx.batchInsert('rco_evidence', evidence, 1000);
        await tx.batchInsert('rco_ledger', ledger, 1000);
      });
      evidence = [];
      ledger = [];
    };
    for (let e = 0; e < options.services && written < options.records; e++) {
      const entityRef = serviceRef(e);
      let prevHash = heads.get(entityRef) ?? GENESIS;
      for (let j = 0; j < perEntity && written < options.records; j++) {
        const t = kinds[j % kinds.length];
        // Ten releases per service, oldest first; the newest evidence is a few minutes old. Each
        // release has a digest of its own (as if each scan were of that release's image).
        const release = releaseOf(e, Math.floor((j * 10) / perEntity));
        const collectedAt = new Date(now - (perEntity - j) * 60_000 - e);
        const subject = { version: release.version, digest: release.digest };
        const summary = JSON.stringify(t.summary);
        const row = {
          id: randomUUID(),
          entity_ref: entityRef,
          kind: t.kind,
          sha256: t.sha256,
          subject_version: subject.version,
          subject_digest: subject.digest,
          subject_commit: null,
          environment: t.environment ?? null,
          source: t.source,
          submitter: t.submitter,
          collected_at: collectedAt,
          summary,
          raw: t.raw,
          raw_format: t.rawFormat,
          raw_size: t.raw.length,
          dedupe_key: sha256(
            canonicalJson([
              entityRef,
              t.kind,
              t.sha256,
              subject.version,
              subject.digest,
              null,
              t.environment ?? null,
              t.source,
              // Repeated scans of one release: each stored as its own record.
              `bench-${j}`,
            ]),
          ),
          finding_rank: findingRank(t.summary as any),
        };
        const payload = {
          id: row.id,
          kind: t.kind,
          sha256: t.sha256,
          subject: t.environment
            ? { ...subject, environment: t.environment }
            : subject,
          source: t.source,
          submitter: t.submitter,
          collectedAt: collectedAt.toISOString(),
          summary: t.summary,
          rawFormat: t.rawFormat,
          rawSize: t.raw.length,
          rawSha256: sha256(t.raw),
        };
        const createdAt = new Date();
        const entry = {
          entryType: 'evidence-upload',
          entityRef,
          actor: t.submitter,
          payload,
          createdAt,
        };
        const hash = entryHash(prevHash, entry);
        ledger.push({
          mac: ledgerMac(key, 'entry', hash),
          entry_type: entry.entryType,
          entity_ref: entityRef,
          actor: entry.actor,
          payload: canonicalJson(payload),
          prev_hash: prevHash,
          hash,
          created_at: createdAt,
        });
        prevHash = hash;
        evidence.push(row);
        written++;
        if (evidence.length >= 2000) await flush();
      }
    }
    await flush();
    const [{ count }] = (
      await db.raw('SELECT count(*)::int AS count FROM rco_evidence')
    ).rows;
    await db.raw('ANALYZE rco_evidence; ANALYZE rco_ledger');
    return {
      written,
      inTable: count as number,
      kinds: kinds.map(k => k.kind),
      ms: performance.now() - started,
    };
  } finally {
    await db.destroy();
  }
}

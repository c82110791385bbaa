import { LoggerService } from '@backstage/backend-plugin-api';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { EvidenceStore } from '../database/EvidenceStore';
import { EvidenceService } from '../evidence/EvidenceService';

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `{{now}}`, `{{now-5m}}`, `{{now-5h+9m}}` → ISO times relative to `now`. */
export function renderTimes(text: string, now: Date): string {
  return text.replace(
    /\{\{now((?:[+-]\d+[mhd])*)\}\}/g,
    (_m, offsets: string) => {
      let t = now.getTime();
      for (const [, sign, n, unit] of offsets.matchAll(/([+-])(\d+)([mhd])/g)) {
        t += (sign === '-' ? -1 : 1) * Number(n) * UNIT_MS[unit];
      }
      return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    },
  );
}

/** Who the demo's records say submitted them: a stand-in for CI, labelled as demo data. */
export const DEMO_SUBMITTER = 'service:demo-ci (demo data)';

interface DemoManifest {
  entity: string;
  release: { version: string; digest: string; commit: string };
  documents: Array<{
    file: string;
    kind?: string;
    digest?: boolean;
    version?: boolean;
    commit?: boolean;
    environment?: string;
    /** Back-dates the upload, e.g. 31d for a stale piece of evidence. */
    age?: string;
  }>;
}

/** The entity the demo evidence is about. */
export async function demoEntity(dir: string): Promise<string> {
  return (await readManifest(dir)).entity;
}

async function readManifest(dir: string): Promise<DemoManifest> {
  return parse(
    await fs.readFile(path.join(dir, 'demo-evidence.yaml'), 'utf8'),
  ) as DemoManifest;
}

/**
 * Loads the demo evidence of `examples/rco/evidence` through the same upload path CI uses, so
 * the local portal shows real gate outcomes. Skipped when the entity already has evidence.
 */
export async function seedDemoEvidence(options: {
  evidenceService: EvidenceService;
  evidenceStore: EvidenceStore;
  logger: LoggerService;
  dir: string;
  now?: Date;
}) {
  const { evidenceService, evidenceStore, logger, dir } = options;
  const now = options.now ?? new Date();
  const manifest = await readManifest(dir);
  if ((await evidenceStore.list(manifest.entity, { limit: 1 })).length) {
    return;
  }
  for (const doc of manifest.documents) {
    const age = doc.age ? /^(\d+)([mhd])$/.exec(doc.age) : null;
    const collectedAt = age
      ? new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]])
      : now;
    const text = renderTimes(
      await fs.readFile(path.join(dir, doc.file), 'utf8'),
      now,
    );
    await evidenceService.upload({
      entityRef: manifest.entity,
      body: Buffer.from(text),
      kind: doc.kind,
      version: doc.version ? manifest.release.version : undefined,
      digest: doc.digest ? manifest.release.digest : undefined,
      commit: doc.commit ? manifest.release.commit : undefined,
      environment: doc.environment,
      // Stands in for what a CI pipeline would have uploaded, and says it is demo data: 'system'
      // would claim the console itself recorded it.
      source: 'ci',
      submitter: DEMO_SUBMITTER,
      now: collectedAt,
    });
  }
  logger.info(
    `Loaded ${manifest.documents.length} demo evidence documents for ${manifest.entity}`,
  );
}

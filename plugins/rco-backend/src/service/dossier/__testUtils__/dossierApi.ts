import { createHash, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import yauzl from 'yauzl';
import {
  asService,
  asUser,
  RCO,
} from '../../../__testUtils__/operationsBackend';
import { readSample } from '../../../__testUtils__/fixtures';

/** Helpers of the dossier API tests (tests only). */

export const CI = asService('external:ci-rco');
export const sha256 = (data: Buffer | string) =>
  createHash('sha256').update(data).digest('hex');

/** A fresh attestation key, PKCS#8 PEM. */
export function newKeyPem() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/** The Trivy sample scans the image it names: the entity's repository is that one here. */
export const REPOSITORY = 'ghcr.io/aquasecurity/trivy-test-images';
export const ENVIRONMENTS = [
  { name: 'staging', driver: 'simulated', imageRepository: REPOSITORY },
  {
    name: 'production',
    driver: 'simulated',
    requiredSignoffs: ['po', 'dpo', 'security'],
  },
];

/** Real tool output uploaded as evidence. */
export const TRIVY = readSample('trivy-image-alpine310.json');
export const SBOM = readSample('cyclonedx-1.7-trivy-pom-with-vulns.json');
export const VELERO = readSample('velero-backup-completed.yaml');

/** The entity's pipeline uploads a document. */
export const upload = (app: any, body: string, query: string) =>
  request(app)
    .post(`${RCO}/evidence${query}`)
    .set('Authorization', CI)
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(body))
    .expect(201);

const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** GET …/releases/dossier, the body as bytes. */
export const download = (app: any, query = '', auth = asUser('alice')) =>
  request(app)
    .get(`${RCO}/releases/dossier${query}`)
    .set('Authorization', auth)
    .buffer(true)
    .parse(binary);

/** Every file of a zip, read with yauzl (not the library that wrote it). */
export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, zipfile) => {
      if (error || !zipfile) return reject(error);
      zipfile.on('entry', (entry: yauzl.Entry) => {
        zipfile.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', c => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zipfile.readEntry();
          });
          return undefined;
        });
      });
      zipfile.on('end', () => resolve(files));
      zipfile.on('error', reject);
      zipfile.readEntry();
      return undefined;
    });
  });
}

/**
 * Runs verify-dossier.sh (the README's commands) on `files` written to a folder, with the
 * public key; `edit` may change the folder first. Returns whether it passed and what it said.
 */
export function runVerifyScript(
  files: Map<string, Buffer>,
  publicKeyPem: string,
): { verify(): { ok: boolean; out: string }; dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-dossier-'));
  for (const [name, data] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  }
  fs.writeFileSync(path.join(dir, 'key.pub'), publicKeyPem);
  return {
    dir,
    verify() {
      try {
        const out = execFileSync(
          'sh',
          [
            path.join(__dirname, '..', 'verify-dossier.sh'),
            dir,
            path.join(dir, 'key.pub'),
          ],
          { stdio: 'pipe' },
        ).toString();
        return { ok: true, out };
      } catch (error: any) {
        return { ok: false, out: `${error.stdout}${error.stderr}` };
      }
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

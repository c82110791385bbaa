import type { Archiver } from 'archiver';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { DossierManifest } from '@helix-portal/plugin-rco-common';
import { sha256 } from '../../lib/canonicalJson';
import { DsseEnvelope, sigstoreBundle } from './dsse';
import { ReleaseDossier } from './DossierService';
import { ResourceDescriptor } from './vsa';

// archiver 7 is CommonJS and exports a factory; the @types installed (version 8) describe the
// classes of the ESM archiver 8, so the factory is typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createArchive: (
  format: 'zip',
  options?: { zlib?: { level: number } },
) => Archiver = require('archiver');

export const MANIFEST_PATH = 'manifest.json';
export const ATTESTATION_PATH = 'attestation.dsse.json';
export const BUNDLE_PATH = 'attestation.sigstore.json';

/** Resolves when `out` drains or closes (listeners removed: this runs once per file). */
function drained(out: Writable): Promise<void> {
  return new Promise(resolve => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Adds one file and waits until the archive has taken it (one document in memory at a time). */
async function append(
  archive: Archiver,
  data: Buffer,
  name: string,
  date: Date,
) {
  const taken = once(archive, 'entry');
  archive.append(data, { name, date });
  await taken;
}

/**
 * Streams the dossier as a zip to `out`: each file, then manifest.json (every file's sha256,
 * size and ledger seq), then attestation.dsse.json (and the same envelope as a Sigstore
 * bundle, attestation.sigstore.json), signed last so that it can cover the manifest (a subject
 * of the statement). The manifest does not list itself nor the attestation files. Waits for
 * `out` when it is slow: the whole dossier is never held in memory.
 */
export async function writeDossierZip(
  out: Writable,
  dossier: ReleaseDossier,
  attest: (
    digests: Map<string, string>,
    manifest: ResourceDescriptor,
  ) => DsseEnvelope | undefined,
): Promise<void> {
  const archive = createArchive('zip', { zlib: { level: 6 } });
  const failed = new Promise<never>((_, reject) => {
    archive.on('error', reject);
    archive.on('warning', reject);
  });
  failed.catch(() => undefined);
  archive.pipe(out);
  const write = async (name: string, data: Buffer) => {
    await Promise.race([
      append(archive, data, name, dossier.createdAt),
      failed,
    ]);
    // The client reads slower than the database answers: wait for it.
    while ((out as any).writableNeedDrain && !out.destroyed) {
      await Promise.race([drained(out), failed]);
    }
    if (out.destroyed) throw new Error('The client went away');
  };
  const manifest: DossierManifest = {
    entityRef: dossier.entityRef,
    release: dossier.release,
    createdAt: dossier.createdAt.toISOString(),
    entries: [],
  };
  const digests = new Map<string, string>();
  for (const file of dossier.files) {
    const data = await file.body();
    const digest = sha256(data);
    digests.set(file.path, digest);
    manifest.entries.push({
      path: file.path,
      sha256: digest,
      bytes: data.length,
      ...(file.ledgerSeq !== undefined ? { ledgerSeq: file.ledgerSeq } : {}),
    });
    await write(file.path, data);
  }
  const manifestBytes = Buffer.from(
    `${JSON.stringify(manifest, null, 2)}\n`,
    'utf8',
  );
  await write(MANIFEST_PATH, manifestBytes);
  const envelope = attest(digests, {
    name: MANIFEST_PATH,
    digest: { sha256: sha256(manifestBytes) },
  });
  if (envelope) {
    const text = (v: unknown) =>
      Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');
    // One line: `cosign attach attestation` also reads envelopes as JSON Lines.
    await write(
      ATTESTATION_PATH,
      Buffer.from(`${JSON.stringify(envelope)}\n`, 'utf8'),
    );
    await write(
      BUNDLE_PATH,
      text(sigstoreBundle(envelope, envelope.signatures[0].keyid)),
    );
  }
  const done = once(out, 'finish');
  await Promise.race([archive.finalize(), failed]);
  await Promise.race([done, failed]);
}

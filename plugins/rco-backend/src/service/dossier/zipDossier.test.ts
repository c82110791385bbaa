import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import yauzl from 'yauzl';
import { ReleaseDossier } from './DossierService';
import { writeDossierZip } from './zipDossier';

const MB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A client that reads 64 KiB per millisecond, keeping what it read. */
function slowClient() {
  const chunks: Buffer[] = [];
  let received = 0;
  const out = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      received += chunk.length;
      setTimeout(done, 1);
    },
  });
  return { out, chunks, received: () => received };
}

function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, zipfile) => {
      if (error || !zipfile) return reject(error);
      zipfile.on('entry', (entry: yauzl.Entry) =>
        zipfile.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on('data', c => parts.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(parts));
            zipfile.readEntry();
          });
          return undefined;
        }),
      );
      zipfile.on('end', () => resolve(files));
      zipfile.readEntry();
      return undefined;
    });
  });
}

describe('writeDossierZip', () => {
  // 16 MB of random bytes through a zip and a deliberately slow client: seconds on a loaded CI
  // machine (it passed 5 s there once), not a measurement.
  jest.setTimeout(30_000);

  it('reads each file only when a slow client has taken the ones before: never the whole dossier in memory', async () => {
    const client = slowClient();
    const bodies = Array.from({ length: 8 }, () => randomBytes(2 * MB));
    let requested = 0;
    let mostAhead = 0;
    const dossier: ReleaseDossier = {
      entityRef: 'component:default/rco',
      release: { version: '1.5.0' },
      createdAt: new Date('2026-11-30T12:00:00Z'),
      ready: false,
      evidencePaths: [],
      files: bodies.map((body, i) => ({
        path: `evidence/e${i}/raw.json`,
        ledgerSeq: i % 2 ? i : undefined,
        body: async () => {
          requested += body.length;
          // Bytes read from the database that the client has not received yet.
          mostAhead = Math.max(mostAhead, requested - client.received());
          return body;
        },
      })),
    };
    await writeDossierZip(client.out, dossier, () => undefined);
    // Random bytes do not compress: the zip holds the 16 MB. At most the file being written and
    // the one before were ahead of the client (2 MB here; without waiting for it, 5.8 MB).
    expect(client.received()).toBeGreaterThan(16 * MB);
    expect(mostAhead).toBeLessThanOrEqual(2 * 2 * MB);

    const files = await unzip(Buffer.concat(client.chunks));
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest.entries).toEqual(
      bodies.map((body, i) => ({
        path: `evidence/e${i}/raw.json`,
        sha256: sha256(body),
        bytes: body.length,
        ...(i % 2 ? { ledgerSeq: i } : {}),
      })),
    );
    bodies.forEach((body, i) =>
      expect(files.get(`evidence/e${i}/raw.json`)!.equals(body)).toBe(true),
    );
    expect(files.has('attestation.dsse.json')).toBe(false);
  });

  it('stops when the client goes away, without reading the rest', async () => {
    const client = slowClient();
    let reads = 0;
    const dossier: ReleaseDossier = {
      entityRef: 'component:default/rco',
      release: { version: '1.5.0' },
      createdAt: new Date(),
      ready: false,
      evidencePaths: [],
      files: Array.from({ length: 20 }, (_, i) => ({
        path: `f${i}`,
        body: async () => {
          reads++;
          if (reads === 3) client.out.destroy();
          return randomBytes(MB);
        },
      })),
    };
    await expect(
      writeDossierZip(client.out, dossier, () => undefined),
    ).rejects.toThrow();
    expect(reads).toBeLessThan(6);
  });
});

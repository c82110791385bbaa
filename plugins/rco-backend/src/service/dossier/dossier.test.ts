import request from 'supertest';
import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  asUser,
  DIGEST,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../../__testUtils__/operationsBackend';
import { eventually } from '../../__testUtils__/eventually';
import { resetSimulatedCluster } from '../../drivers/simulated/SimulatedDriver';
import { Ledger } from '../../database/Ledger';
import { canonicalJson } from '../../lib/canonicalJson';
import {
  nobleVerifies,
  sigstoreBundleVerifies,
  sigstoreVerifies,
} from './__testUtils__/independentVerify';
import {
  download,
  ENVIRONMENTS,
  newKeyPem,
  REPOSITORY,
  runVerifyScript,
  SBOM,
  sha256,
  TRIVY,
  unzip,
  upload,
  VELERO,
} from './__testUtils__/dossierApi';

const databases = createTestDatabases();
jest.setTimeout(90_000);
beforeEach(() => resetSimulatedCluster());

const OTHER_DIGEST = `sha256:${'9'.repeat(64)}`;

describe.each(databases.eachSupportedId())(
  'release dossier on %s',
  databaseId => {
    it('holds what the release was judged on, byte for byte, matching the ledger, with a VSA verified independently', async () => {
      const knex = await databases.init(databaseId);
      const privateKey = newKeyPem();
      const { app, backend } = await startOperationsBackend(knex, {
        rco: {
          environments: ENVIRONMENTS,
          attestation: { privateKey, keyId: 'portal-test' },
        },
        config: { app: { baseUrl: 'https://portal.example/' } },
      });
      const trivy = await upload(app, TRIVY, `?digest=${DIGEST}&version=1.5.0`);
      const sbom = await upload(app, SBOM, `?digest=${DIGEST}`);
      const velero = await upload(app, VELERO, '?environment=production');
      // Another image's scan and sign-off: not this release's.
      const other = await upload(
        app,
        TRIVY,
        `?digest=${OTHER_DIGEST}&version=1.6.0`,
      );
      await waiveAllGates(app);
      await request(app)
        .post(`${RCO}/signoffs`)
        .set('Authorization', asUser('paula'))
        .send({
          role: 'po',
          release: { version: '1.6.0', digest: OTHER_DIGEST },
        })
        .expect(201);
      // A deploy to staging, through confirmation to the canary's pause.
      const op = (
        await request(app)
          .post(`${RCO}/operations`)
          .set('Authorization', asUser('alice'))
          .send({ type: 'deploy', environment: 'staging', release: RELEASE })
          .expect(202)
      ).body;
      await request(app)
        .post(`/api/rco/operations/${op.id}/confirm`)
        .set('Authorization', asUser('alice'))
        .send({ confirmation: 'rco' })
        .expect(200);
      await waitFor(app, op.id, o => o.progress?.phase === 'paused');
      // A waiver revoked while the canary waits: its revocation joins it.
      const waivers = await request(app)
        .get(`${RCO}/waivers`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const revoked = waivers.body.items.find(
        (w: any) => w.gate === 'rto-rpo-verification',
      );
      await request(app)
        .post(`/api/rco/waivers/${revoked.id}/revoke`)
        .set('Authorization', asUser('sam'))
        .send({})
        .expect(200);
      // A record of a kind this code does not know (a review, say), naming the operation.
      const review = await knex.transaction(tx =>
        new Ledger(knex).append(tx, {
          entryType: 'release-review',
          entityRef: 'component:default/rco',
          actor: 'user:default/alice',
          payload: { id: 'review-1', operationId: op.id, result: 'as-planned' },
        }),
      );

      const res = await download(app, `?version=1.5.0&digest=${DIGEST}`).expect(
        200,
      );
      expect(res.headers['content-type']).toBe('application/zip');
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="rco-1.5.0-dossier.zip"',
      );
      // Streamed, not sent as one buffer of known length.
      expect(res.headers['content-length']).toBeUndefined();
      const files = await unzip(res.body);
      const manifest = JSON.parse(files.get('manifest.json')!.toString());
      expect(manifest).toMatchObject({
        entityRef: 'component:default/rco',
        release: { version: '1.5.0', digest: DIGEST },
      });

      // Every file is in the manifest with its digest and size, and every manifest entry is a file.
      const listed = new Set(manifest.entries.map((e: any) => e.path));
      expect([...files.keys()].filter(p => !listed.has(p)).sort()).toEqual([
        'attestation.dsse.json',
        'attestation.sigstore.json',
        'manifest.json',
      ]);
      for (const entry of manifest.entries) {
        const data = files.get(entry.path);
        expect({
          path: entry.path,
          sha256: data && sha256(data),
          bytes: data?.length,
        }).toEqual({
          path: entry.path,
          sha256: entry.sha256,
          bytes: entry.bytes,
        });
      }

      // The raw evidence is what was uploaded, byte for byte, and its digest is the ledger's.
      const rows = await knex('rco_ledger').orderBy('seq');
      const bySeq = new Map(rows.map(r => [Number(r.seq), r]));
      const uploads = rows
        .filter(r => r.entry_type === 'evidence-upload')
        .map(r => JSON.parse(r.payload));
      for (const [item, text, ext] of [
        [trivy, TRIVY, 'json'],
        [sbom, SBOM, 'json'],
        [velero, VELERO, 'yaml'],
      ] as const) {
        const record = item.body.items[0];
        const raw = files.get(
          `evidence/${record.kind}-${record.id}/raw.${ext}`,
        );
        expect(raw?.equals(Buffer.from(text))).toBe(true);
        expect(uploads.find(u => u.id === record.id).rawSha256).toBe(
          sha256(raw!),
        );
        const normalised = JSON.parse(
          files
            .get(`evidence/${record.kind}-${record.id}/record.json`)!
            .toString(),
        );
        expect(normalised).toMatchObject({
          id: record.id,
          sha256: record.sha256,
        });
      }
      expect(
        [...files.keys()].some(p => p.includes(other.body.items[0].id)),
      ).toBe(false);

      // Every ledger record is the stored entry: same hash, and its content hashes to it.
      const ledgerFiles = manifest.entries.filter(
        (e: any) => e.ledgerSeq !== undefined,
      );
      expect(ledgerFiles.length).toBeGreaterThan(10);
      for (const entry of ledgerFiles) {
        const file = JSON.parse(files.get(entry.path)!.toString());
        const row = bySeq.get(entry.ledgerSeq)!;
        expect(file.seq).toBe(entry.ledgerSeq);
        expect(file.hash).toBe(row.hash);
        expect(file.prevHash).toBe(row.prev_hash);
        expect(canonicalJson(file.payload)).toBe(row.payload);
        const content = canonicalJson({
          entryType: file.entryType,
          entityRef: file.entityRef,
          actor: file.actor,
          payload: file.payload,
          createdAt: file.createdAt,
        });
        expect(sha256(file.prevHash + content)).toBe(file.hash);
      }
      const types = ledgerFiles.map(
        (e: any) => JSON.parse(files.get(e.path)!.toString()).entryType,
      );
      for (const type of [
        'runbook-version',
        'evidence-upload',
        'waiver',
        'waiver-revoke',
        'release-request',
        'signoff',
        'operation-requested',
        'operation-state',
        'release-review',
      ]) {
        expect(types).toContain(type);
      }
      expect(ledgerFiles.map((e: any) => e.ledgerSeq)).toContain(review.seq);
      const signoffs = ledgerFiles
        .map((e: any) => JSON.parse(files.get(e.path)!.toString()))
        .filter((e: any) => e.entryType === 'signoff');
      expect(signoffs.map((s: any) => s.payload.release.digest)).toEqual([
        DIGEST,
      ]);
      expect(
        uploads.filter(u => u.subject?.digest === OTHER_DIGEST),
      ).toHaveLength(1);

      // The runbook the gates read, and the ledger entry that stored that very document.
      const runbook = JSON.parse(files.get('runbook.json')!.toString());
      expect(runbook.metadata.version).toBe(
        JSON.parse(files.get('verdicts/status.json')!.toString())
          .runbookVersion,
      );
      const runbookEntries = ledgerFiles
        .map((e: any) => JSON.parse(files.get(e.path)!.toString()))
        .filter((e: any) => e.entryType === 'runbook-version');
      expect(runbookEntries.map((e: any) => e.payload.contentHash)).toEqual([
        sha256(canonicalJson(runbook)),
      ]);
      // The operation with its steps and preflight snapshot.
      const operation = JSON.parse(
        files.get(`operations/${op.id}.json`)!.toString(),
      );
      expect(operation.steps.length).toBeGreaterThan(0);
      expect(operation.gateSnapshot.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(operation).not.toHaveProperty('leaseOwner');
      // The verdicts: judged now, and as stored (when the store has judged this release).
      const status = JSON.parse(files.get('verdicts/status.json')!.toString());
      expect(status.gates).toHaveLength(10);
      const stored = JSON.parse(files.get('verdicts/stored.json')!.toString());
      expect(Array.isArray(stored)).toBe(true);

      // The attestation: signed with the configured key, verified by code that did not sign it.
      const publicKey = await request(app)
        .get('/api/rco/attestation/public-key')
        .expect(200);
      expect(publicKey.headers['x-key-id']).toBe('portal-test');
      const envelope = JSON.parse(
        files.get('attestation.dsse.json')!.toString(),
      );
      expect(envelope.signatures[0].keyid).toBe('portal-test');
      expect(nobleVerifies(envelope, publicKey.text)).toBe(true);
      expect(sigstoreVerifies(envelope, publicKey.text)).toBe(true);
      const statement = JSON.parse(
        Buffer.from(envelope.payload, 'base64').toString(),
      );
      // The gate configuration's digest, as the stored verdicts record it.
      const configDigest = (
        await eventually(
          () => knex('rco_verdicts').first('config_digest'),
          row => expect(row?.config_digest).toMatch(/^[0-9a-f]{64}$/),
        )
      )?.config_digest;
      expect(statement).toMatchObject({
        _type: 'https://in-toto.io/Statement/v1',
        predicateType: 'https://slsa.dev/verification_summary/v1',
        subject: [
          { name: REPOSITORY, digest: { sha256: 'c'.repeat(64) } },
          {
            name: 'manifest.json',
            digest: { sha256: sha256(files.get('manifest.json')!) },
          },
        ],
        predicate: {
          verifier: { id: 'https://portal.example' },
          resourceUri: `oci://${REPOSITORY}@${DIGEST}`,
          verificationResult: status.summary.ready ? 'PASSED' : 'FAILED',
          dependencyLevels: {},
        },
      });
      expect(statement.predicate.policy).toEqual({
        uri: 'urn:helix-portal:rco:gate-configuration',
        digest: { sha256: configDigest },
      });
      expect(
        statement.predicate.inputAttestations
          .map((i: any) => i.digest.sha256)
          .sort(),
      ).toEqual(
        manifest.entries
          .filter((e: any) => /^evidence\/.*\/raw\./.test(e.path))
          .map((e: any) => e.sha256)
          .sort(),
      );
      // A payload changed after signing, or a manifest changed after signing, fails verification.
      const text = Buffer.from(envelope.payload, 'base64').toString();
      const tampered = {
        ...envelope,
        payload: Buffer.from(
          text.includes('"PASSED"')
            ? text.replace('"PASSED"', '"FAILED"')
            : text.replace('"FAILED"', '"PASSED"'),
        ).toString('base64'),
      };
      expect(nobleVerifies(tampered, publicKey.text)).toBe(false);
      expect(sigstoreVerifies(tampered, publicKey.text)).toBe(false);
      const editedManifest = Buffer.from(
        files
          .get('manifest.json')!
          .toString()
          .replace(manifest.entries[0].sha256, '0'.repeat(64)),
      );
      const subjects = statement.subject.map((s: any) => s.digest.sha256);
      expect(subjects).not.toContain(sha256(editedManifest));

      // The same envelope as a Sigstore bundle, for cosign 3 and the Sigstore clients.
      const bundle = JSON.parse(
        files.get('attestation.sigstore.json')!.toString(),
      );
      expect(bundle.dsseEnvelope).toEqual(envelope);
      expect(sigstoreBundleVerifies(bundle, publicKey.text)).toBe(true);

      // The README's commands (verify-dossier.sh: openssl, jq, sha256sum) on the unzipped dossier.
      const script = runVerifyScript(files, publicKey.text);
      const { dir, verify } = script;
      try {
        const good = verify();
        expect(good.out).toContain('Verified OK');
        expect(good.out).toContain(
          `${statement.predicate.verificationResult} ${REPOSITORY}@${DIGEST}`,
        );
        expect(good.ok).toBe(true);
        // A raw document edited: its digest no longer matches the manifest.
        const rawPath = manifest.entries.find((e: any) =>
          /^evidence\/.*\/raw\.json$/.test(e.path),
        ).path;
        const original = files.get(rawPath)!;
        fs.writeFileSync(
          path.join(dir, rawPath),
          Buffer.concat([original, Buffer.from(' ')]),
        );
        expect(verify()).toMatchObject({
          ok: false,
          out: expect.stringMatching(/FAILED/),
        });
        fs.writeFileSync(path.join(dir, rawPath), original);
        // A ledger entry edited: its content no longer hashes to its hash.
        const ledgerPath = ledgerFiles[0].path;
        const entryText = files.get(ledgerPath)!.toString();
        fs.writeFileSync(
          path.join(dir, ledgerPath),
          entryText.replace('"actor": "', '"actor": "x'),
        );
        expect(verify()).toMatchObject({
          ok: false,
          out: expect.stringContaining(`${ledgerPath} does not match its hash`),
        });
        fs.writeFileSync(path.join(dir, ledgerPath), entryText);
        expect(verify().ok).toBe(true);
        fs.writeFileSync(
          path.join(dir, rawPath),
          Buffer.concat([original, Buffer.from(' ')]),
        );
        // ...and the manifest edited to match: no longer the manifest the attestation signed.
        const edited = files
          .get('manifest.json')!
          .toString()
          .replace(
            sha256(original),
            sha256(Buffer.concat([original, Buffer.from(' ')])),
          );
        fs.writeFileSync(path.join(dir, 'manifest.json'), edited);
        expect(verify()).toMatchObject({
          ok: false,
          out: expect.stringMatching(/not the one the attestation signed/),
        });
        // ...and the statement edited to name that manifest: the signature fails.
        const forged = {
          ...envelope,
          payload: Buffer.from(
            Buffer.from(envelope.payload, 'base64')
              .toString()
              .replace(sha256(files.get('manifest.json')!), sha256(edited)),
          ).toString('base64'),
        };
        fs.writeFileSync(
          path.join(dir, 'attestation.dsse.json'),
          JSON.stringify(forged),
        );
        expect(verify()).toMatchObject({
          ok: false,
          out: expect.stringMatching(/Verification failure/),
        });
      } finally {
        script.cleanup();
      }

      // The attestation alone: the same release, the same key, no manifest subject.
      const alone = await request(app)
        .get(`${RCO}/releases/attestation?version=1.5.0&digest=${DIGEST}`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(nobleVerifies(alone.body, publicKey.text)).toBe(true);
      const aloneStatement = JSON.parse(
        Buffer.from(alone.body.payload, 'base64').toString(),
      );
      expect(aloneStatement.subject).toEqual([statement.subject[0]]);
      expect(aloneStatement.predicate.inputAttestations).toEqual(
        statement.predicate.inputAttestations,
      );
      await backend.stop();
    });
  },
);

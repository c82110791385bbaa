import request from 'supertest';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  startOperationsBackend,
} from '../../__testUtils__/operationsBackend';
import {
  CI,
  download,
  ENVIRONMENTS,
  newKeyPem,
  TRIVY,
  unzip,
  upload,
} from './__testUtils__/dossierApi';

/** Who may read a dossier, and the attestation key's configuration. */

const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'release dossier access and key on %s',
  databaseId => {
    it('answers 404 to callers who may not see the entity, and for a release without evidence', async () => {
      const knex = await databases.init(databaseId);
      const audit: Array<{ eventId: string; meta: any; outcome?: string }> = [];
      const { app, backend } = await startOperationsBackend(knex, {
        features: [
          createServiceFactory({
            service: coreServices.auditor,
            deps: {},
            factory: () =>
              ({
                createEvent: async ({ eventId, meta }: any) => {
                  const event = { eventId, meta } as (typeof audit)[number];
                  audit.push(event);
                  return {
                    success: async () => {
                      event.outcome = 'success';
                    },
                    fail: async () => {
                      event.outcome = 'fail';
                    },
                  };
                },
              } as any),
          }),
        ],
        rco: {
          environments: ENVIRONMENTS,
          attestation: { privateKey: newKeyPem() },
        },
        visible: (_entity, credentials) =>
          credentials?.principal?.userEntityRef !== 'user:default/bob',
      });
      await upload(app, TRIVY, `?digest=${DIGEST}&version=1.5.0`);
      // The pipeline of the entity reaches it; other tokens and people who cannot see it do not.
      const own = await download(app, '', CI).expect(200);
      expect(own.headers['content-disposition']).toBe(
        'attachment; filename="rco-1.5.0-dossier.zip"',
      );
      for (const auth of [asUser('bob'), asService('external:ci-other')]) {
        for (const route of ['dossier', 'attestation']) {
          const res = await request(app)
            .get(`${RCO}/releases/${route}`)
            .set('Authorization', auth);
          expect(res.status).toBe(404);
          expect(res.body.error.message).toBe(
            'No entity component:default/rco',
          );
        }
      }
      const none = await request(app)
        .get(`${RCO}/releases/dossier?version=9.9.9`)
        .set('Authorization', asUser('alice'));
      expect(none.status).toBe(404);
      expect(none.body.error.message).toBe(
        'No evidence for release 9.9.9 of component:default/rco: a dossier holds what a release was judged on, and nothing was',
      );
      // Downloads and signatures are audited: who asked for which release, and how it ended.
      const dossierEvents = audit.filter(e => e.eventId === 'release-dossier');
      expect(dossierEvents).toEqual([
        {
          eventId: 'release-dossier',
          meta: {
            entityRef: 'component:default/rco',
            version: null,
            digest: null,
          },
          outcome: 'success',
        },
        {
          eventId: 'release-dossier',
          meta: {
            entityRef: 'component:default/rco',
            version: '9.9.9',
            digest: null,
          },
          outcome: 'fail',
        },
      ]);
      // A release named only by its version: the dossier, but no image to attest.
      const versionOnly = await request(app)
        .get(`${RCO}/releases/attestation?version=1.5.0`)
        .set('Authorization', asUser('alice'));
      expect(versionOnly.status).toBe(404);
      expect(versionOnly.body.error.message).toMatch(/names no image digest/);
      await backend.stop();
    });

    it('makes no attestation without a key: the dossier has none, the routes answer 404', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        rco: { environments: ENVIRONMENTS },
      });
      await upload(app, TRIVY, `?digest=${DIGEST}&version=1.5.0`);
      const files = await unzip(
        (
          await download(app, `?digest=${DIGEST}`).expect(200)
        ).body,
      );
      expect(files.has('manifest.json')).toBe(true);
      expect(files.has('attestation.dsse.json')).toBe(false);
      const short = await download(app, `?digest=${DIGEST}`);
      expect(short.headers['content-disposition']).toBe(
        'attachment; filename="rco-cccccccccccc-dossier.zip"',
      );
      const attestation = await request(app)
        .get(`${RCO}/releases/attestation?digest=${DIGEST}`)
        .set('Authorization', asUser('alice'));
      expect(attestation.status).toBe(404);
      expect(attestation.body.error.message).toMatch(
        /rco\.attestation\.privateKey/,
      );
      await request(app).get('/api/rco/attestation/public-key').expect(404);
      await backend.stop();
    });

    it('refuses to start with a key that is not a P-256 private key, without echoing it', async () => {
      const knex = await databases.init(databaseId);
      const secret = 'not-a-key-but-a-secret-all-the-same';
      let error: Error | undefined;
      try {
        const { backend } = await startOperationsBackend(knex, {
          rco: { attestation: { privateKey: secret } },
          logLevel: 'none',
        });
        await backend.stop();
      } catch (e) {
        error = e as Error;
      }
      expect(String(error)).toMatch(
        /rco\.attestation\.privateKey is not a PEM private key/,
      );
      expect(String(error)).not.toContain(secret);
    });
  },
);

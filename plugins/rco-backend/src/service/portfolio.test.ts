import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { TestDatabaseId } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import path from 'node:path';
import request from 'supertest';
import { rcoPlugin } from '../plugin';
import { createTestDatabases } from '../__testUtils__/databases';
import { eventually } from '../__testUtils__/eventually';
import { EXAMPLE_GROUPS } from '../__testUtils__/operationsBackend';
import {
  examplesDir,
  governedEntity,
  readSample,
} from '../__testUtils__/fixtures';

/** Issue 12, point 8: GET /portfolio orders by risk before paging and gives totals. */
const databases = createTestDatabases();
jest.setTimeout(60_000);
const DIGEST = `sha256:${'a'.repeat(64)}`;
const ALICE = `Bearer mock-user-token:${JSON.stringify({
  sub: 'user:default/alice',
})}`;
const CI = `Bearer mock-service-token:${JSON.stringify({
  sub: 'external:ci-rco',
})}`;

function grypeOf(digest: string) {
  const doc = JSON.parse(readSample('grype-json-image.json'));
  doc.source.target.manifestDigest = digest;
  doc.source.target.repoDigests = [];
  return JSON.stringify(doc);
}

async function start(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  const location = `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`;
  const annotations = { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' };
  const { server } = await startTestBackend({
    features: [
      rcoPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          rco: {
            ...EXAMPLE_GROUPS,
            ci: {
              subjects: [
                {
                  subject: 'external:ci-rco',
                  entities: ['component:default/rco'],
                },
              ],
            },
          },
        },
      }),
      catalogServiceMock.factory({
        entities: [
          governedEntity('rco', location, annotations),
          governedEntity('other', location, annotations),
        ],
      }),
    ],
  });
  return server;
}

describe.each(databases.eachSupportedId())(
  'GET /portfolio order and totals, on %p',
  databaseId => {
    it('sorts riskiest first with sort=risk, before paging, and counts every entity', async () => {
      const app = await start(databaseId);
      // rco's image scan fails; other has no evidence at all (missing, not failing).
      await request(app)
        .post(
          `/api/rco/entities/component/default/rco/evidence?digest=${DIGEST}&version=1.4.0`,
        )
        .set('Authorization', CI)
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.from(grypeOf(DIGEST)))
        .expect(201);

      // Verdicts are stored after the write (issue 14): read once both are judged.
      const byRef = await eventually(
        () =>
          request(app).get('/api/rco/portfolio').set('Authorization', ALICE),
        res => {
          expect(res.body.pending).toBe(0);
          expect(
            res.body.items.find((i: any) => i.entityRef.endsWith('/rco'))
              ?.summary.blockedBy,
          ).toContain('image-scanning');
        },
      );
      expect(byRef.body.items.map((i: any) => i.entityRef)).toEqual([
        'component:default/other',
        'component:default/rco',
      ]);

      const byRisk = await request(app)
        .get('/api/rco/portfolio?sort=risk')
        .set('Authorization', ALICE)
        .expect(200);
      expect(byRisk.body.items.map((i: any) => i.entityRef)).toEqual([
        'component:default/rco',
        'component:default/other',
      ]);

      // The second page continues the risk order; the totals still cover both entities.
      const page2 = await request(app)
        .get('/api/rco/portfolio?sort=risk&offset=1&limit=1')
        .set('Authorization', ALICE)
        .expect(200);
      expect(page2.body.items.map((i: any) => i.entityRef)).toEqual([
        'component:default/other',
      ]);
      expect(page2.body.totalItems).toBe(2);
      expect(page2.body.totals).toMatchObject({
        services: 2,
        ready: 0,
        blocked: 2,
        failing: 1,
      });
      expect(page2.body.totals.missing).toBeGreaterThanOrEqual(1);
    });

    it('refuses an unknown sort with a 400 naming it', async () => {
      const app = await start(databaseId);
      const res = await request(app)
        .get('/api/rco/portfolio?sort=popularity')
        .set('Authorization', ALICE);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/sort/);
    });
  },
);

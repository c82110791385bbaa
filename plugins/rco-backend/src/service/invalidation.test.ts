import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  examplesDir,
  governedEntity,
  readExample,
} from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';
import { eventually } from '../__testUtils__/eventually';

/**
 * Verdicts are stored and recomputed after every write that can change them (issue 14, point 1;
 * issue 10 before it: "each service invalidates what its writes change, including the runbook
 * refresh and dry-run evidence"). The portfolio reads only stored verdicts, so each kind of
 * write must reach it.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

const portfolioRow = async (app: any, entityRef: string) => {
  const res = await request(app)
    .get('/api/rco/portfolio')
    .set('Authorization', asUser('alice'));
  expect(res.status).toBe(200);
  return res.body.items.find((i: any) => i.entityRef === entityRef);
};
const gateOf = (r: any, id: string) =>
  r?.gates.find((g: any) => g.id === id)?.status;
/** The stored verdict's gate, once a recomputation has shown `status`. */
function gateBecomes(app: any, ref: string, gate: string, status: string) {
  return eventually(
    () => portfolioRow(app, ref),
    r => {
      expect(gateOf(r, gate)).toBe(status);
    },
  );
}
const row = portfolioRow;

/** A Trivy report of the release's image with one critical finding: image-scanning fails. */
const failingScanOf = (digest: string) =>
  JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: `registry.example/rco@${digest}`,
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [`registry.example/rco@${digest}`] },
    Results: [
      {
        Target: 'registry.example/rco (debian 12)',
        Class: 'os-pkgs',
        Vulnerabilities: [
          {
            VulnerabilityID: 'CVE-2024-0001',
            PkgName: 'openssl',
            InstalledVersion: '3.0.0',
            Severity: 'CRITICAL',
          },
        ],
      },
    ],
  });

describe.each(databases.eachSupportedId())(
  'the portfolio after a write on %s',
  databaseId => {
    it('shows the dry-run the console recorded at once, not a minute later', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
      });
      const ref = 'component:default/rco';
      await gateBecomes(app, ref, 'migration-controls', 'missing');
      const res = await request(app)
        .post(`${RCO}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'rollback-dry-run', environment: 'production' });
      expect(res.status).toBe(202);
      await waitFor(app, res.body.id, o => o.state === 'succeeded');
      await gateBecomes(app, ref, 'migration-controls', 'pass');
      await backend.stop();
    });

    it('shows the runbook a refresh stored at once, not a minute later', async () => {
      const knex = await databases.init(databaseId);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-runbook-'));
      const runbook = path.join(dir, 'runbook.yaml');
      // The older version first; the refresh then finds the newer one.
      fs.writeFileSync(
        runbook,
        readExample('rco/runbook/rco-runbook-v1.2.yaml'),
      );
      fs.copyFileSync(
        path.join(examplesDir, 'rco/catalog-info.yaml'),
        path.join(dir, 'catalog-info.yaml'),
      );
      try {
        const { app, backend } = await startOperationsBackend(knex, {
          logLevel: 'none',
          extraEntities: [
            governedEntity(
              'docs',
              `file:${path.join(dir, 'catalog-info.yaml')}`,
              {
                'rco.helix.dev/runbook': './runbook.yaml',
              },
            ),
          ],
        });
        const ref = 'component:default/docs';
        await request(app)
          .post('/api/rco/entities/component/default/docs/runbook/refresh')
          .set('Authorization', asUser('alice'))
          .expect(200);
        await eventually(
          () => row(app, ref),
          r => expect(r?.runbookVersion).toBe('1.2.0'),
        );
        fs.writeFileSync(runbook, readExample('rco/runbook/rco-runbook.yaml'));
        const refreshed = await request(app)
          .post('/api/rco/entities/component/default/docs/runbook/refresh')
          .set('Authorization', asUser('alice'));
        expect(refreshed.body).toMatchObject({
          status: 'ok',
          current: '1.3.0',
        });
        await eventually(
          () => row(app, ref),
          r => expect(r?.runbookVersion).toBe('1.3.0'),
        );
        await backend.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('shows an upload, a sign-off and its revocation, a waiver and its revocation', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
      });
      const ref = 'component:default/rco';
      await request(app)
        .post(
          `${RCO}/evidence?digest=${RELEASE.digest}&version=${RELEASE.version}`,
        )
        .set('Authorization', asService('external:ci-rco'))
        .set('Content-Type', 'application/json')
        .send(failingScanOf(RELEASE.digest))
        .expect(201);
      // The upload names the newest release and fails its scan.
      const scanned = await gateBecomes(app, ref, 'image-scanning', 'fail');
      expect(scanned.release).toMatchObject({ digest: RELEASE.digest });
      expect(gateOf(scanned, 'dpo-signoff')).toBe('missing');

      await request(app)
        .post(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .send(RELEASE)
        .expect(201);
      const signed = await request(app)
        .post(`${RCO}/signoffs`)
        .set('Authorization', asUser('dana'))
        .send({ role: 'dpo', release: RELEASE, decision: 'approved' })
        .expect(201);
      await gateBecomes(app, ref, 'dpo-signoff', 'pass');
      await request(app)
        .post(`/api/rco/signoffs/${signed.body.id}/revoke`)
        .set('Authorization', asUser('dana'))
        .expect(201);
      await gateBecomes(app, ref, 'dpo-signoff', 'missing');

      const waiver = await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'image-scanning',
          justification: 'fix scheduled',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        })
        .expect(201);
      const waived = await gateBecomes(app, ref, 'image-scanning', 'waived');
      // The waiver's end is when time alone changes this verdict (or sooner).
      expect(new Date(waived.validUntil).getTime()).toBeLessThanOrEqual(
        Date.now() + 3_600_000,
      );
      await request(app)
        .post(`/api/rco/waivers/${waiver.body.id}/revoke`)
        .set('Authorization', asUser('sam'))
        .expect(200);
      await gateBecomes(app, ref, 'image-scanning', 'fail');
      await backend.stop();
    });
  },
);

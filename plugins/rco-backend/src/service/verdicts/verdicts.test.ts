import request from 'supertest';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { createTestDatabases } from '../../__testUtils__/databases';
import { eventually } from '../../__testUtils__/eventually';
import {
  asService,
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
} from '../../__testUtils__/operationsBackend';
import { ReleaseService } from '../ReleaseService';

/**
 * Stored verdicts (issue 14, point 1): reads never compute; time alone changes a verdict when
 * its valid-until passes; two instances on one database end on the verdict of the last write.
 */
const databases = createTestDatabases();
jest.setTimeout(90_000);
const REF = 'component:default/rco';
const CI = asService('external:ci-rco');

/** A Trivy report of the release's image, clean or with one critical finding (a failing scan). */
const scan = (digest: string, critical = false) =>
  JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: `registry.example/rco@${digest}`,
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [`registry.example/rco@${digest}`] },
    Results: critical
      ? [
          {
            Target: 'x',
            Class: 'os-pkgs',
            Vulnerabilities: [
              {
                VulnerabilityID: 'CVE-2024-0001',
                PkgName: 'openssl',
                InstalledVersion: '3',
                Severity: 'CRITICAL',
              },
            ],
          },
        ]
      : [],
  });
const cleanScan = (digest: string) => scan(digest);
const upload = (app: any, body = cleanScan(RELEASE.digest)) =>
  request(app)
    .post(`${RCO}/evidence?digest=${RELEASE.digest}&version=${RELEASE.version}`)
    .set('Authorization', CI)
    .set('Content-Type', 'application/json')
    .send(body);
const portfolio = async (app: any) =>
  (
    await request(app)
      .get('/api/rco/portfolio')
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body;
const rcoRow = async (app: any) =>
  (await portfolio(app)).items.find((i: any) => i.entityRef === REF);
const gate = (row: any, id: string) => row?.gates.find((g: any) => g.id === id);

describe.each(databases.eachSupportedId())(
  'stored verdicts on %s',
  databaseId => {
    afterEach(() => jest.restoreAllMocks());

    it('serves the status and the portfolio from the stored verdict without judging', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
      });
      await upload(app).expect(201);
      await eventually(
        () => rcoRow(app),
        r => expect(r?.release.digest).toBe(RELEASE.digest),
      );
      // Wait for every recomputation the writes asked for, then count judgements.
      await new Promise(r => setTimeout(r, 500));
      const judging = [
        jest.spyOn(ReleaseService.prototype, 'judge'),
        jest.spyOn(ReleaseService.prototype, 'judgeEverywhere'),
      ];
      const status = await request(app)
        .get(`${RCO}/status?environment=production`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      await portfolio(app);
      for (const spy of judging) expect(spy).not.toHaveBeenCalled();
      // Served whole: explained gates, the caller's four eyes, every environment's summary.
      expect(status.body.release.digest).toBe(RELEASE.digest);
      expect(status.body.fourEyes).toBeDefined();
      expect(status.body.gates[0].condition).toBeDefined();
      expect(status.body.environments.map((e: any) => e.environment)).toEqual([
        'staging',
        'production',
      ]);

      // A write the verdict has not caught up with yet is judged at once for the writer's next
      // read (the ledger moved past the stored verdict's basis), never served stale.
      await upload(app, scan(RELEASE.digest, true)).expect(201);
      const after = await request(app)
        .get(`${RCO}/status`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(gate(after.body, 'image-scanning').status).toBe('fail');
      await backend.stop();
    });

    it('turns a gate stale when its evidence ages out: at once on read, and stored by the schedule', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
        // The real scheduler: test backends' mock one runs no task by itself.
        features: [schedulerServiceFactory],
        rco: {
          gates: { 'image-scanning': { maxAge: 'PT3S' } },
          collection: { observationGranularity: 'PT0S' },
          verdicts: {
            schedule: {
              frequency: { seconds: 1 },
              timeout: { seconds: 30 },
              initialDelay: { seconds: 0 },
            },
          },
        },
      });
      // A failing scan ages like any other: stale once older than maxAge.
      await upload(app, scan(RELEASE.digest, true)).expect(201);
      const passing = await eventually(
        () => rcoRow(app),
        r => expect(gate(r, 'image-scanning')?.status).toBe('fail'),
      );
      const until = Date.parse(gate(passing, 'image-scanning').validUntil);
      expect(until).toBeGreaterThan(Date.now());
      expect(until).toBeLessThanOrEqual(Date.now() + 3_000);
      expect(Date.parse(passing.validUntil)).toBeLessThanOrEqual(until);
      await new Promise(r => setTimeout(r, until - Date.now() + 10));
      // Read before any recomputation: the portfolio already says stale.
      expect(gate(await rcoRow(app), 'image-scanning').status).toBe('stale');
      // The scheduled run stores it.
      await eventually(
        () =>
          knex('rco_verdicts')
            .where({ entity_ref: REF, environment: '' })
            .first(),
        row =>
          expect(
            JSON.parse(row!.gates).find((g: any) => g.id === 'image-scanning')
              .status,
          ).toBe('stale'),
      );
      await backend.stop();
    });

    it('two instances on one database end on the verdict of the last write, whichever judged last', async () => {
      const knex = await databases.init(databaseId);
      const a = await startOperationsBackend(knex, { logLevel: 'none' });
      const b = await startOperationsBackend(knex, { logLevel: 'none' });
      await upload(a.app, scan(RELEASE.digest, true)).expect(201);
      // Concurrent writes through both: waivers granted and revoked, scans uploaded.
      const waive = (app: any) =>
        request(app)
          .post(`${RCO}/waivers`)
          .set('Authorization', asUser('sam'))
          .send({
            gate: 'image-scanning',
            justification: 'fix scheduled for the next sprint',
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          })
          .expect(201);
      const granted = await Promise.all([
        waive(a.app),
        waive(b.app),
        upload(b.app),
      ]);
      for (const app of [a.app, b.app])
        await eventually(
          () => rcoRow(app),
          r => expect(gate(r, 'image-scanning')?.status).toBe('waived'),
        );
      // The last writes revoke both waivers, one through each instance, at once.
      await Promise.all(
        granted.slice(0, 2).map((w, i) =>
          request(i ? a.app : b.app)
            .post(`/api/rco/waivers/${w.body.id}/revoke`)
            .set('Authorization', asUser('sam'))
            .expect(200),
        ),
      );
      for (const app of [a.app, b.app])
        await eventually(
          () => rcoRow(app),
          r => expect(gate(r, 'image-scanning')?.status).toBe('fail'),
        );
      // What is stored was computed from the ledger's last entry for the entity.
      await eventually(
        async () => {
          const stored = await knex('rco_verdicts')
            .where({ entity_ref: REF, environment: '' })
            .first();
          const head: any = await knex('rco_ledger')
            .where({ entity_ref: REF })
            .max({ seq: 'seq' })
            .first();
          return [Number(stored?.basis_seq), Number(head?.seq)];
        },
        ([basis, head]) => expect(basis).toBe(head),
      );
      await a.backend.stop();
      await b.backend.stop();
    });
  },
);

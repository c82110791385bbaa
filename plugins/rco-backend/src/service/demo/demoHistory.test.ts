import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { ReplayChange } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import path from 'node:path';
import { readRcoConfig } from '../../config';
import { createTestDatabases } from '../../__testUtils__/databases';
import { examplesDir } from '../../__testUtils__/fixtures';
import { DatabaseEvidenceStore } from '../../database/DatabaseEvidenceStore';
import { DatabaseRunbookStore } from '../../database/DatabaseRunbookStore';
import { DecisionStore } from '../../database/DecisionStore';
import { Ledger } from '../../database/Ledger';
import { LedgerCheckpoints } from '../../database/LedgerCheckpoints';
import { EvidenceService } from '../../evidence/EvidenceService';
import { entityRepositories } from '../../evidence/imageIdentity';
import { builtinParsers } from '../../evidence/parsers';
import { createMetrics } from '../../metrics/createMetrics';
import { LedgerVerifier } from '../LedgerVerifier';
import { ReleaseService } from '../ReleaseService';
import { RunbookReader } from '../RunbookReader';
import { RunbookService } from '../RunbookService';
import { SigstoreVerifier } from '../../evidence/sigstore';
import { generateDemoHistory } from './demoHistory';
import {
  GITHUB,
  testSigstore,
  workflow,
} from './history/__testUtils__/signing';

/**
 * Issue 17: the local portal's 90-day demo history is written through the product's own stores
 * and decision path, so the metrics and the replay computed over it are real.
 */
const databases = createTestDatabases();
jest.setTimeout(180_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const NOW = new Date('2026-11-30T12:00:00.000Z');
const RCO = 'component:default/rco';
const RCOT = 'component:default/rcot';

/** The local portal's settings that decide gates and sign-offs (app-config.yaml). */
const configOf = (trustedRoot: object) =>
  readRcoConfig(
    new ConfigReader({
      rco: {
        // A throwaway Sigstore in place of the demo's (whose CA keys are gone): CI signs each image.
        sigstore: {
          trustedRoot,
          identities: ['rco', 'rcot'].map(service => ({
            entity: `component:default/${service}`,
            issuer: GITHUB,
            subject: workflow(service),
          })),
        },
        demoEvidence: true,
        demoEvidenceDir: path.join(examplesDir, 'rco/evidence'),
        environments: [
          {
            name: 'staging',
            driver: 'simulated',
            imageRepository: 'registry.helix.example/rco',
            soak: 'PT24H',
          },
          {
            name: 'production',
            driver: 'simulated',
            imageRepository: 'registry.helix.example/rco',
            requiredSignoffs: ['po', 'dpo', 'security'],
          },
        ],
        signoffs: {
          groups: {
            po: 'group:default/product-owners',
            dpo: 'group:default/dpo',
            security: 'group:default/security',
          },
        },
        waivers: { group: 'group:default/security' },
        breakGlass: { group: 'group:default/break-glass' },
        ledger: { checkpointKey: 'demo-history-test-key-not-a-secret' },
      },
    }),
  );

let sigstore: Awaited<ReturnType<typeof testSigstore>>;
let rcoConfig: ReturnType<typeof readRcoConfig>;
const signed = new Map<string, string>();
/** CI's `cosign sign` of each image (memoised: both runs sign the same images). */
const sign = async (entityRef: string, release: { digest: string }) => {
  if (!signed.has(release.digest))
    signed.set(
      release.digest,
      await sigstore.sign(
        entityRef.split('/').pop()!,
        'registry.helix.example/rco',
        release.digest,
      ),
    );
  return signed.get(release.digest);
};
beforeAll(async () => {
  sigstore = await testSigstore();
  rcoConfig = configOf(sigstore.trustedRoot);
});
afterAll(() => sigstore?.close());

/** The stores and services plugin.ts builds, over one database. */
async function portal(knex: Knex, signer = sign) {
  await knex.migrate.latest({ directory: migrations });
  const clock = { now: () => NOW };
  const logger = mockServices.logger.mock();
  const key = rcoConfig.ledger.checkpointKey;
  const ledger = new Ledger(knex, key);
  const evidenceStore = new DatabaseEvidenceStore(knex, ledger);
  const runbooks = new RunbookService(
    DatabaseRunbookStore.create({ db: knex, ledgerKey: key }),
    new RunbookReader(
      mockServices.urlReader.mock(),
      ScmIntegrations.fromConfig(new ConfigReader({})),
    ),
    logger,
  );
  const releases = new ReleaseService(
    evidenceStore,
    new DecisionStore(knex, ledger, clock),
    ledger,
    runbooks,
    rcoConfig,
    2,
    clock,
  );
  const evidenceService = new EvidenceService(
    evidenceStore,
    builtinParsers,
    ref =>
      entityRepositories(
        rcoConfig.environments.map(e => e.imageRepository),
        ref.split('/').pop()!,
      ),
    clock,
    new SigstoreVerifier(rcoConfig.sigstore),
  );
  const metrics = createMetrics({
    db: knex,
    config: rcoConfig,
    environments: ['staging', 'production'],
    clock,
    catalog: {} as any,
    logger,
    policy: { config: rcoConfig.gates, groups: releases.groups },
    configDigest: 'config-digest',
    demo: () => true,
  });
  const verifier = new LedgerVerifier(
    knex,
    ledger,
    new LedgerCheckpoints(key),
    logger,
    0,
    0,
  );
  const generate = async () => {
    const started = performance.now();
    const history = await generateDemoHistory({
      dir: path.join(examplesDir, 'rco/evidence'),
      now: NOW,
      db: knex,
      ledger,
      evidenceService,
      releases,
      config: rcoConfig,
      configDigest: 'config-digest',
      sign: signer,
    });
    return { history, ms: performance.now() - started };
  };
  return { generate, metrics, verifier, knex };
}

const period = {
  from: new Date(NOW.getTime() - 90 * 86_400_000).toISOString(),
  to: NOW.toISOString(),
};
const figures = (m: any) =>
  Object.fromEntries(
    m.delivery.metrics.map((x: any) => [x.id, [x.value, x.sample]]),
  );

/** What each database's run measured, compared across runs by the last test. */
const written: Array<{ databaseId: TestDatabaseId; production: any }> = [];

describe('the demo history (issue 17)', () => {
  it.each(databases.eachSupportedId())(
    'is 90 days of real deploys, blocks, waivers, break-glass and rollbacks, verified and replayable (%s)',
    async databaseId => {
      const one = await portal(await databases.init(databaseId));
      const { history, ms } = await one.generate();
      // eslint-disable-next-line no-console
      console.log(`demo history written in ${Math.round(ms)} ms`);
      expect(history.entities).toEqual([RCO, RCOT]);
      expect(history.to).toBe(NOW.toISOString());

      const production = await one.metrics.metrics.metrics(
        { environment: 'production', ...period },
        { entityRef: RCO, entityRefs: [RCO] },
      );
      // eslint-disable-next-line no-console
      console.log(JSON.stringify(figures(production)));
      const m = figures(production);
      expect(production.demo).toBe(true);
      expect(m['deployment-frequency'][1]).toBeGreaterThan(10);
      expect(m['lead-time'][0]).toBeGreaterThan(0);
      expect(m['change-failure-rate'][0]).toBeGreaterThan(0);
      expect(m['change-failure-rate'][0]).toBeLessThan(0.3);
      expect(m['time-to-restore'][0]).toBeGreaterThan(0);

      const rcot = await one.metrics.metrics.metrics(
        { environment: 'production', ...period },
        { entityRef: RCOT, entityRefs: [RCOT] },
      );
      expect(figures(rcot)['deployment-frequency'][1]).toBeGreaterThan(10);

      const both = [RCO, RCOT];
      const gates = (env: string) =>
        one.metrics.metrics
          .metrics({ environment: env, ...period }, { entityRefs: both })
          .then(r => ({
            r,
            gate: (id: string) =>
              r.effectiveness.gates.find(g => g.gate === id)!,
          }));
      const staging = await gates('staging');
      const prod = await gates('production');
      // Blocks turned green: staging's policy report by a new report after the fix (a later
      // clean image scan never erases a finding), the image scan by Security's waiver, and in
      // production by break-glass.
      expect(
        staging.gate('policy-enforcement').turnedGreen.evidence,
      ).toBeGreaterThanOrEqual(1);
      expect(
        staging.gate('image-scanning').turnedGreen.waiver,
      ).toBeGreaterThanOrEqual(1);
      // One production block per service lifted by break-glass after it held a deploy. (The
      // confirmation of the deploy that went through, judged failing and overridden again, is
      // counted as a second block opened and lifted at once: effectiveness.ts's reading.)
      const lifted = prod.r.effectiveness.blocks.filter(
        b =>
          b.greenBy === 'break-glass' && b.greenOperationId !== b.operationId,
      );
      expect(lifted.map(b => b.entityRef).sort()).toEqual(both);
      expect(lifted.every(b => b.hours! > 0)).toBe(true);
      // The waived release failed in production: an escape through the waiver.
      expect(prod.gate('image-scanning').escapes.waiver).toBeGreaterThanOrEqual(
        1,
      );
      const breakGlass = prod.r.effectiveness.overrides.filter(
        o => o.kind === 'break-glass',
      );
      // One per service, each the way one deploy went through.
      expect(breakGlass).toHaveLength(2);
      for (const o of breakGlass) {
        expect(o.operations).toHaveLength(1);
        expect(o.outcome).toBe('healthy');
        expect(o.justification).toMatch(/^demo history: /);
        expect(o.grantedBy).toBe('user:default/mei.tanaka');
      }

      // The history is on the ledger without breaking it.
      const verified = await one.verifier.run();
      expect((verified as any).problems ?? []).toEqual([]);
      expect(verified.ok).toBe(true);

      // Every recorded decision is reproduced by the replay under the policy in force.
      const replay = await one.metrics.replay.replay(
        { gate: 'image-scanning' },
        { from: new Date(period.from), to: NOW, timeZone: 'UTC' },
        { entityRefs: both },
      );
      expect(replay.baseline.mismatched).toEqual([]);
      expect(replay.baseline.unreplayable).toBe(0);
      expect(replay.baseline.replayed).toBeGreaterThan(100);
      expect(replay.baseline.matched).toBe(replay.baseline.replayed);
      expect(replay.demo).toBe(true); // the page labels it

      // A change of one gate reads only what that gate reads (its own waivers whole, the
      // others' by id, no sign-offs): over a history with waivers, break-glass and DPO
      // sign-offs, its baseline still reproduces every decision.
      const oneGate: ReplayChange[] = [
        { gate: 'image-scanning', blockingSeverities: ['CRITICAL'] },
        { gate: 'rto-rpo-verification', maxAge: 'P3650D' },
        { gate: 'migration-controls', maxAge: 'PT1H' },
      ];
      for (const change of oneGate) {
        const narrow = await one.metrics.replay.replay(
          change,
          { from: new Date(period.from), to: NOW, timeZone: 'UTC' },
          { entityRefs: both },
        );
        expect({ change, mismatched: narrow.baseline.mismatched }).toEqual({
          change,
          mismatched: [],
        });
        expect(narrow.baseline.unreplayable).toBe(0);
        expect(narrow.baseline.matched).toBe(replay.baseline.matched);
      }
      written.push({ databaseId, production });
    },
  );

  it('is the same every time: another portal writes a history with the same metrics', async () => {
    // Each database above wrote it once (PostgreSQL and SQLite in CI): those runs are compared.
    // With one database only, a second portal writes it again there.
    // It compares the runs of the test above: run alone (-t) or after one of them failed, it
    // says so instead of failing on a count.
    if (written.length !== databases.eachSupportedId().length)
      throw new Error(
        `compares the histories the test above wrote: ${written.length} of ${
          databases.eachSupportedId().length
        } were written (run it with that test; a failure there is the cause)`,
      );
    if (written.length === 1) {
      const again = await portal(await databases.init(written[0].databaseId));
      await again.generate();
      written.push({
        databaseId: written[0].databaseId,
        production: await again.metrics.metrics.metrics(
          { environment: 'production', ...period },
          { entityRef: RCO, entityRefs: [RCO] },
        ),
      });
    }
    const [first, ...others] = written;
    for (const other of others) {
      expect(figures(other.production)).toEqual(figures(first.production));
      expect(other.production.effectiveness.gates).toEqual(
        first.production.effectiveness.gates,
      );
    }
  });

  it.each(databases.eachSupportedId())(
    'is not written without signatures the console verifies: image-scanning would hold every release (%s)',
    async databaseId => {
      const unsigned = await portal(
        await databases.init(databaseId),
        async () => undefined,
      );
      await expect(unsigned.generate()).rejects.toThrow(/no Sigstore bundle/);
      const [{ n }] = await unsigned.knex('rco_ledger').count({ n: '*' });
      expect(Number(n)).toBe(0);
    },
  );
});

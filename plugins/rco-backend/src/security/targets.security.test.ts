import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { examplesDir, governedEntity } from '../__testUtils__/fixtures';
import {
  asUser,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../__testUtils__/operationsBackend';
import { Ledger } from '../database/Ledger';
import { DatabaseTargetClaimStore } from '../database/TargetClaimStore';
import { FakeHelm } from '../drivers/helm/__testUtils__/fakeHelm';

const databases = createTestDatabases();
jest.setTimeout(60_000);

/** Catalog entities as whoever can register a catalog file may write them. */
const entity = (
  kind: string,
  namespace: string,
  name: string,
  annotations: Record<string, string> = {},
): Entity => {
  const base = governedEntity(
    name,
    `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
    annotations,
  );
  return {
    ...base,
    kind,
    metadata: { ...base.metadata, namespace },
  };
};

/** The real payments service, and three entities that name its release. */
const PAYMENTS = entity('Component', 'default', 'payments');
const API_PAYMENTS = entity('API', 'default', 'payments');
const OTHER_PAYMENTS = entity('Component', 'sandbox', 'payments');
const LOOKALIKE = entity('Component', 'default', 'ledger-ui', {
  'rco.helix.dev/helm-release': 'payments',
});

const pathOf = (e: Entity) =>
  `/api/rco/entities/${e.kind.toLowerCase()}/${e.metadata.namespace}/${
    e.metadata.name
  }`;

const PRODUCTION = {
  name: 'production',
  driver: 'helm',
  namespace: 'payments',
  helm: { chart: 'oci://registry.example/charts/payments' },
  imageRepository: 'registry.example/{name}',
};

const dryRun = (app: any, e: Entity, user = 'alice') =>
  request(app)
    .post(`${pathOf(e)}/operations`)
    .set('Authorization', asUser(user))
    .send({ type: 'rollback-dry-run', environment: 'production' });

const environments = (app: any, e: Entity) =>
  request(app)
    .get(`${pathOf(e)}/environments`)
    .set('Authorization', asUser('alice'));

const helmCalls = (fake: FakeHelm, command: string) =>
  fake.calls().filter(c => c.argv[0] === command);

describe('point 1: a deploy target belongs to one entity', () => {
  let fake: FakeHelm;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    fake = FakeHelm.create([{ namespace: 'payments', name: 'payments' }]);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  /** A helm with no release yet: what the console's first deploy creates. */
  const freshHelm = () => {
    fake = FakeHelm.create([]);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
  };

  const start = async (
    knex: Knex,
    production: Record<string, unknown> = PRODUCTION,
  ) =>
    startOperationsBackend(knex, {
      rco: { environments: [production] },
      extraEntities: [PAYMENTS, API_PAYMENTS, OTHER_PAYMENTS, LOOKALIKE],
      logLevel: 'warn',
    });

  it.each(databases.eachSupportedId())(
    'refuses: an API entity named payments dry-runs and rolls back the payments release, reads its history, records an override or steers the simulated cluster (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        rco: {
          environments: [PRODUCTION, { name: 'staging', driver: 'simulated' }],
        },
        extraEntities: [PAYMENTS, API_PAYMENTS],
        logLevel: 'warn',
      });
      const listed = await environments(app, API_PAYMENTS);
      expect(listed.status).toBe(403);
      expect(listed.body.items).toBeUndefined();
      expect(listed.text).not.toMatch(/revision|helm/i);
      const refused = await dryRun(app, API_PAYMENTS);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/kind API/);
      const rollback = await request(app)
        .post(`${pathOf(API_PAYMENTS)}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'rollback', environment: 'production' });
      expect(rollback.status).toBe(403);
      const override = await request(app)
        .post(`${pathOf(API_PAYMENTS)}/overrides`)
        .set('Authorization', asUser('mei'))
        .send({
          environment: 'production',
          release: { version: '1.0.0' },
          justification: 'Outage of the payments API: roll forward now',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        });
      expect(override.status).toBe(403);
      const steer = await request(app)
        .post('/api/rco/simulated/steer')
        .set('Authorization', asUser('alice'))
        .send({
          entityRef: 'api:default/payments',
          environment: 'staging',
          nextAnalysis: 'fail',
        });
      expect(steer.status).toBe(403);
      expect(helmCalls(fake, 'history')).toHaveLength(0);
      expect(helmCalls(fake, 'rollback')).toHaveLength(0);
      expect(await knex('rco_target_claims')).toHaveLength(0);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a Component of another namespace named payments reads or dry-runs the release configuration binds to component:default/payments (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex, {
        ...PRODUCTION,
        bindings: [{ entity: 'component:default/payments' }],
      });
      const listed = await environments(app, OTHER_PAYMENTS);
      expect(listed.status).toBe(200);
      expect(listed.body.items[0].revisions).toEqual([]);
      expect(listed.body.items[0].currentRevision).toBeUndefined();
      expect(listed.body.items[0].error).toMatch(/not bound to this entity/);
      expect(listed.text).not.toMatch(/component:default\/payments/);
      const refused = await dryRun(app, OTHER_PAYMENTS);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/bound to another entity/);
      expect(refused.text).not.toMatch(/component:default\/payments/);
      expect(helmCalls(fake, 'history')).toHaveLength(0);
      // The configured entity sees its release and operates on it; no claim is recorded.
      const own = await environments(app, PAYMENTS);
      expect(own.body.items[0].revisions.length).toBeGreaterThan(0);
      const created = await dryRun(app, PAYMENTS);
      expect(created.status).toBe(202);
      await waitFor(app, created.body.id, o => o.state === 'succeeded');
      expect(await knex('rco_target_claims')).toHaveLength(0);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an entity whose annotation names the payments release takes it over from the entity that claimed it first (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // A release the console creates: a first claim is for a release that does not exist yet.
      freshHelm();
      const { app, backend } = await start(knex);
      // Unclaimed: nobody sees the release's history yet (ADR 0007).
      const before = await environments(app, PAYMENTS);
      expect(before.body.items[0].revisions).toEqual([]);
      expect(before.body.items[0].error).toMatch(/not bound to this entity/);
      expect(helmCalls(fake, 'history')).toHaveLength(0);

      await waiveAllGates(app, pathOf(PAYMENTS));
      fake.setScenario({ upgrade: 'success' });
      const created = await request(app)
        .post(`${pathOf(PAYMENTS)}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'deploy', environment: 'production', release: RELEASE });
      expect(created.status).toBe(202);
      await request(app)
        .post(`/api/rco/operations/${created.body.id}/confirm`)
        .set('Authorization', asUser('alice'))
        .send({ confirmation: 'payments' })
        .expect(200);
      await waitFor(app, created.body.id, o => o.state === 'succeeded');
      const [claim] = await knex('rco_target_claims');
      expect(claim).toMatchObject({
        target_key: 'own-context|payments|payments',
        entity_ref: 'component:default/payments',
        claimed_by: 'user:default/alice',
      });
      const [entry] = await knex('rco_ledger').where({
        entry_type: 'target-claim',
      });
      expect(JSON.parse(entry.payload)).toMatchObject({
        targetKey: 'own-context|payments|payments',
        entityRef: 'component:default/payments',
        environment: 'production',
        namespace: 'payments',
        driver: 'helm',
        name: 'payments',
        claimedBy: 'user:default/alice',
      });
      const after = await environments(app, PAYMENTS);
      expect(after.body.items[0].revisions.length).toBeGreaterThan(0);

      const historyCalls = helmCalls(fake, 'history').length;
      const stolen = await dryRun(app, LOOKALIKE);
      expect(stolen.status).toBe(403);
      expect(stolen.text).not.toMatch(/component:default\/payments/);
      const listed = await environments(app, LOOKALIKE);
      expect(listed.body.items[0].revisions).toEqual([]);
      expect(listed.body.items[0].error).toMatch(/not bound to this entity/);
      expect(listed.text).not.toMatch(/component:default\/payments/);
      // Same words as for a target nobody holds: the list does not say that someone does.
      expect(listed.body.items[0].error).toBe(before.body.items[0].error);
      expect(helmCalls(fake, 'history')).toHaveLength(historyCalls);
      expect(await knex('rco_target_claims')).toHaveLength(1);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a caller without the rollback permission claims an unclaimed release (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      const refused = await dryRun(app, PAYMENTS, 'bob');
      expect(refused.status).toBe(403);
      expect(await knex('rco_target_claims')).toHaveLength(0);
      expect(
        await knex('rco_ledger').where({ entry_type: 'target-claim' }),
      ).toHaveLength(0);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: two entities claiming one unclaimed release at once both get it (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      freshHelm();
      const { app, backend } = await start(knex);
      const answers = await Promise.all([
        dryRun(app, PAYMENTS),
        dryRun(app, LOOKALIKE),
      ]);
      expect(answers.map(a => a.status).sort()).toEqual([202, 403]);
      const winner = answers.find(a => a.status === 202)!;
      // A dry-run of a release that does not exist fails; the claim stands.
      await waitFor(app, winner.body.id, o => o.state === 'failed');
      const claims = await knex('rco_target_claims');
      expect(claims).toHaveLength(1);
      expect(claims[0].entity_ref).toBe(winner.body.entityRef);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: eight concurrent first claims of one release in the database all succeed (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@helix-portal/plugin-rco-backend',
          'migrations',
        ),
      });
      const store = new DatabaseTargetClaimStore(knex, new Ledger(knex));
      const contenders = Array.from(
        { length: 8 },
        (_, i) => `component:default/contender-${i}`,
      );
      const results = await Promise.all(
        contenders.map(entityRef =>
          store.claim({
            targetKey: 'production|prod-eu|payments|helm|payments',
            entityRef,
            environment: 'production',
            cluster: 'prod-eu',
            namespace: 'payments',
            driver: 'helm',
            name: 'payments',
            claimedBy: 'user:default/alice',
          }),
        ),
      );
      const winners = results.filter(r => r.won);
      expect(winners).toHaveLength(1);
      // Every loser is told who holds it (for the rule, never for the caller's answer).
      for (const r of results)
        expect(r.claim.entityRef).toBe(winners[0].claim.entityRef);
      expect(await knex('rco_target_claims')).toHaveLength(1);
      expect(
        await knex('rco_ledger').where({ entry_type: 'target-claim' }),
      ).toHaveLength(1);
    },
  );
});

describe('point 9: one cached, single-flight history read per target', () => {
  let fake: FakeHelm;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    fake = FakeHelm.create([{ namespace: 'payments', name: 'payments' }]);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it.each(databases.eachSupportedId())(
    'refuses: twenty viewers of the environments list start twenty helm processes (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        rco: {
          environments: [
            {
              ...PRODUCTION,
              bindings: [{ entity: 'component:default/payments' }],
            },
          ],
        },
        extraEntities: [PAYMENTS],
        logLevel: 'warn',
      });
      const views = await Promise.all(
        Array.from({ length: 20 }, () => environments(app, PAYMENTS)),
      );
      for (const v of views) {
        expect(v.status).toBe(200);
        expect(v.body.items[0].revisions.length).toBeGreaterThan(0);
      }
      expect(helmCalls(fake, 'history')).toHaveLength(1);
      await environments(app, PAYMENTS).expect(200);
      expect(helmCalls(fake, 'history')).toHaveLength(1);

      // An operation on the target: preflight reads fresh, and its state changes drop the cache.
      const created = await dryRun(app, PAYMENTS);
      expect(created.status).toBe(202);
      await waitFor(app, created.body.id, o => o.state === 'succeeded');
      const afterOperation = helmCalls(fake, 'history').length;
      expect(afterOperation).toBeGreaterThan(1);
      await environments(app, PAYMENTS).expect(200);
      expect(helmCalls(fake, 'history')).toHaveLength(afterOperation + 1);
      await backend.stop();
    },
  );
});

/**
 * Point 1, after the check: whoever can edit an entity's catalog file may change its
 * `rco.helix.dev/helm-release` annotation after an operation was created, checked, bound and
 * locked. The operation still acts on the target it was created for, or on nothing.
 */
describe('point 1: an operation acts only on the target it was checked, bound and locked for', () => {
  let fake: FakeHelm;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    fake = FakeHelm.create([
      { namespace: 'shop', name: 'payments' },
      { namespace: 'shop', name: 'ledger-ui' },
    ]);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fake.cleanup();
  });

  const SHOP = {
    name: 'production',
    driver: 'helm',
    namespace: 'shop',
    helm: { chart: 'oci://registry.example/charts/shop' },
    imageRepository: 'registry.example/{name}',
  };
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

  /** Fresh entities per test: the catalog hands out these objects, so editing one edits it. */
  const setup = () => ({
    payments: entity('Component', 'default', 'payments'),
    mover: entity('Component', 'default', 'ledger-ui'),
  });
  /**
   * The shop releases exist, so neither can be claimed by a first operation: payments is bound
   * in configuration, and ledger-ui was claimed before (as the backfill of its past operations
   * records it). Its annotation is what the attack moves, so it must not be a binding.
   */
  const startOn = async (knex: Knex, entities: Entity[]) => {
    await knex.migrate.latest({
      directory: resolvePackagePath(
        '@helix-portal/plugin-rco-backend',
        'migrations',
      ),
    });
    await new DatabaseTargetClaimStore(knex, new Ledger(knex)).claim({
      targetKey: 'own-context|shop|ledger-ui',
      entityRef: 'component:default/ledger-ui',
      environment: 'production',
      namespace: 'shop',
      driver: 'helm',
      name: 'ledger-ui',
      claimedBy: 'user:default/alice',
    });
    return startOperationsBackend(knex, {
      rco: {
        environments: [
          { ...SHOP, bindings: [{ entity: 'component:default/payments' }] },
        ],
      },
      extraEntities: entities,
      logLevel: 'none',
    });
  };
  const create = (app: any, e: Entity, body: object) =>
    request(app)
      .post(`${pathOf(e)}/operations`)
      .set('Authorization', asUser('alice'))
      .send({ environment: 'production', ...body });
  const confirm = (app: any, id: string, e: Entity) =>
    request(app)
      .post(`/api/rco/operations/${id}/confirm`)
      .set('Authorization', asUser('alice'))
      .send({ confirmation: e.metadata.name });
  /** payments (configured) and mover (claimed) dry-run their own releases. */
  const claimBoth = async (app: any, payments: Entity, mover: Entity) => {
    for (const e of [payments, mover]) {
      const res = await create(app, e, {
        type: 'rollback-dry-run',
        targetRevision: '3',
      });
      expect(res.status).toBe(202);
      await waitFor(app, res.body.id, o => o.state === 'succeeded');
    }
  };
  /** Every helm call that names the payments release, from the `from`th call on. */
  const paymentsCalls = (from = 0) =>
    fake
      .calls()
      .slice(from)
      .filter(c => c.argv.includes('payments'));
  const movedTo = (e: Entity, release: string) => {
    e.metadata.annotations!['rco.helix.dev/helm-release'] = release;
  };

  it.each(databases.eachSupportedId())(
    'refuses: an annotation changed after the plan was checked points the confirmed deploy at another release (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { payments, mover } = setup();
      const { app, backend } = await startOn(knex, [payments, mover]);
      await claimBoth(app, payments, mover);
      await waiveAllGates(app, pathOf(mover));
      fake.setScenario({ upgrade: 'success' });
      const created = await create(app, mover, {
        type: 'deploy',
        release: RELEASE,
      });
      expect(created.status).toBe(202);
      expect(created.body.state).toBe('awaiting-confirmation');
      const before = fake.calls().length;
      const paymentsHistory = fake.history('shop', 'payments').length;

      movedTo(mover, 'payments');
      const refused = await confirm(app, created.body.id, mover);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/target/);
      expect(refused.text).not.toMatch(/component:default\/payments/);
      await sleep(300);
      expect(helmCalls(fake, 'upgrade')).toHaveLength(0);
      expect(paymentsCalls(before)).toHaveLength(0);
      expect(fake.history('shop', 'payments')).toHaveLength(paymentsHistory);
      const op = await waitFor(app, created.body.id, () => true);
      expect(op.state).toBe('awaiting-confirmation');

      // Put back, the annotation names the checked target again: the deploy goes there.
      movedTo(mover, 'ledger-ui');
      await confirm(app, created.body.id, mover).expect(200);
      const done = await waitFor(
        app,
        created.body.id,
        o => o.state !== 'running',
      );
      expect(done.state).toBe('succeeded');
      const [upgrade] = helmCalls(fake, 'upgrade');
      expect(upgrade.argv).toContain('ledger-ui');
      expect(upgrade.argv).not.toContain('payments');
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an annotation changed after the plan was checked points the confirmed rollback at another release (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { payments, mover } = setup();
      const { app, backend } = await startOn(knex, [payments, mover]);
      await claimBoth(app, payments, mover);
      fake.setScenario({ rollback: 'success' });
      const created = await create(app, mover, {
        type: 'rollback',
        targetRevision: '3',
      });
      expect(created.status).toBe(202);
      expect(created.body.state).toBe('awaiting-confirmation');
      const before = fake.calls().length;
      const paymentsHistory = fake.history('shop', 'payments').length;

      movedTo(mover, 'payments');
      const refused = await confirm(app, created.body.id, mover);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/target/);
      await sleep(300);
      expect(paymentsCalls(before)).toHaveLength(0);
      expect(fake.history('shop', 'payments')).toHaveLength(paymentsHistory);
      // Aborting it needs no target: the lock is let go, nothing changed.
      await request(app)
        .post(`/api/rco/operations/${created.body.id}/abort`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const op = await waitFor(app, created.body.id, () => true);
      expect(op.state).toBe('aborted');
      expect(paymentsCalls(before)).toHaveLength(0);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an annotation changed while a rollback ran points the backend that adopts it at another release (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { payments, mover } = setup();
      const first = await startOn(knex, [payments, mover]);
      await claimBoth(first.app, payments, mover);
      fake.setScenario({ rollback: 'hang' });
      const created = await create(first.app, mover, {
        type: 'rollback',
        targetRevision: '3',
      });
      expect(created.status).toBe(202);
      await confirm(first.app, created.body.id, mover).expect(200);
      for (let i = 0; i < 400 && !fake.startedPid(); i++) await sleep(25);
      expect(fake.history('shop', 'ledger-ui').at(-1)).toMatchObject({
        status: 'pending-rollback',
      });
      await first.backend.stop();

      // While nobody follows it, the entity's annotation is pointed at the payments release.
      movedTo(mover, 'payments');
      const before = fake.calls().length;
      const paymentsHistory = fake.history('shop', 'payments').length;
      const second = await startOn(knex, [payments, mover]);
      const done = await waitFor(
        second.app,
        created.body.id,
        o => o.state !== 'running',
      );
      expect(done.state).toBe('needs-attention');
      expect(done.reasons.join(' ')).toMatch(/target/);
      expect(done.reasons.join(' ')).not.toMatch(/component:default\/payments/);
      expect(paymentsCalls(before)).toHaveLength(0);
      expect(fake.history('shop', 'payments')).toHaveLength(paymentsHistory);
      await second.backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an annotation changed while a deploy ran points the backend that adopts it at another release (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { payments, mover } = setup();
      const first = await startOn(knex, [payments, mover]);
      await claimBoth(first.app, payments, mover);
      await waiveAllGates(first.app, pathOf(mover));
      fake.setScenario({ upgrade: 'hang' });
      const created = await create(first.app, mover, {
        type: 'deploy',
        release: RELEASE,
      });
      expect(created.status).toBe(202);
      await confirm(first.app, created.body.id, mover).expect(200);
      for (let i = 0; i < 400 && !fake.startedPid(); i++) await sleep(25);
      expect(fake.history('shop', 'ledger-ui').at(-1)).toMatchObject({
        status: 'pending-upgrade',
      });
      await first.backend.stop();

      movedTo(mover, 'payments');
      const before = fake.calls().length;
      const paymentsHistory = fake.history('shop', 'payments').length;
      const second = await startOn(knex, [payments, mover]);
      const done = await waitFor(
        second.app,
        created.body.id,
        o => o.state !== 'running',
      );
      expect(done.state).toBe('needs-attention');
      expect(done.reasons.join(' ')).toMatch(/target/);
      expect(paymentsCalls(before)).toHaveLength(0);
      expect(fake.history('shop', 'payments')).toHaveLength(paymentsHistory);
      await second.backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: the page offers deploy, rollback and control to an entity kind that may not operate (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const api = entity('API', 'default', 'payments');
      const { payments } = setup();
      const { app, backend } = await startOn(knex, [api, payments]);
      const capabilities = (e: Entity) =>
        request(app)
          .get(`${pathOf(e)}/capabilities`)
          .set('Authorization', asUser('alice'));
      const forApi = await capabilities(api);
      expect(forApi.status).toBe(200);
      expect(forApi.body.operations).toMatchObject({
        deploy: false,
        rollback: false,
        control: false,
        breakGlass: false,
        kindAllowed: false,
      });
      // The owner of a Component still may.
      const forComponent = await capabilities(payments);
      expect(forComponent.body.operations).toMatchObject({
        deploy: true,
        rollback: true,
        control: true,
      });
      // Absent means allowed (older backends say nothing about it).
      expect(forComponent.body.operations.kindAllowed).toBeUndefined();
      // Even a member of the break-glass group gets nothing to press for the API entity.
      const mei = await request(app)
        .get(`${pathOf(api)}/capabilities`)
        .set('Authorization', asUser('mei'));
      expect(mei.body.operations.breakGlass).toBe(false);
      await backend.stop();
    },
  );
});

/**
 * Point 1 after the upgrade: claims did not exist before, so every release that was already
 * there was unclaimed, and a stranger's first operation would have taken it (the issue's own
 * example). A release that exists belongs to whoever operated on it first, or to configuration.
 */
describe('point 1: a release that existed before claims is not claimed by a stranger', () => {
  let fake: FakeHelm;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    fake = FakeHelm.create([{ namespace: 'payments', name: 'payments' }]);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fake.cleanup();
  });

  const start = (knex: Knex) =>
    startOperationsBackend(knex, {
      rco: { environments: [PRODUCTION] },
      extraEntities: [PAYMENTS, OTHER_PAYMENTS, LOOKALIKE],
      logLevel: 'warn',
    });
  const rollback = (app: any, e: Entity) =>
    request(app)
      .post(`${pathOf(e)}/operations`)
      .set('Authorization', asUser('alice'))
      .send({
        type: 'rollback',
        environment: 'production',
        targetRevision: '3',
      });

  it.each(databases.eachSupportedId())(
    'refuses: a Component named payments in another namespace dry-runs first, claiming the existing payments release, and rolls it back (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      for (const stranger of [OTHER_PAYMENTS, LOOKALIKE]) {
        const claimed = await dryRun(app, stranger);
        expect(claimed.status).toBe(403);
        expect(claimed.body.error.message).toMatch(
          /release exists and is not bound to this entity: bind it in rco\.environments\[\]\.bindings/,
        );
        expect(claimed.text).not.toMatch(/component:default\/payments/);
        const rolledBack = await rollback(app, stranger);
        expect([403, 409]).toContain(rolledBack.status);
      }
      // The real owner too needs configuration: nothing tells the two apart.
      expect((await dryRun(app, PAYMENTS)).status).toBe(403);
      expect(helmCalls(fake, 'rollback')).toHaveLength(0);
      expect(await knex('rco_target_claims')).toHaveLength(0);
      expect(
        await knex('rco_ledger').where({ entry_type: 'target-claim' }),
      ).toHaveLength(0);
      expect(
        await knex('rco_operations').whereNot({ state: 'blocked' }),
      ).toHaveLength(0);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a stranger takes over a release whose owner operated on it before claims existed (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const directory = resolvePackagePath(
        '@helix-portal/plugin-rco-backend',
        'migrations',
      );
      // The database as it was before claims: up to and including the operations table.
      for (;;) {
        await knex.migrate.up({ directory });
        const [, pending] = await knex.migrate.list({ directory });
        if (!pending.some((m: any) => /operations/.test(m.file ?? m.name)))
          break;
      }
      const past = (
        id: string,
        entityRef: string,
        createdAt: string,
        driver = 'helm',
      ) => ({
        id,
        entity_ref: entityRef,
        environment: 'production',
        type: 'rollback-dry-run' as const,
        driver,
        state: 'succeeded' as const,
        steps: '[]',
        reasons: '[]',
        requested_by: 'user:default/alice',
        created_at: new Date(createdAt),
        updated_at: new Date(createdAt),
        finished_at: new Date(createdAt),
      });
      await knex('rco_operations').insert([
        // (Had the stranger's entity operated too, neither would be given the release: see
        // claimBackfill.test.)
        past(
          '00000000-0000-4000-8000-000000000001',
          'component:default/payments',
          '2026-01-01T00:00:00Z',
        ),
        past(
          '00000000-0000-4000-8000-000000000003',
          'component:default/ledger-ui',
          '2025-12-01T00:00:00Z',
          'simulated',
        ),
      ]);

      const { app, backend } = await start(knex);
      const stolen = await dryRun(app, OTHER_PAYMENTS);
      expect(stolen.status).toBe(403);
      expect(stolen.body.error.message).toMatch(/bound to another entity/);
      expect(stolen.text).not.toMatch(/component:default\/payments/);
      expect((await dryRun(app, LOOKALIKE)).status).toBe(403);
      const listed = await environments(app, OTHER_PAYMENTS);
      expect(listed.body.items[0].revisions).toEqual([]);

      const own = await dryRun(app, PAYMENTS);
      expect(own.status).toBe(202);
      await waitFor(app, own.body.id, o => o.state === 'succeeded');
      const claims = await knex('rco_target_claims');
      expect(claims).toHaveLength(1);
      expect(claims[0]).toMatchObject({
        target_key: 'own-context|payments|payments',
        entity_ref: 'component:default/payments',
        claimed_by:
          'rco-backfill:operation/00000000-0000-4000-8000-000000000001',
      });
      const entries = await knex('rco_ledger').where({
        entry_type: 'target-claim',
      });
      expect(entries).toHaveLength(1);
      expect(JSON.parse(entries[0].payload)).toMatchObject({
        targetKey: 'own-context|payments|payments',
        entityRef: 'component:default/payments',
      });
      // Settled once: a claim an operator deletes is not recorded again at the next start.
      expect(await knex('rco_target_claim_backfill')).toHaveLength(0);
      await backend.stop();
    },
  );
});

/**
 * Point 1, the key: it named the environment and the cluster's config entry, so two
 * environments, or two entries with one API server URL, gave one release two keys, and two
 * entities could hold it.
 */
describe('point 1: one release has one key whatever the configuration calls its cluster', () => {
  let fake: FakeHelm;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    fake = FakeHelm.create([{ namespace: 'payments', name: 'payments' }]);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fake.cleanup();
  });

  const cluster = (name: string, url: string) => ({
    name,
    url,
    authProvider: 'serviceAccount',
    serviceAccountToken: 'cluster-token',
    skipTLSVerify: true,
  });
  const startWith = (knex: Knex, second: Record<string, unknown>) =>
    startOperationsBackend(knex, {
      config: {
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                cluster('prod-eu', 'https://k8s.prod.example'),
                cluster('prod-eu-alias', 'HTTPS://K8S.Prod.Example:443/'),
              ],
            },
          ],
        },
      },
      rco: {
        environments: [
          {
            ...PRODUCTION,
            cluster: 'prod-eu',
            bindings: [{ entity: 'component:default/payments' }],
          },
          { ...PRODUCTION, ...second },
        ],
      },
      extraEntities: [PAYMENTS, OTHER_PAYMENTS, LOOKALIKE],
      logLevel: 'warn',
    });
  const dryRunIn = (app: any, e: Entity, environment: string) =>
    request(app)
      .post(`${pathOf(e)}/operations`)
      .set('Authorization', asUser('alice'))
      .send({ type: 'rollback-dry-run', environment });

  it.each(databases.eachSupportedId())(
    'refuses: a second cluster entry with the same API server URL lets another entity dry-run and hold the release bound to payments (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startWith(knex, {
        name: 'production-alias',
        cluster: 'prod-eu-alias',
      });
      for (const stranger of [LOOKALIKE, OTHER_PAYMENTS]) {
        const refused = await dryRunIn(app, stranger, 'production-alias');
        expect(refused.status).toBe(403);
        expect(refused.text).not.toMatch(/component:default\/payments/);
      }
      const listed = await request(app)
        .get(`${pathOf(LOOKALIKE)}/environments`)
        .set('Authorization', asUser('alice'));
      expect(
        listed.body.items.find((i: any) => i.name === 'production-alias')
          ?.revisions,
      ).toEqual([]);
      expect(helmCalls(fake, 'history')).toHaveLength(0);
      expect(await knex('rco_target_claims')).toHaveLength(0);
      // The bound entity reaches its release through either name of the cluster.
      const own = await dryRunIn(app, PAYMENTS, 'production-alias');
      expect(own.status).toBe(202);
      await waitFor(app, own.body.id, o => o.state === 'succeeded');
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a second environment on the same cluster and namespace lets another entity dry-run and hold the release bound to payments (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startWith(knex, {
        name: 'production-canary',
        cluster: 'prod-eu',
      });
      const refused = await dryRunIn(app, LOOKALIKE, 'production-canary');
      expect(refused.status).toBe(403);
      expect(refused.text).not.toMatch(/component:default\/payments/);
      expect(helmCalls(fake, 'history')).toHaveLength(0);
      expect(await knex('rco_target_claims')).toHaveLength(0);
      const own = await dryRunIn(app, PAYMENTS, 'production');
      expect(own.status).toBe(202);
      await waitFor(app, own.body.id, o => o.state === 'succeeded');
      await backend.stop();
    },
  );
});

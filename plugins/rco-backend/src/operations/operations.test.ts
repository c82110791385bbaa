import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  RELEASE,
  signOff,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

const deploy = (
  app: any,
  body: object = {},
  auth = asUser('alice'),
  key?: string,
) => {
  const req = request(app).post(`${RCO}/operations`).set('Authorization', auth);
  if (key) req.set('Idempotency-Key', key);
  return req.send({
    type: 'deploy',
    environment: 'staging',
    release: RELEASE,
    ...body,
  });
};
const post = (app: any, path: string, body: object = {}, who = 'alice') =>
  request(app)
    .post(`/api/rco/operations/${path}`)
    .set('Authorization', asUser(who))
    .send(body);

describe.each(databases.eachSupportedId())('operations on %s', databaseId => {
  it('blocks a deploy whose gates fail: 409 naming them, kept as blocked, in the ledger', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    const res = await deploy(app);
    expect(res.status).toBe(409);
    // Every gate but documentation-completeness (the runbook is there) lacks evidence.
    expect(res.body.error.message).toMatch(
      /^Blocked by 9 gates: acronym-clarity \(missing\), secret-hygiene \(missing\)/,
    );
    expect(res.body.error.message).toMatch(/image-scanning \(missing\)/);
    const list = await request(app)
      .get(`${RCO}/operations`)
      .set('Authorization', asUser('alice'));
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      state: 'blocked',
      requestedBy: 'user:default/alice',
    });
    expect(list.body.items[0].gateSnapshot.gates).toHaveLength(10);
    const ledger = await knex('rco_ledger')
      .where('entry_type', 'like', 'operation%')
      .orderBy('seq')
      .select('entry_type');
    expect(ledger.map(r => r.entry_type)).toEqual([
      'operation-requested',
      'operation-state',
      'operation-state',
    ]);
    // Nothing stays active: the next request is judged afresh.
    expect((await deploy(app)).status).toBe(409);
    await backend.stop();
  });

  it('refuses to promote a paused canary once a waiver it ran under is revoked: judged again, stays paused', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    await waiveAllGates(app);
    const created = await deploy(app);
    expect(created.status).toBe(202);
    const op = created.body;
    await post(app, `${op.id}/confirm`, { confirmation: 'rco' }).expect(200);
    await waitFor(app, op.id, o => o.progress?.phase === 'paused');
    // While the canary waits, Security withdraws the image-scanning waiver.
    const waivers = await request(app)
      .get(`${RCO}/waivers`)
      .set('Authorization', asUser('alice'))
      .expect(200);
    const scanning = waivers.body.items.find(
      (w: any) => w.gate === 'image-scanning' && !w.revokedAt,
    );
    await request(app)
      .post(`/api/rco/waivers/${scanning.id}/revoke`)
      .set('Authorization', asUser('sam'))
      .send({})
      .expect(200);
    const promoted = await post(app, `${op.id}/promote`);
    expect(promoted.status).toBe(409);
    expect(promoted.body.error.message).toMatch(/image-scanning/);
    const after = await request(app)
      .get(`/api/rco/operations/${op.id}`)
      .set('Authorization', asUser('alice'))
      .expect(200);
    expect(after.body).toMatchObject({
      state: 'running',
      progress: { phase: 'paused' },
    });
    await backend.stop();
  });

  it('deploys through confirmation, a canary pause and promotion; owners are notified', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend, sent } = await startOperationsBackend(knex);
    await waiveAllGates(app);
    const created = await deploy(app, {
      databaseMigration: 'V42__add_call_index',
    });
    expect(created.status).toBe(202);
    const op = created.body;
    expect(op).toMatchObject({
      state: 'awaiting-confirmation',
      awaiting: 'plan',
      baselineRevision: '2',
      simulated: true,
    });
    expect(op.steps.map((s: any) => s.id)).toEqual([
      'preflight',
      'db-migration',
      'deploy',
    ]);
    expect(op.gateSnapshot.hash).toMatch(/^[0-9a-f]{64}$/);

    expect(
      (await post(app, `${op.id}/confirm`, { confirmation: 'RCO' })).status,
    ).toBe(400);
    expect(
      (await post(app, `${op.id}/confirm`, { confirmation: 'rco' }, 'bob'))
        .status,
    ).toBe(403);
    const first = await post(app, `${op.id}/confirm`, { confirmation: 'rco' });
    expect(first.body).toMatchObject({
      state: 'awaiting-confirmation',
      awaiting: 'db-migration',
    });
    // The irreversible step is confirmed on its own, by name.
    const unnamed = await post(app, `${op.id}/confirm`, {
      confirmation: 'rco',
    });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.message).toMatch(/db-migration is irreversible/);
    const second = await post(app, `${op.id}/confirm`, {
      confirmation: 'rco',
      step: 'db-migration',
    });
    expect(second.body.state).toBe('running');

    const paused = await waitFor(
      app,
      op.id,
      o => o.progress?.phase === 'paused',
    );
    expect(paused.progress).toMatchObject({
      canaryWeight: 20,
      step: { index: 1, total: 5 },
    });
    expect((await post(app, `${op.id}/promote`, {}, 'bob')).status).toBe(403);
    expect((await post(app, `${op.id}/promote`)).status).toBe(200);
    const done = await waitFor(app, op.id, o => o.state === 'succeeded');
    expect(done).toMatchObject({
      resultRevision: '3',
      confirmedBy: 'user:default/alice',
    });
    expect(done.progress.metrics[0]).toMatchObject({
      name: 'success-rate',
      phase: 'Successful',
    });
    expect(done.steps.map((s: any) => s.status)).toEqual([
      'done',
      'done',
      'done',
    ]);

    const envs = await request(app)
      .get(`${RCO}/environments`)
      .set('Authorization', asUser('alice'));
    const staging = envs.body.items.find((e: any) => e.name === 'staging');
    expect(staging.currentRevision).toMatchObject({
      revision: '3',
      image: `registry.example/rco@${DIGEST}`,
    });
    expect(staging.activeOperationId).toBeUndefined();
    expect(sent.notifications).toContainEqual(
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: ['group:default/rco-team'] },
        payload: expect.objectContaining({
          title: expect.stringMatching(
            /Deploy of rco 1.5.0 to staging succeeded/,
          ),
        }),
      }),
    );
    // On the channel the capabilities hand out (keyed, not named after the entity: point 8).
    const { channel } = (
      await request(app)
        .get(`${RCO}/capabilities`)
        .set('Authorization', asUser('alice'))
    ).body.operations;
    expect(
      sent.signals.some(
        s => s.channel === channel && s.message.state === 'succeeded',
      ),
    ).toBe(true);
    // In the order appended: without ORDER BY, PostgreSQL may return them in another order.
    const states = await knex('rco_ledger')
      .where({ entry_type: 'operation-state' })
      .orderBy('seq')
      .select('payload');
    expect(states.map(r => JSON.parse(r.payload).to)).toEqual([
      'preflight',
      'awaiting-confirmation',
      'awaiting-confirmation',
      'running',
      'running',
      'succeeded',
    ]);
    await backend.stop();
  });

  it('rolls back automatically when the canary analysis fails, naming metric and threshold', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    await waiveAllGates(app);
    await request(app)
      .post('/api/rco/simulated/steer')
      .set('Authorization', asUser('alice'))
      .send({
        entityRef: 'component:default/rco',
        environment: 'staging',
        nextAnalysis: 'fail',
      })
      .expect(204);
    const op = (await deploy(app)).body;
    await post(app, `${op.id}/confirm`, { confirmation: 'rco' }).expect(200);
    await waitFor(app, op.id, o => o.progress?.phase === 'paused');
    await post(app, `${op.id}/promote`).expect(200);
    const done = await waitFor(app, op.id, o => o.state !== 'running');
    expect(done.state).toBe('rolled-back');
    expect(done.reasons.join('\n')).toMatch(
      /metric "success-rate" assessed Failed: measured 0.91, condition result\[0\] >= 0.99/,
    );
    expect(done.reasons.join('\n')).toMatch(
      /Rolled back automatically to revision 2/,
    );
    const envs = await request(app)
      .get(`${RCO}/environments`)
      .set('Authorization', asUser('alice'));
    const staging = envs.body.items.find((e: any) => e.name === 'staging');
    expect(staging.currentRevision.description).toBe('Rollback to 2');
    await backend.stop();
  });

  it('records a rollback dry-run as evidence that turns migration-controls green', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    const status = () =>
      request(app)
        .get(`${RCO}/status?version=1.5.0&digest=${DIGEST}`)
        .set('Authorization', asUser('alice'));
    const gate = async () =>
      (await status()).body.gates.find(
        (g: any) => g.id === 'migration-controls',
      );
    expect((await gate()).status).toBe('missing');
    // Deploys go through the console here, so the human-first pillar can claim confirmations.
    const humanFirst = (await status()).body.pillars.find(
      (p: any) => p.id === 'human-first',
    );
    expect(
      humanFirst.requirements.find((r: any) =>
        /human confirmation/.test(r.requirement),
      ),
    ).toMatchObject({
      met: true,
      basis: expect.stringContaining('2 environments'),
    });
    const res = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', asUser('alice'))
      .send({ type: 'rollback-dry-run', environment: 'production' });
    expect(res.status).toBe(202);
    const done = await waitFor(app, res.body.id, o => o.state === 'succeeded');
    expect(done.progress.message).toMatch(
      /would succeed \(dry run, nothing changed\)/,
    );
    const after = await gate();
    expect(after.status).toBe('pass');
    expect(after.reasons.join(' ')).toMatch(/Rollback dry-run succeeded/);
    await backend.stop();
  });

  it('rolls back to a chosen revision after confirmation, without gates', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend, sent } = await startOperationsBackend(knex);
    const rollback = () =>
      request(app)
        .post(`${RCO}/operations`)
        .set('Authorization', asUser('alice'))
        .send({
          type: 'rollback',
          environment: 'staging',
          targetRevision: '1',
        });
    // The API holds "dry-run first", not only the page.
    const early = await rollback();
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(
      /Run a rollback dry-run of revision 1 in staging first/,
    );
    const dry = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', asUser('alice'))
      .send({
        type: 'rollback-dry-run',
        environment: 'staging',
        targetRevision: '1',
      });
    await waitFor(app, dry.body.id, o => o.state === 'succeeded');
    const res = await rollback();
    expect(res.body).toMatchObject({
      state: 'awaiting-confirmation',
      targetRevision: '1',
    });
    await post(app, `${res.body.id}/confirm`, { confirmation: 'rco' }).expect(
      200,
    );
    const done = await waitFor(app, res.body.id, o => o.state === 'succeeded');
    expect(done.resultRevision).toBe('3');
    // Owners hear which revision it returned to, with the service named, not "rco 1".
    expect(sent.notifications).toContainEqual(
      expect.objectContaining({
        payload: expect.objectContaining({
          title: 'Rollback of rco in staging to revision 1 succeeded',
        }),
      }),
    );
    // What serves changed: the old dry-run no longer counts.
    expect((await rollback()).status).toBe(409);
    await backend.stop();
  });

  it('production needs the PO, DPO and Security sign-offs even with every gate waived', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    await waiveAllGates(app);
    const blocked = await deploy(app, { environment: 'production' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toMatch(
      // waiveAllGates signs the DPO off: the sign-off gate cannot be waived.
      /Missing sign-offs of 1.5.0: PO, SECURITY/,
    );
    await signOff(app, ['po', 'dpo']);
    expect(
      (await deploy(app, { environment: 'production' })).body.error.message,
    ).toMatch(/Missing sign-offs of 1.5.0: SECURITY$|SECURITY\./);
    await signOff(app, ['security']);
    const ok = await deploy(app, { environment: 'production' });
    expect(ok.status).toBe(202);
    expect(ok.body.gateSnapshot.signoffs).toHaveLength(3);
    await backend.stop();
  });

  it('allows one active operation per entity and environment, also across two backends', async () => {
    const knex = await databases.init(databaseId);
    const one = await startOperationsBackend(knex);
    const two = await startOperationsBackend(knex);
    await waiveAllGates(one.app);
    const [a, b] = await Promise.all([deploy(one.app), deploy(two.app)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 409]);
    const [winner, loser] = a.status === 202 ? [a, b] : [b, a];
    expect(loser.body.error.message).toContain(
      `Operation ${winner.body.id} is already active in staging`,
    );
    // Another environment is free.
    expect((await deploy(two.app, { environment: 'production' })).status).toBe(
      409,
    ); // sign-offs, not the lock
    expect(
      (await deploy(two.app, { environment: 'production' })).body.error.message,
    ).not.toMatch(/already active/);
    await post(one.app, `${winner.body.id}/abort`).expect(200);
    expect((await deploy(two.app)).status).toBe(202);
    await one.backend.stop();
    await two.backend.stop();
  });

  it('answers a replayed Idempotency-Key with the same operation, and 422 for another body', async () => {
    const knex = await databases.init(databaseId);
    const one = await startOperationsBackend(knex);
    const two = await startOperationsBackend(knex);
    await waiveAllGates(one.app);
    const [a, b] = await Promise.all([
      deploy(one.app, {}, asUser('alice'), 'key-1'),
      deploy(two.app, {}, asUser('alice'), 'key-1'),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).toBe(b.body.id);
    const other = await deploy(
      one.app,
      { environment: 'production' },
      asUser('alice'),
      'key-1',
    );
    expect(other.status).toBe(422);
    expect(other.body.error.message).toMatch(
      /key-1 was used for a different request/,
    );
    expect(Number((await knex('rco_operations').count({ n: '*' }))[0].n)).toBe(
      1,
    );
    await one.backend.stop();
    await two.backend.stop();
  });

  it('reconciles after a restart: another backend adopts the running canary, nothing re-runs', async () => {
    const knex = await databases.init(databaseId);
    const first = await startOperationsBackend(knex);
    await waiveAllGates(first.app);
    const op = (await deploy(first.app)).body;
    await post(first.app, `${op.id}/confirm`, { confirmation: 'rco' }).expect(
      200,
    );
    await waitFor(first.app, op.id, o => o.progress?.phase === 'paused');
    await first.backend.stop();
    const row = (await knex('rco_operations').where({ id: op.id }).first())!;
    expect(row.state).toBe('running');

    const second = await startOperationsBackend(knex);
    await new Promise(r => setTimeout(r, 1500)); // the lease (1 s) runs out; the reconciler adopts
    await post(second.app, `${op.id}/promote`).expect(200);
    const done = await waitFor(second.app, op.id, o => o.state === 'succeeded');
    expect(done.resultRevision).toBe(String(Number(op.baselineRevision) + 1));
    const envs = await request(second.app)
      .get(`${RCO}/environments`)
      .set('Authorization', asUser('alice'));
    const revisions = envs.body.items.find(
      (e: any) => e.name === 'staging',
    ).revisions;
    // One deploy, one new revision: the restart did not deploy again.
    expect(
      revisions.filter(
        (r: any) => Number(r.revision) > Number(op.baselineRevision),
      ),
    ).toHaveLength(1);
    await second.backend.stop();
  });

  it.each([
    ['an owner', asUser('alice'), 'deploy', 202],
    ['a non-owner', asUser('bob'), 'deploy', 403],
    [
      'a CI token without operations',
      asService('external:ci-rco'),
      'deploy',
      403,
    ],
    ['a CI token with deploy', asService('external:cd-rco'), 'deploy', 202],
    [
      'a CI token with deploy, rolling back',
      asService('external:cd-rco'),
      'rollback',
      403,
    ],
    ['a non-owner rolling back', asUser('bob'), 'rollback', 403],
  ])('authorisation: %s', async (_who, auth, type, expected) => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    await waiveAllGates(app);
    const res = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', auth)
      .send({
        type,
        environment: 'staging',
        ...(type === 'deploy' ? { release: RELEASE } : {}),
      });
    expect(res.status).toBe(expected);
    await backend.stop();
  });

  it('break-glass: only its group, with justification and expiry, in the ledger, Security told', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend, sent } = await startOperationsBackend(knex);
    const body = {
      environment: 'staging',
      release: RELEASE,
      justification: 'Hotfix for incident INC-4711: calls dropped',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const override = (who: string, b: object = body) =>
      request(app)
        .post(`${RCO}/overrides`)
        .set('Authorization', asUser(who))
        .send(b);
    expect((await override('alice')).status).toBe(403);
    expect((await override('sam')).status).toBe(403);
    expect(
      (await override('mei', { ...body, justification: 'short' })).status,
    ).toBe(400);
    const tooLong = await override('mei', {
      ...body,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/at most PT4H/);
    // The page learns the limit from the backend instead of assuming it.
    const caps = await request(app)
      .get(`${RCO}/capabilities`)
      .set('Authorization', asUser('mei'));
    expect(caps.body.operations).toMatchObject({
      breakGlass: true,
      breakGlassMaxDuration: 'PT4H',
    });
    const created = await override('mei');
    expect(created.status).toBe(201);
    expect(sent.notifications).toContainEqual(
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: 'group:default/security' },
        payload: expect.objectContaining({
          // The service by name and the release by version, not the entity ref.
          title: `Break-glass override for rco ${RELEASE.version} in staging`,
          severity: 'critical',
          description: expect.stringMatching(
            // The ref, which the owner cannot choose like a title, beside the justification.
            /^component:default\/rco: .*INC-4711/,
          ),
        }),
      }),
    );
    const ledger = (await knex('rco_ledger')
      .where({ entry_type: 'break-glass' })
      .first())!;
    expect(JSON.parse(ledger.payload)).toMatchObject({
      justification: body.justification,
    });

    const res = await deploy(app);
    expect(res.status).toBe(202);
    expect(res.body.overrideId).toBe(created.body.id);
    expect(res.body.reasons[0]).toMatch(
      /allowed by break-glass override .* of user:default\/mei: Hotfix/,
    );
    // Only the break-glass group ends an override early.
    await request(app)
      .post(`/api/rco/overrides/${created.body.id}/revoke`)
      .set('Authorization', asUser('alice'))
      .expect(403);
    // Revoked before the requester confirms: judged again at confirmation, and blocked.
    await request(app)
      .post(`/api/rco/overrides/${created.body.id}/revoke`)
      .set('Authorization', asUser('mei'))
      .expect(200);
    const late = await post(app, `${res.body.id}/confirm`, {
      confirmation: 'rco',
    });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(
      /since the plan was made, Blocked by 9 gates/,
    );
    expect(
      (
        await request(app)
          .get(`/api/rco/operations/${res.body.id}`)
          .set('Authorization', asUser('alice'))
      ).body.state,
    ).toBe('blocked');
    const again = await override('mei');
    expect(again.status).toBe(201);
    // The override is bound to its release: another one stays blocked.
    const other = await deploy(app, {
      release: { version: '1.5.1', digest: `sha256:${'d'.repeat(64)}` },
    });
    expect(other.status).toBe(409);
    await request(app)
      .post(`/api/rco/overrides/${again.body.id}/revoke`)
      .set('Authorization', asUser('mei'))
      .expect(200);
    expect((await deploy(app)).status).toBe(409);
    await backend.stop();
  });

  it('lets a CI token confirm a plan but never an irreversible step', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    await waiveAllGates(app);
    const cd = asService('external:cd-rco');
    const op = (
      await deploy(app, { databaseMigration: 'V43__drop_column' }, cd)
    ).body;
    const confirm = (body: object) =>
      request(app)
        .post(`/api/rco/operations/${op.id}/confirm`)
        .set('Authorization', cd)
        .send(body);
    expect((await confirm({ confirmation: 'rco' })).body.awaiting).toBe(
      'db-migration',
    );
    const step = await confirm({ confirmation: 'rco', step: 'db-migration' });
    expect(step.status).toBe(403);
    expect(step.body.error.message).toMatch(
      /irreversible: a person confirms it/,
    );
    await backend.stop();
  });

  it('answers a replayed key of a blocked request with 409 again, not 202', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    expect((await deploy(app, {}, asUser('alice'), 'ci-run-7')).status).toBe(
      409,
    );
    const replay = await deploy(app, {}, asUser('alice'), 'ci-run-7');
    expect(replay.status).toBe(409);
    expect(replay.body.error.message).toMatch(/^Blocked by 9 gates/);
    await backend.stop();
  });

  it('rejects bad requests clearly', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    const unknownEnv = await deploy(app, { environment: 'moon' });
    expect(unknownEnv.status).toBe(400);
    expect(unknownEnv.body.error.message).toMatch(
      /Unknown environment "moon"; configured: staging, production/,
    );
    expect((await deploy(app, { type: 'explode' })).status).toBe(400);
    expect((await deploy(app, { extra: 1 })).status).toBe(400);
    expect(
      (await deploy(app, { release: { digest: 'sha256:xyz' } })).status,
    ).toBe(400);
    const noVersion = await deploy(app, { release: { digest: DIGEST } });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.message).toMatch(
      /its version and its image digest/,
    );
    expect(
      (
        await request(app)
          .get('/api/rco/operations/00000000-0000-4000-8000-000000000000')
          .set('Authorization', asUser('alice'))
      ).status,
    ).toBe(404);
    expect(Number((await knex('rco_operations').count({ n: '*' }))[0].n)).toBe(
      0,
    );
    await backend.stop();
  });
});

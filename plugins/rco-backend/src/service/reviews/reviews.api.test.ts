import { parseRunbook, TimelineEvent } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse, stringify } from 'yaml';
import { createTestDatabases } from '../../__testUtils__/databases';
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
} from '../../__testUtils__/operationsBackend';
import { Ledger } from '../../database/Ledger';
import { reconcileLedger } from '../../database/LedgerReconciler';
import { OperationStore } from '../../database/OperationStore';
import { resetSimulatedCluster } from '../../drivers/simulated/SimulatedDriver';
import { DatabaseReviewStore } from './ReviewStore';
import { eventually } from '../../__testUtils__/eventually';
import { applyRunbookPatch, readPatch } from './runbookProposal';

const databases = createTestDatabases();
jest.setTimeout(120_000);
beforeEach(() => resetSimulatedCluster());

const ENTITY = 'component:default/rco';
const runbookText = fs.readFileSync(
  path.resolve(
    __dirname,
    '../../../../../examples/rco/runbook/rco-runbook.yaml',
  ),
  'utf8',
);
const REVIEW = {
  result: 'with-deviations',
  summary:
    'Deployed 1.5.0 to production; the canary needed one manual promote.',
  deviations: 'The canary paused at 20 % longer than the runbook says.',
  lessons: `Give the pause a duration. Token ghp_${'a'.repeat(
    36,
  )} was pasted here.`,
};
const review = (app: any, id: string, who = 'alice', body: object = REVIEW) =>
  request(app)
    .post(`/api/rco/operations/${id}/review`)
    .set('Authorization', asUser(who))
    .send(body);
const get = (app: any, url: string, who = 'alice') =>
  request(app).get(url).set('Authorization', asUser(who));

/**
 * An operation as the control plane leaves it, written through the real store (with its ledger
 * entries): `ran` takes it through running, else it ends before running.
 */
async function operationIn(
  knex: Knex,
  o: {
    environment: string;
    type?: 'deploy' | 'rollback' | 'rollback-dry-run';
    end?: 'succeeded' | 'failed' | 'aborted' | 'blocked' | 'running';
  },
) {
  const store = new OperationStore(knex, new Ledger(knex));
  const op = await store.create({
    entityRef: ENTITY,
    environment: o.environment,
    type: o.type ?? 'deploy',
    driver: 'simulated',
    simulated: true,
    release: RELEASE,
    steps: [{ id: 'preflight', title: 'Preflight', status: 'pending' }],
    requestedBy: 'user:default/alice',
    requestHash: 'h',
    lockKey: `${ENTITY}|${o.environment}|${Math.random()}`,
    lease: { owner: 'test', ms: 60_000 },
  });
  const actor = 'user:default/alice';
  await store.transition(op.id, {
    from: ['requested'],
    to: 'preflight',
    actor,
  });
  if (o.end === 'blocked') {
    return store.transition(op.id, {
      from: ['preflight'],
      to: 'blocked',
      actor,
    });
  }
  await store.transition(op.id, {
    from: ['preflight'],
    to: 'awaiting-confirmation',
    awaiting: 'plan',
    actor,
  });
  if (o.end === 'aborted')
    return store.transition(op.id, {
      from: ['awaiting-confirmation'],
      to: 'aborted',
      awaiting: null,
      actor,
    });
  const running = await store.transition(op.id, {
    from: ['awaiting-confirmation'],
    to: 'running',
    confirmedBy: actor,
    actor,
  });
  if (o.end === 'running') return running;
  return store.transition(op.id, {
    from: ['running'],
    to: o.end ?? 'succeeded',
    timings: { controlPlaneMs: 1, driverMs: 1 },
    actor: 'rco:simulated',
  });
}

describe.each(databases.eachSupportedId())('reviews on %s', databaseId => {
  it('an owner reviews a finished production deploy once: bound to it, in the ledger, no longer open; the proposal merges into a runbook that parses; the timeline tells the story in order with links', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    await waiveAllGates(app);
    await signOff(app, ['po', 'security']);
    const created = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', asUser('alice'))
      .send({ type: 'deploy', environment: 'production', release: RELEASE });
    expect(created.status).toBe(202);
    const id = created.body.id;
    // Not finished yet: refused, and not open either.
    expect((await review(app, id)).status).toBe(409);
    await request(app)
      .post(`/api/rco/operations/${id}/confirm`)
      .set('Authorization', asUser('alice'))
      .send({ confirmation: 'rco' })
      .expect(200);
    await waitFor(app, id, op => op.progress?.phase === 'paused');
    await request(app)
      .post(`/api/rco/operations/${id}/promote`)
      .set('Authorization', asUser('alice'))
      .send({})
      .expect(200);
    await waitFor(app, id, op => op.state === 'succeeded');

    const before = await get(app, `${RCO}/reviews`).expect(200);
    expect(before.body.items).toEqual([]);
    expect(before.body.open).toEqual([
      expect.objectContaining({
        operationId: id,
        operationType: 'deploy',
        environment: 'production',
        state: 'succeeded',
        release: RELEASE,
      }),
    ]);

    // Attacks first: not an owner, a CI token that may deploy, a body that is not a review.
    expect((await review(app, id, 'bob')).status).toBe(403);
    const token = await request(app)
      .post(`/api/rco/operations/${id}/review`)
      .set('Authorization', asService('external:cd-rco'))
      .send(REVIEW);
    expect(token.status).toBe(403);
    expect(
      (await review(app, id, 'alice', { ...REVIEW, result: 'great' })).status,
    ).toBe(400);
    expect(
      (
        await review(app, id, 'alice', {
          ...REVIEW,
          summary: 'x'.repeat(20_001),
        })
      ).status,
    ).toBe(400);
    expect(
      (await review(app, id, 'alice', { ...REVIEW, deviations: '' })).body.error
        .message,
    ).toMatch(/deviations must say what differed/);

    const res = await review(app, id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      entityRef: ENTITY,
      operationId: id,
      operationType: 'deploy',
      environment: 'production',
      release: RELEASE,
      result: 'with-deviations',
      author: 'user:default/alice',
    });
    // Secrets are masked like every free text a person types.
    expect(res.body.lessons).not.toContain('ghp_aaaa');
    expect(res.body.lessons).toContain('REDACTED');
    // Once per operation.
    const again = await review(app, id);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/reviewed already/);

    // Bound to the operation and kept in the ledger, in the same chain as the operation.
    const entry = await knex('rco_ledger')
      .where({ seq: res.body.ledgerSeq })
      .first();
    expect(entry).toMatchObject({
      entry_type: 'release-review',
      entity_ref: ENTITY,
      actor: 'user:default/alice',
    });
    expect(JSON.parse(entry!.payload)).toMatchObject({
      id: res.body.id,
      operationId: id,
      result: 'with-deviations',
      lessons: res.body.lessons,
    });
    const reconciled = await reconcileLedger(knex);
    expect(reconciled.problems).toEqual([]);

    const after = await get(app, `${RCO}/reviews`).expect(200);
    expect(after.body.open).toEqual([]);
    expect(after.body.items).toEqual([res.body]);
    expect((await get(app, `/api/rco/reviews/${res.body.id}`)).body).toEqual(
      res.body,
    );

    // The proposal: a patch that, merged into the runbook, gives one that still parses.
    const proposal = await get(
      app,
      `/api/rco/reviews/${res.body.id}/runbook-proposal`,
    ).expect(200);
    expect(proposal.body).toMatchObject({
      baseVersion: '1.3.0',
      nextVersion: '1.3.1',
    });
    // The link is the plugin's external URL (discovery), not a path only the portal resolves.
    expect(proposal.body.changelogEntry).toMatch(
      new RegExp(`http://localhost:\\d+/api/rco/operations/${id}`),
    );
    const merged = parseRunbook(
      stringify(
        applyRunbookPatch(parse(runbookText), readPatch(proposal.body.patch)),
      ),
    );
    if (!merged.ok) throw new Error(JSON.stringify(merged.problems));
    expect(merged.runbook.metadata.version).toBe('1.3.1');

    // The timeline: in time order, the request before the sign-offs before the operation
    // before its canary promotion before the review, each linking to its record.
    const timeline = await get(
      app,
      `${RCO}/releases/timeline?version=1.5.0&digest=${DIGEST}`,
    ).expect(200);
    const events: TimelineEvent[] = timeline.body.events;
    expect(timeline.body).toMatchObject({
      entityRef: ENTITY,
      release: RELEASE,
    });
    const ats = events.map(e => e.at);
    expect([...ats].sort()).toEqual(ats);
    const first = (type: string) => events.findIndex(e => e.type === type);
    expect(first('request')).toBeGreaterThanOrEqual(0);
    expect(first('request')).toBeLessThan(first('operation'));
    expect(first('signoff')).toBeLessThan(first('operation'));
    expect(first('waiver')).toBeLessThan(first('operation'));
    expect(first('operation')).toBeLessThan(first('canary-step'));
    expect(first('canary-step')).toBeLessThan(first('review'));
    expect(events.filter(e => e.type === 'gate')).toHaveLength(1);
    expect(events[events.length - 1]).toMatchObject({
      type: 'review',
      ledgerSeq: res.body.ledgerSeq,
      link: {
        kind: 'review',
        id: res.body.id,
        href: `/reviews/${res.body.id}`,
      },
    });
    for (const e of events.filter(x => x.ledgerSeq !== undefined))
      expect(e.link?.href ?? e.link?.id).toBeTruthy();
    // The links answer.
    for (const href of new Set(
      events.map(e => e.link?.href).filter((h): h is string => !!h),
    ))
      expect((await get(app, `/api/rco${href}`)).status).toBe(200);
    // Another release has no story here.
    const other = await get(
      app,
      `${RCO}/releases/timeline?version=9.9.9`,
    ).expect(200);
    expect(other.body.events).toEqual([]);
    expect((await get(app, `${RCO}/releases/timeline`)).status).toBe(400);
    await backend.stop();
  });

  it('refuses a staging deploy, a dry-run, a running operation and one that ended before it ran; open reviews count only finished production deploys and rollbacks', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    const staging = await operationIn(knex, { environment: 'staging' });
    const dryRun = await operationIn(knex, {
      environment: 'production',
      type: 'rollback-dry-run',
    });
    const running = await operationIn(knex, {
      environment: 'production',
      end: 'running',
    });
    const aborted = await operationIn(knex, {
      environment: 'production',
      end: 'aborted',
    });
    const blocked = await operationIn(knex, {
      environment: 'production',
      end: 'blocked',
    });
    const failed = await operationIn(knex, {
      environment: 'production',
      end: 'failed',
    });
    const rollback = await operationIn(knex, {
      environment: 'production',
      type: 'rollback',
    });

    const s = await review(app, staging!.id);
    expect(s.status).toBe(400);
    expect(s.body.error.message).toMatch(
      /Only deploys and rollbacks in production/,
    );
    expect((await review(app, dryRun!.id)).status).toBe(400);
    const r = await review(app, running!.id);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/once it has finished/);
    for (const op of [aborted, blocked]) {
      const res = await review(app, op!.id);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/before it ran/);
    }
    expect(await knex('rco_release_reviews').count({ n: '*' })).toEqual([
      { n: expect.anything() },
    ]);
    expect(
      Number((await knex('rco_release_reviews').count({ n: '*' }))[0].n),
    ).toBe(0);

    // Open: the failed deploy (it ran) and the rollback; not the rest.
    const open = (await get(app, `${RCO}/reviews`).expect(200)).body.open;
    expect(open.map((o: any) => o.operationId).sort()).toEqual(
      [failed!.id, rollback!.id].sort(),
    );
    const store = new DatabaseReviewStore(knex, new Ledger(knex));
    expect(
      await store.openCounts(
        [ENTITY, 'component:default/other'],
        ['production'],
      ),
    ).toEqual(new Map([[ENTITY, 2]]));
    // Every entity's count, for the portfolio, which shows it on the service's row.
    expect(await store.openCounts(undefined, ['production'])).toEqual(
      new Map([[ENTITY, 2]]),
    );
    const row = await eventually(
      async () =>
        (
          await get(app, '/api/rco/portfolio').expect(200)
        ).body.items.find((i: any) => i.entityRef === ENTITY),
      item => expect(item?.openReviews).toBe(2),
    );
    expect(row.title).toBeTruthy();
    const csv = (await get(app, '/api/rco/portfolio/export').expect(200)).text;
    const [header, line] = csv.trim().split('\n');
    expect(line.split(',')[header.split(',').indexOf('openReviews')]).toBe('2');
    // The rule and its query agree: every open one may be reviewed.
    expect(
      (await review(app, failed!.id, 'alice', { ...REVIEW, result: 'failed' }))
        .status,
    ).toBe(201);
    expect(
      (
        await review(app, rollback!.id, 'alice', {
          ...REVIEW,
          result: 'as-planned',
          deviations: '',
        })
      ).status,
    ).toBe(201);
    expect(await store.openCounts([ENTITY], ['production'])).toEqual(new Map());
    await backend.stop();
  });

  it('answers 404 naming no entity to a caller who cannot see it', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex, {
      visible: (_e, credentials) =>
        credentials?.principal?.userEntityRef !== 'user:default/carol',
    });
    const op = await operationIn(knex, { environment: 'production' });
    const mine = await review(app, op!.id);
    expect(mine.status).toBe(201);
    // Routes of a record name the record only, never its entity.
    for (const res of [
      await review(app, op!.id, 'carol'),
      await get(app, `/api/rco/reviews/${mine.body.id}`, 'carol'),
      await get(
        app,
        `/api/rco/reviews/${mine.body.id}/runbook-proposal`,
        'carol',
      ),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(/^No (operation|review) /);
      expect(JSON.stringify(res.body)).not.toMatch(/default\/rco\b/);
    }
    // Routes of the entity answer as for an entity that does not exist.
    for (const res of [
      await get(app, `${RCO}/reviews`, 'carol'),
      await get(app, `${RCO}/releases/timeline?version=1.5.0`, 'carol'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('No entity component:default/rco');
    }
    expect(
      Number((await knex('rco_release_reviews').count({ n: '*' }))[0].n),
    ).toBe(1);
    // Unknown ids answer the same way.
    expect((await review(app, 'nope')).status).toBe(404);
    expect((await get(app, '/api/rco/reviews/nope')).status).toBe(404);
    await backend.stop();
  });

  it('the runbook route says when its periodic review is due, by the release clock', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex);
    const res = await get(app, `${RCO}/runbook`).expect(200);
    expect(res.body.review).toEqual({
      reviewEvery: 'P6M',
      lastReviewed: '2025-10-09',
      dueAt: '2026-04-09T00:00:00.000Z',
      overdue: Date.now() >= Date.parse('2026-04-09T00:00:00.000Z'),
    });
    await backend.stop();
  });
});

import { Entity } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { eventually } from '../__testUtils__/eventually';
import { parse as parseYaml } from 'yaml';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  examplesDir,
  governedEntity,
  readSample,
} from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * Issue 10, point 7: a service token sees only its own entities, on every route. `other` is a
 * governed component the CI token of `rco` is not configured for; whatever the token asks
 * about it must answer exactly as if it did not exist.
 */
const databases = createTestDatabases();
jest.setTimeout(120_000);
beforeEach(() => resetSimulatedCluster());

const OTHER = '/api/rco/entities/component/default/other';
const GHOST = '/api/rco/entities/component/default/ghost';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const governed = (name: string): Entity => ({
  ...governedEntity(
    name,
    `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
    { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' },
  ),
});

/** CI of `rco` in both spellings of its subject, CI of `other`, and a plugin granted `rco`. */
const CI_SUBJECTS = [
  {
    subject: 'external:ci-rco',
    entities: ['Component:Default/RCO', 'component:default/MixedCase'],
    operations: ['deploy', 'control', 'rollback'],
  },
  {
    subject: 'ci-other',
    entities: ['component:default/other'],
    operations: ['deploy'],
  },
  { subject: 'plugin:reporting', entities: ['component:default/rco'] },
];

async function start(databaseId: any) {
  const knex = await databases.init(databaseId);
  const started = await startOperationsBackend(knex, {
    extraEntities: [governed('other'), governed('MixedCase')],
    rco: { ci: { subjects: CI_SUBJECTS } },
    logLevel: 'none',
  });
  return { ...started, knex };
}

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Evidence, a release request, a sign-off, a waiver, an override and an operation of `other`. */
async function seedOther(app: any) {
  const ids: Record<string, string> = {};
  const up = await request(app)
    .post(
      `${OTHER}/evidence?kind=gitleaks&version=1.5.0&digest=${RELEASE.digest}`,
    )
    .set('Authorization', asService('ci-other'))
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(readSample('gitleaks-report-json-simple.json')));
  expect(up.status).toBe(201);
  ids.evidence = up.body.items[0].id;
  await request(app)
    .post(`${OTHER}/releases`)
    .set('Authorization', asUser('alice'))
    .send(RELEASE)
    .expect(201);
  ids.signoff = (
    await request(app)
      .post(`${OTHER}/signoffs`)
      .set('Authorization', asUser('paula'))
      .send({ role: 'po', release: RELEASE, comment: 'ok' })
      .expect(201)
  ).body.id;
  ids.waiver = (
    await request(app)
      .post(`${OTHER}/waivers`)
      .set('Authorization', asUser('sam'))
      .send({
        gate: 'image-scanning',
        justification: 'Scanner down, judged by hand',
        expiresAt: later(86_400_000),
      })
      .expect(201)
  ).body.id;
  ids.override = (
    await request(app)
      .post(`${OTHER}/overrides`)
      .set('Authorization', asUser('mei'))
      .send({
        environment: 'staging',
        release: RELEASE,
        justification: 'Hotfix for incident INC-4711: calls dropped',
        expiresAt: later(3_600_000),
      })
      .expect(201)
  ).body.id;
  ids.window = (
    await request(app)
      .post(`${OTHER}/windows`)
      .set('Authorization', asUser('alice'))
      .send({
        environment: 'production',
        start: later(3_600_000),
        end: later(7_200_000),
        timeZone: 'UTC',
      })
      .expect(201)
  ).body.id;
  const op = await request(app)
    .post(`${OTHER}/operations`)
    .set('Authorization', asUser('alice'))
    .send({ type: 'rollback-dry-run', environment: 'staging' });
  expect(op.status).toBeLessThan(300);
  ids.operation = op.body.id;
  return ids;
}

/**
 * A review of `other` (issue 15). Reviews follow a finished production deploy, which this
 * backend does not run: the row is written as the review store writes it, so the routes that
 * read a review by id have one of `other` to refuse.
 */
async function seedReview(knex: any, ids: Record<string, string>) {
  ids.review = '11111111-1111-4111-8111-111111111111';
  await knex('rco_release_reviews').insert({
    id: ids.review,
    entity_ref: 'component:default/other',
    operation_id: ids.operation,
    operation_type: 'deploy',
    environment: 'production',
    release_version: '1.5.0',
    release_digest: RELEASE.digest,
    result: 'as-planned',
    summary: 'Went as the runbook says',
    deviations: '',
    lessons: '',
    author: 'user:default/alice',
    created_at: new Date(),
    ledger_seq: 0,
  });
}

type Call = {
  method: 'get' | 'post';
  /** The route as the OpenAPI spec names it. */
  route: string;
  /** The request about `other` (and the same about something that does not exist). */
  path: (ids: Record<string, string>) => string;
  ghost: string;
  body?: object | Buffer;
  /** The body of the request about something that does not exist, when it names it. */
  ghostBody?: object;
};

const entityCall = (
  method: 'get' | 'post',
  suffix: string,
  body?: Call['body'],
): Call => ({
  method,
  route: `/entities/{kind}/{namespace}/{name}${suffix.replace(
    /\?.*$/,
    '',
  )}`.replace('/versions/1', '/versions/{version}'),
  path: () => `${OTHER}${suffix}`,
  ghost: `${GHOST}${suffix}`,
  body,
});
const idCall = (
  method: 'get' | 'post',
  route: string,
  key: string,
  body?: object,
): Call => ({
  method,
  route,
  path: ids => `/api/rco${route.replace('{id}', ids[key])}`,
  ghost: `/api/rco${route.replace('{id}', UNKNOWN_ID)}`,
  body,
});

const release = { version: '1.5.0', digest: RELEASE.digest };
/** Every route of the API about an entity or one of its records, with a valid request. */
const CALLS: Call[] = [
  entityCall('get', '/runbook'),
  entityCall('post', '/runbook/refresh'),
  entityCall('get', '/runbook/versions'),
  entityCall('get', '/runbook/versions/1'),
  entityCall('get', '/runbook/diff?from=a&to=b'),
  entityCall('get', '/evidence'),
  entityCall(
    'post',
    '/evidence?kind=gitleaks',
    Buffer.from(readSample('gitleaks-report-json-simple.json')),
  ),
  idCall('get', '/evidence/{id}', 'evidence'),
  idCall('get', '/evidence/{id}/raw', 'evidence'),
  entityCall('get', '/status'),
  entityCall('get', '/releases'),
  entityCall('post', '/releases', release),
  entityCall('get', '/signoffs'),
  entityCall('post', '/signoffs', { role: 'po', release }),
  idCall('post', '/signoffs/{id}/revoke', 'signoff'),
  entityCall('get', '/waivers'),
  entityCall('post', '/waivers', {
    gate: 'image-scanning',
    justification: 'Scanner down, judged by hand',
    expiresAt: later(3_600_000),
  }),
  idCall('post', '/waivers/{id}/revoke', 'waiver'),
  // Issue 16: a waiver proposal (people only; the grant route above stays the waiver group's).
  entityCall('post', '/waivers/proposals', {
    gate: 'image-scanning',
    justification: 'Scanner down, judged by hand',
    expiresAt: later(3_600_000),
  }),
  entityCall('get', '/waivers/proposals'),
  entityCall('get', '/capabilities'),
  entityCall('get', '/environments'),
  entityCall('get', '/operations'),
  entityCall('post', '/operations', {
    type: 'deploy',
    environment: 'staging',
    release,
  }),
  idCall('get', '/operations/{id}', 'operation'),
  idCall('post', '/operations/{id}/confirm', 'operation', {
    confirmation: 'other',
  }),
  idCall('post', '/operations/{id}/promote', 'operation'),
  idCall('post', '/operations/{id}/abort', 'operation'),
  entityCall('get', '/overrides'),
  entityCall('post', '/overrides', {
    environment: 'staging',
    release,
    justification: 'Hotfix for incident INC-4711: calls dropped',
    expiresAt: later(3_600_000),
  }),
  idCall('post', '/overrides/{id}/revoke', 'override'),
  // Issue 15: deployment windows.
  entityCall('get', '/windows'),
  entityCall('post', '/windows', {
    environment: 'staging',
    start: later(3_600_000),
    end: later(7_200_000),
    timeZone: 'UTC',
  }),
  idCall('post', '/windows/{id}/accept', 'window'),
  idCall('post', '/windows/{id}/cancel', 'window'),
  // Issue 17: metrics and the replay (the replay writes nothing; it reads decisions).
  entityCall('get', '/metrics'),
  entityCall('post', '/replay', { change: { gate: 'image-scanning' } }),
  // Issue 15: the road, reviews, the timeline and the dossier.
  entityCall('get', '/road'),
  entityCall('get', '/freezes'),
  entityCall('get', '/reviews'),
  idCall('post', '/operations/{id}/review', 'operation', {
    result: 'as-planned',
    summary: 'Went as the runbook says',
    deviations: '',
    lessons: '',
  }),
  idCall('get', '/reviews/{id}', 'review'),
  idCall('get', '/reviews/{id}/runbook-proposal', 'review'),
  entityCall('get', `/releases/timeline?version=1.5.0`),
  entityCall('get', `/releases/dossier?version=1.5.0&digest=${RELEASE.digest}`),
  entityCall(
    'get',
    `/releases/attestation?version=1.5.0&digest=${RELEASE.digest}`,
  ),
  // Issue 13: collection health and an owner's (or the entity's CI token's) refresh.
  entityCall('get', '/collection'),
  entityCall('post', '/collection/refresh'),
  {
    method: 'post',
    route: '/simulated/steer',
    path: () => '/api/rco/simulated/steer',
    ghost: '/api/rco/simulated/steer',
    body: {
      entityRef: 'component:default/other',
      environment: 'staging',
      nextAnalysis: 'fail',
    },
    ghostBody: {
      entityRef: 'component:default/ghost',
      environment: 'staging',
      nextAnalysis: 'fail',
    },
  },
];
/** Routes that hold no entity's data: the portfolio is tested on its own below. */
const NOT_ABOUT_AN_ENTITY = [
  'get /ledger/verify',
  'post /ledger/verify',
  'get /portfolio',
  'get /portfolio/export',
  // The local portal's demo clock (404 without rco.demoEvidence; a token may not move it:
  // service/demo/demoPortal.test.ts).
  'get /demo/clock',
  'post /demo/clock',
  // The portal's attestation public key: the same for every entity, read by verifiers.
  'get /attestation/public-key',
  // Issue 17: over the services the caller sees, a token's own only (metrics.api.test.ts);
  // the gate policy is the configuration's, no entity's.
  'get /metrics',
  'post /replay',
  'get /gates/policy',
];

function send(app: any, call: Call, url: string, token: string, ghost = false) {
  const req = request(app)[call.method](url).set('Authorization', token);
  if (Buffer.isBuffer(call.body)) {
    return req.set('Content-Type', 'application/octet-stream').send(call.body);
  }
  const body = ghost ? call.ghostBody ?? call.body : call.body;
  if (body) return req.send(body);
  return call.method === 'post' ? req.send({}) : req;
}

/** The answer with the names of what was asked for blanked, to compare with the ghost's. */
const shape = (res: request.Response, ...names: string[]) => {
  let text = res.text;
  for (const n of names) text = text.split(n).join('<asked>');
  return { status: res.status, text };
};

describe('point 7: service tokens see only their own entities on every route', () => {
  it('covers every route of the OpenAPI spec', () => {
    const spec = parseYaml(
      fs.readFileSync(path.join(__dirname, '../schema/openapi.yaml'), 'utf8'),
    );
    const routes = Object.entries(spec.paths).flatMap(([p, ops]) =>
      Object.keys(ops as object)
        .filter(m => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(m => `${m} ${p}`),
    );
    const covered = [
      ...CALLS.map(c => `${c.method} ${c.route}`),
      ...NOT_ABOUT_AN_ENTITY,
    ];
    expect([...new Set(covered)].sort()).toEqual(routes.sort());
  });

  it.each(databases.eachSupportedId())(
    "refuses: a CI token for rco reads or changes other's data by any route, and learns nothing (%s)",
    async databaseId => {
      const { app, backend, knex } = await start(databaseId);
      const ids = await seedOther(app);
      await seedReview(knex, ids);
      const failures: string[] = [];
      // Both spellings of the subject (a static token's and a JWKS token's) are the same token.
      for (const token of [asService('external:ci-rco'), asService('ci-rco')]) {
        for (const call of CALLS) {
          const url = call.path(ids);
          const res = await send(app, call, url, token);
          const ghost = await send(app, call, call.ghost, token, true);
          const ok =
            (res.status === 404 ||
              (call.method === 'post' && res.status === 403)) &&
            JSON.stringify(shape(res, url, ...Object.values(ids), 'other')) ===
              JSON.stringify(shape(ghost, call.ghost, UNKNOWN_ID, 'ghost'));
          if (!ok) {
            failures.push(
              `${call.method.toUpperCase()} ${call.route}: ${
                res.status
              } ${res.text.slice(0, 160)} (unknown: ${ghost.status})`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
      // Nothing of other's changed on the way.
      const after = await request(app)
        .get(`${OTHER}/operations`)
        .set('Authorization', asUser('alice'));
      expect(after.body.items).toHaveLength(1);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a CI token for rco finds other's releases in the portfolio (%s)",
    async databaseId => {
      const { app, backend } = await start(databaseId);
      await seedOther(app);
      // Stored verdicts (issue 14): read once every service is judged.
      await eventually(
        () =>
          request(app)
            .get('/api/rco/portfolio')
            .set('Authorization', asService('ci-rco')),
        portfolio => {
          expect(portfolio.status).toBe(200);
          expect(portfolio.body.pending).toBe(0);
          expect(
            portfolio.body.items.map((i: any) => i.entityRef).sort(),
          ).toEqual(['component:default/mixedcase', 'component:default/rco']);
        },
      );
      // The export lists the same services, no others.
      const csv = await request(app)
        .get('/api/rco/portfolio/export')
        .set('Authorization', asService('ci-rco'))
        .expect(200);
      expect(csv.text).toMatch(/component:default\/rco/);
      expect(csv.text).not.toMatch(/component:default\/other/);
      // People still see what the catalog shows them.
      await eventually(
        () =>
          request(app)
            .get('/api/rco/portfolio')
            .set('Authorization', asUser('alice')),
        people => expect(people.body.totalItems).toBe(3),
      );
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a static token with no rco.ci.subjects entry reads anything (%s)',
    async databaseId => {
      const { app, backend } = await start(databaseId);
      const { evidence } = await seedOther(app);
      // A static external-access token's subject is the configured string as is.
      for (const token of [
        asService('ci-unknown'),
        asService('external:ci-unknown'),
      ]) {
        for (const url of [
          `${RCO}/runbook`,
          `${RCO}/status`,
          `${RCO}/evidence`,
          `${OTHER}/environments`,
          `/api/rco/evidence/${evidence}`,
          `/api/rco/evidence/${evidence}/raw`,
        ]) {
          const res = await request(app).get(url).set('Authorization', token);
          expect({ url, status: res.status }).toEqual({ url, status: 404 });
        }
        const portfolio = await request(app)
          .get('/api/rco/portfolio')
          .set('Authorization', token);
        // Nothing listed and nothing counted: the totals (issue 12, point 8), the columns'
        // counts and the pending services are all zero.
        const { totals, columns, pending, items, totalItems } = portfolio.body;
        expect({ items, totalItems, pending }).toEqual({
          items: [],
          totalItems: 0,
          pending: 0,
        });
        expect(Object.values(totals).every(n => n === 0)).toBe(true);
        for (const column of columns)
          expect(Object.values(column.counts).every(n => n === 0)).toBe(true);
        const csv = await request(app)
          .get('/api/rco/portfolio/export')
          .set('Authorization', token)
          .expect(200);
        expect(csv.text.trim().split('\n')).toHaveLength(1);
      }
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: another plugin's token reads entities rco.ci.subjects does not grant it (%s)",
    async databaseId => {
      // Plugin-to-plugin tokens (subject plugin:<id>) are limited like CI tokens: nothing unless
      // rco.ci.subjects names plugin:<id>, and then only those entities, read-only by default.
      const { app, backend } = await start(databaseId);
      const { evidence } = await seedOther(app);
      const unknown = asService('plugin:catalog');
      expect(
        (await request(app).get(`${RCO}/status`).set('Authorization', unknown))
          .status,
      ).toBe(404);
      const granted = asService('plugin:reporting');
      expect(
        (await request(app).get(`${RCO}/status`).set('Authorization', granted))
          .status,
      ).toBe(200);
      expect(
        (
          await request(app)
            .get(`/api/rco/evidence/${evidence}`)
            .set('Authorization', granted)
        ).status,
      ).toBe(404);
      const deploy = await request(app)
        .post(`${RCO}/operations`)
        .set('Authorization', granted)
        .send({ type: 'deploy', environment: 'staging', release });
      expect(deploy.status).toBe(403);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a JWKS token whose own sub reads plugin:reporting takes over that plugin's grant (%s)",
    async databaseId => {
      // Backstage names a JWKS token without a subjectPrefix external:<sub>; its issuer chooses
      // <sub>, so it may spell another plugin's subject.
      const { app, backend } = await start(databaseId);
      const impostor = asService('external:plugin:reporting');
      expect(
        (await request(app).get(`${RCO}/status`).set('Authorization', impostor))
          .status,
      ).toBe(404);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a mixed-case ref in configuration or URL locks the CI token out of its own entity (%s)',
    async databaseId => {
      const { app, backend } = await start(databaseId);
      const gitleaks = Buffer.from(
        readSample('gitleaks-report-json-simple.json'),
      );
      for (const [base, token] of [
        ['/api/rco/entities/Component/Default/RCO', 'ci-rco'],
        ['/api/rco/entities/component/default/mixedcase', 'external:ci-rco'],
        ['/api/rco/entities/COMPONENT/default/MixedCase', 'ci-rco'],
      ]) {
        const up = await request(app)
          .post(
            `${base}/evidence?kind=gitleaks&version=1.5.0&digest=${RELEASE.digest}`,
          )
          .set('Authorization', asService(token))
          .set('Content-Type', 'application/octet-stream')
          .send(gitleaks);
        expect({ base, status: up.status }).toEqual({
          base,
          status: expect.any(Number),
        });
        expect([200, 201]).toContain(up.status);
        const own = await request(app)
          .get(`/api/rco/evidence/${up.body.items[0].id}/raw`)
          .set('Authorization', asService(token));
        expect(own.status).toBe(200);
        // Deploy and evidence agree on who the token may act for.
        const deploy = await request(app)
          .post(`${base}/operations`)
          .set('Authorization', asService(token))
          .send({ type: 'rollback-dry-run', environment: 'staging' });
        expect(deploy.status).not.toBe(403);
        expect(deploy.status).not.toBe(404);
      }
      await backend.stop();
    },
  );
});

import { Entity } from '@backstage/catalog-model';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { examplesDir, governedEntity } from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const CI = asService('external:ci-rco');

const user = (
  name: string,
  displayName: string,
  groups: string[],
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default', annotations },
  spec: { profile: { displayName }, memberOf: groups },
  relations: groups.map(targetRef => ({ type: 'memberOf', targetRef })),
});

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

/** The example organisation, and a user who only claims to be a DPO in an annotation. */
const ORG = [
  group('dpo'),
  group('security'),
  group('payments'),
  user('dana', 'Dana Data-Protection', ['group:default/dpo']),
  user('sam', 'Sam Security', ['group:default/security']),
  user('bob', 'Bob Payments', ['group:default/payments']),
  user('mallory', 'Mallory', ['group:default/payments'], {
    'rco.helix.dev/signoff-group': 'group:default/dpo',
  }),
];

/** A component whose own annotations try to name other signers and waivers. */
const LOUD = governedEntity(
  'loud',
  `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
  {
    'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
    'rco.helix.dev/signoffs.groups.dpo': 'group:default/payments',
    'rco.helix.dev/waivers.group': 'group:default/payments',
  },
);

const trivyOf = (digest: string) =>
  JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: `registry.example/rco@${digest}`,
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [`registry.example/rco@${digest}`] },
    Results: [],
  });

const policyReport = JSON.stringify({
  apiVersion: 'wgpolicyk8s.io/v1alpha2',
  kind: 'PolicyReport',
  metadata: { name: 'rco', namespace: 'rco-prod' },
  summary: { pass: 3, fail: 0, warn: 0, error: 0, skip: 0 },
  results: [],
});

const statusOf = async (app: any, auth: string, query = '', entity = RCO) =>
  (
    await request(app)
      .get(`${entity}/status${query}`)
      .set('Authorization', auth)
      .expect(200)
  ).body;

const step = (status: any, gate: string, action: string) =>
  status.gates
    .find((g: any) => g.id === gate)
    .next.find((s: any) => s.action === action);

/** The words a POSIX shell makes of a command (printf stands in for curl). */
const words = (command: string) =>
  execFileSync('sh', ['-c', command.replace(/^curl /, "printf '%s\\n' ")], {
    env: { RCO_CI_TOKEN: 'T', GIT_SHA: 'abc', PATH: process.env.PATH },
  })
    .toString()
    .trimEnd()
    .split('\n');

describe('issue 12, point 1: next steps name people and commands', () => {
  it.each(databases.eachSupportedId())(
    "refuses: an entity's own annotations change who is named as signer or waiver (%s)",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        extraEntities: [...ORG, LOUD],
      });
      const loud = await statusOf(
        app,
        asUser('alice'),
        `?version=1.5.0&digest=${DIGEST}`,
        '/api/rco/entities/component/default/loud',
      );
      const signoff = step(loud, 'dpo-signoff', 'signoff');
      expect(signoff.group).toBe('group:default/dpo');
      expect(signoff.people).toEqual([
        { ref: 'user:default/dana', name: 'Dana Data-Protection' },
      ]);
      const waive = step(loud, 'image-scanning', 'waive');
      expect(waive.group).toBe('group:default/security');
      expect(waive.people.map((p: any) => p.ref)).toEqual(['user:default/sam']);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a caller who cannot see a group or user learns its members (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        extraEntities: ORG,
        // Alice sees everything but the DPO group; the security group's Sam is hidden from her.
        visible: (e, creds) =>
          creds?.principal?.userEntityRef !== 'user:default/alice' ||
          !['dpo', 'sam'].includes(e.metadata.name),
      });
      const seen = await statusOf(
        app,
        asUser('alice'),
        `?version=1.5.0&digest=${DIGEST}`,
      );
      const signoff = step(seen, 'dpo-signoff', 'signoff');
      expect(signoff.people).toBeUndefined();
      expect(JSON.stringify(seen)).not.toContain('Dana');
      expect(step(seen, 'image-scanning', 'waive').people).toEqual([]);
      expect(JSON.stringify(seen)).not.toContain('Sam Security');
      // Whoever may see them is told.
      const bob = await statusOf(
        app,
        asUser('bob'),
        `?version=1.5.0&digest=${DIGEST}`,
      );
      expect(step(bob, 'dpo-signoff', 'signoff').people).toHaveLength(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: the requester is named as a signer of their own release (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        extraEntities: [
          ...ORG,
          // Alice is in the DPO group too: she still cannot approve what she asked for.
          user('alice', 'Alice Owner', ['group:default/dpo']),
          user('paula', 'Paula Product', ['group:default/product-owners']),
          group('product-owners'),
        ],
      });
      await request(app)
        .post(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .send({ version: '1.5.0', digest: DIGEST })
        .expect(201);
      const status = await statusOf(
        app,
        asUser('bob'),
        `?version=1.5.0&digest=${DIGEST}&environment=production`,
      );
      const signoff = step(status, 'dpo-signoff', 'signoff');
      expect(signoff.people.map((p: any) => p.ref)).toEqual([
        'user:default/dana',
      ]);
      expect(
        status.gates
          .find((g: any) => g.id === 'dpo-signoff')
          .next.some((s: any) => s.action === 'request-release'),
      ).toBe(false);
      // The roles production requires beyond the gate name their signers too.
      expect(status.fourEyes.roles.po.next).toEqual([
        expect.objectContaining({
          action: 'signoff',
          role: 'po',
          people: [{ ref: 'user:default/paula', name: 'Paula Product' }],
        }),
      ]);
      expect(status.fourEyes.roles.dpo.next[0].people).toEqual([
        { ref: 'user:default/dana', name: 'Dana Data-Protection' },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a CI token learns who may sign or waive (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        extraEntities: ORG,
      });
      const ci = await statusOf(app, CI, `?version=1.5.0&digest=${DIGEST}`);
      expect(step(ci, 'dpo-signoff', 'signoff').people).toBeUndefined();
      expect(JSON.stringify(ci)).not.toMatch(/Dana|Sam Security/);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a version chosen by an uploader runs in the shell of whoever copies the command (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        extraEntities: ORG,
      });
      const version = `1.0';touch /tmp/rco-pwned;echo '$(id)"\``;
      await request(app)
        .post(
          `${RCO}/evidence?kind=gitleaks&version=${encodeURIComponent(
            version,
          )}`,
        )
        .set('Authorization', CI)
        .send('[]')
        .expect(201);
      const status = await statusOf(
        app,
        asUser('alice'),
        `?version=${encodeURIComponent(version)}&digest=${DIGEST}`,
      );
      const commands: string[] = status.gates
        .flatMap((g: any) => g.next)
        .filter((s: any) => s.command)
        .map((s: any) => s.command);
      expect(commands.length).toBeGreaterThan(3);
      for (const command of commands) {
        const argv = words(command);
        expect(argv).toHaveLength(6);
        expect(argv[2]).toBe('Authorization: Bearer T');
        const url = new URL(argv[5]);
        expect(url.hostname).toBe('localhost');
        expect(url.pathname).toBe(
          '/api/rco/entities/component/default/rco/evidence',
        );
        // Image and commit evidence name the version, exactly as the uploader spelled it.
        expect([null, version]).toContain(url.searchParams.get('version'));
      }
      expect(
        commands.filter(c => words(c)[5].includes('version=')).length,
      ).toBeGreaterThan(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a token value appears in a command (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex);
      const status = await statusOf(
        app,
        asUser('alice'),
        `?version=1.5.0&digest=${DIGEST}`,
      );
      const commands: string[] = status.gates
        .flatMap((g: any) => g.next)
        .filter((s: any) => s.command)
        .map((s: any) => s.command);
      for (const command of commands) {
        expect(command).toContain('-H "Authorization: Bearer $RCO_CI_TOKEN"');
        expect(command.match(/Bearer/g)).toHaveLength(1);
        expect(command).not.toMatch(/mock-|local-ci-token/);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: the next steps of an entity the caller cannot see (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        extraEntities: ORG,
        visible: (e, creds) =>
          creds?.principal?.userEntityRef !== 'user:default/bob' ||
          e.metadata.name !== 'rco',
      });
      const res = await request(app)
        .get(`${RCO}/status?version=1.5.0&digest=${DIGEST}`)
        .set('Authorization', asUser('bob'))
        .expect(404);
      expect(JSON.stringify(res.body)).not.toMatch(/Dana|dpo/);
    },
  );
});

describe('issue 12, point 4: evidence counts where it is about', () => {
  it.each(databases.eachSupportedId())(
    "refuses: production's cluster state counts for staging, while the image's scan counts in both (%s)",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex);
      for (const [body, query] of [
        [trivyOf(DIGEST), `digest=${DIGEST}&version=1.5.0`],
        [policyReport, ''],
      ])
        await request(app)
          .post(`${RCO}/evidence?environment=production&${query}`)
          .set('Authorization', CI)
          .set('Content-Type', 'application/json')
          .send(body)
          .expect(201);
      const staging = await statusOf(
        app,
        asUser('alice'),
        `?version=1.5.0&digest=${DIGEST}&environment=staging`,
      );
      const gate = (s: any, id: string) =>
        s.gates.find((g: any) => g.id === id);
      expect(gate(staging, 'policy-enforcement').status).toBe('missing');
      expect(gate(staging, 'image-scanning').evidence).toEqual([
        expect.objectContaining({ kind: 'trivy', scope: 'image' }),
      ]);
      const production = await statusOf(
        app,
        asUser('alice'),
        `?version=1.5.0&digest=${DIGEST}&environment=production`,
      );
      expect(gate(production, 'policy-enforcement').status).toBe('pass');
      expect(gate(production, 'policy-enforcement').evidence[0].scope).toBe(
        'environment',
      );
      expect(
        staging.environments.map((e: any) => [
          e.environment,
          e.blockedBy.includes('policy-enforcement'),
        ]),
      ).toEqual([
        ['staging', true],
        ['production', false],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a record without a digest is listed as a release (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex);
      await request(app)
        .post(`${RCO}/evidence?kind=gitleaks&version=9.9.9`)
        .set('Authorization', CI)
        .send('[]')
        .expect(201);
      await request(app)
        .post(`${RCO}/evidence?digest=${DIGEST}&version=1.5.0`)
        .set('Authorization', CI)
        .set('Content-Type', 'application/json')
        .send(trivyOf(DIGEST))
        .expect(201);
      const res = await request(app)
        .get(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(res.body.items).toEqual([
        expect.objectContaining({ version: '1.5.0', digest: DIGEST }),
      ]);
      expect(res.body.environments).toEqual(['staging', 'production']);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: evidence under made-up environments multiplies the work of every status read (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex);
      // A pipeline (or an owner) files evidence under 40 environments nobody configured: each
      // one judged on every status read would cost environments x evidence, for every page.
      for (let i = 0; i < 40; i++)
        await request(app)
          .post(`${RCO}/evidence?environment=made-up-${i}`)
          .set('Authorization', CI)
          .set('Content-Type', 'application/json')
          .send(policyReport)
          .expect(201);
      const status = await statusOf(
        app,
        asUser('alice'),
        '?environment=made-up-39',
      );
      const judged = status.environments.map((e: any) => e.environment);
      // The configured ones, the one asked about, and a few that only evidence names.
      expect(judged.slice(0, 2)).toEqual(['staging', 'production']);
      expect(judged).toContain('made-up-39');
      expect(judged.length).toBeLessThanOrEqual(2 + 1 + 5);
      const releases = await request(app)
        .get(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(releases.body.environments.length).toBeLessThanOrEqual(2 + 5);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a look-alike environment name (zero-width space, upper case, spaces) joins the chips and the picker (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex);
      for (const env of [
        'staging%E2%80%8B',
        'Staging',
        'stag%20ing',
        'x'.repeat(65),
      ]) {
        const res = await request(app)
          .get(`${RCO}/status?environment=${env}`)
          .set('Authorization', asUser('alice'))
          .expect(400);
        // Named as the upload route names it; the value itself is not echoed.
        expect(res.body.error.message).toMatch(/environment/);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: old junk environment names push the one CI reported last out of the chips (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex);
      const upload = (environment: string) =>
        request(app)
          .post(`${RCO}/evidence?environment=${environment}`)
          .set('Authorization', CI)
          .set('Content-Type', 'application/json')
          .send(policyReport)
          .expect(201);
      for (let i = 0; i < 6; i++) await upload(`aa-junk-${i}`);
      await new Promise(r => setTimeout(r, 50));
      // Alphabetically last, reported last: the one a person is working on now.
      await upload('zz-disaster-recovery');
      const status = await statusOf(app, asUser('alice'));
      const judged = status.environments.map((e: any) => e.environment);
      expect(judged.slice(0, 3)).toEqual([
        'staging',
        'production',
        'zz-disaster-recovery',
      ]);
      const releases = await request(app)
        .get(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(releases.body.environments).toContain('zz-disaster-recovery');
    },
  );
});

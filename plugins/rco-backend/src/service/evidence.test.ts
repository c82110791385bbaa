import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { eventually } from '../__testUtils__/eventually';
import { parse as parseYaml } from 'yaml';
import { rcoPlugin } from '../plugin';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  EXAMPLE_GROUPS,
  PERMISSION_GROUPS,
} from '../__testUtils__/operationsBackend';
import {
  examplesDir,
  governedEntity,
  readExample,
  readSample,
} from '../__testUtils__/fixtures';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;
const RCO = '/api/rco/entities/component/default/rco';

const users: Record<string, string[]> = {
  'user:default/alice': ['group:default/rco-team'],
  'user:default/bob': ['group:default/payments'],
  'user:default/dana': ['group:default/dpo'],
  'user:default/sam': ['group:default/security'],
};
const asUser = (ref: string) =>
  `Bearer mock-user-token:${JSON.stringify({ sub: ref })}`;
const asService = (subject: string) =>
  `Bearer mock-service-token:${JSON.stringify({ sub: subject })}`;
const ALICE = asUser('user:default/alice');
/** Scans, signatures and cluster state count when CI or the cluster attests them (issue 10, point 4). */
const CI = asService('external:ci-rco');

/** The Grype sample as a scan of the image with `digest` (the sample names its own manifest digest). */
function grypeOf(digest: string) {
  const doc = JSON.parse(readSample('grype-json-image.json'));
  doc.source.target.manifestDigest = digest;
  doc.source.target.repoDigests = [];
  return JSON.stringify(doc);
}

async function start(
  databaseId: TestDatabaseId,
  rcoConfig: Record<string, unknown> = {},
) {
  const knex = await databases.init(databaseId);
  const rco = governedEntity(
    'rco',
    `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
    {
      'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
    },
  );
  const other = {
    ...governedEntity(
      'other',
      `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
      {
        'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
      },
    ),
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/payments',
    },
  };
  const { server } = await startTestBackend({
    features: [
      rcoPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          rco: {
            ...EXAMPLE_GROUPS,
            ...rcoConfig,
            ci: {
              subjects: [
                {
                  subject: 'external:ci-rco',
                  entities: ['component:default/rco'],
                },
                {
                  subject: 'external:ci-other',
                  entities: ['component:default/other'],
                },
              ],
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities: [rco, other] }),
      // Decides like the rco policy (rcoPolicyDecision in plugins/rco-node/src/policy.ts), which has
      // its own tests: owners upload, role groups sign, the waiver group waives.
      mockServices.permissions.mock({
        authorize: async (requests: any[], { credentials }: any) =>
          requests.map(r => {
            const groups = users[credentials.principal.userEntityRef] ?? [];
            const owners: Record<string, string> = {
              'component:default/rco': 'group:default/rco-team',
              'component:default/other': 'group:default/payments',
            };
            const needed = PERMISSION_GROUPS[r.permission.name] ?? [
              owners[r.resourceRef],
            ];
            const allowed = groups.some(g => needed.includes(g));
            return {
              result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            };
          }),
      }).factory,
      mockServices.userInfo.mock({
        getUserInfo: async (credentials: any) => ({
          userEntityRef: credentials.principal.userEntityRef,
          ownershipEntityRefs: [
            credentials.principal.userEntityRef,
            ...(users[credentials.principal.userEntityRef] ?? []),
          ],
        }),
      }).factory,
    ],
  });
  return { app: server, knex };
}

const upload = (app: any, body: string, query = '', auth = ALICE) =>
  request(app)
    .post(`${RCO}/evidence${query}`)
    .set('Authorization', auth)
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(body));

async function gate(
  app: any,
  id: string,
  query = `?version=1.4.0&digest=${DIGEST}`,
) {
  const res = await request(app)
    .get(`${RCO}/status${query}`)
    .set('Authorization', ALICE);
  expect(res.status).toBe(200);
  return res.body.gates.find((g: any) => g.id === id);
}

const countRows = async (knex: Knex, table: string) =>
  Number((await knex(table).count({ n: '*' }))[0].n);

describe.each(databases.eachSupportedId())(
  'evidence and gates on %s',
  databaseId => {
    it('judges image-scanning from the real Trivy, Grype, CycloneDX and Cosign samples', async () => {
      const { app } = await start(databaseId);
      const trivy = JSON.parse(readSample('trivy-image-alpine310.json'));
      const vulns = (trivy.Results ?? []).flatMap(
        (r: any) => r.Vulnerabilities ?? [],
      );
      const critical = vulns.filter(
        (v: any) => v.Severity === 'CRITICAL',
      ).length;
      const high = vulns.filter((v: any) => v.Severity === 'HIGH').length;

      const res = await upload(
        app,
        readSample('trivy-image-alpine310.json'),
        `?digest=${DIGEST}&version=1.4.0`,
        CI,
      );
      expect(res.status).toBe(201);
      expect(res.body.items).toHaveLength(1);
      expect(res.body.items[0]).toMatchObject({
        kind: 'trivy',
        subject: { digest: DIGEST, version: '1.4.0' },
      });
      expect(res.body.items[0].sha256).toMatch(/^[0-9a-f]{64}$/);

      // This Trivy report of alpine:3.10 lists no CRITICAL or HIGH finding...
      expect(critical + high).toBe(0);
      const g = await gate(app, 'image-scanning');
      // ...but a clean scan alone is not enough: the signature and the SBOM are still missing.
      expect(g.status).toBe('missing');
      expect(g.reasons[0]).toContain('has no CRITICAL or HIGH findings');

      // The same scan for another image does not count for this release.
      const other = await gate(
        app,
        'image-scanning',
        `?version=1.4.0&digest=${OTHER_DIGEST}`,
      );
      expect(other.status).toBe('missing');

      await upload(
        app,
        readSample('cyclonedx-1.7-trivy-pom-with-vulns.json'),
        `?digest=${DIGEST}`,
        CI,
      ).expect(201);
      const cosign = JSON.parse(readSample('cosign-verify-key-based.json'));
      const signedDigest = cosign[0].critical.image['docker-manifest-digest'];
      const signed = await upload(
        app,
        readSample('cosign-verify-key-based.json'),
        '',
        CI,
      );
      expect(signed.body.items[0]).toMatchObject({
        kind: 'cosign',
        subject: { digest: signedDigest },
      });
      // The Grype sample names its own image digest: filed under another it is refused (point 11).
      const misfiled = await upload(
        app,
        readSample('grype-json-image.json'),
        `?digest=${DIGEST}`,
        CI,
      );
      expect(misfiled.status).toBe(400);
      expect(misfiled.body.error.message).toContain(DIGEST);
      const grype = await upload(app, grypeOf(DIGEST), `?digest=${DIGEST}`, CI);
      expect(grype.body.items[0].kind).toBe('grype');
      const g2 = await gate(app, 'image-scanning');
      // The newest scan (Grype) decides; the signature is for another digest, so it is missing here.
      const grypeDoc = JSON.parse(readSample('grype-json-image.json'));
      const blocking = grypeDoc.matches.filter((m: any) =>
        ['Critical', 'High'].includes(m.vulnerability.severity),
      );
      expect(blocking.length).toBeGreaterThan(0);
      expect(g2.status).toBe('fail');
      expect(g2.reasons[0]).toContain(blocking[0].vulnerability.id);
      // Issue 13: only a Sigstore bundle the console verifies signs (a cosign report is a claim).
      expect(g2.reasons.join(' ')).toContain('No Sigstore bundle for');
      expect(g2.reasons.join(' ')).toContain('SBOM (cyclonedx)');
    });

    it('never stores a secret from a gitleaks report, and fails secret-hygiene naming rule and file', async () => {
      const { app, knex } = await start(databaseId);
      const report = JSON.parse(readSample('gitleaks-report-json-simple.json'));
      const res = await upload(
        app,
        readSample('gitleaks-report-json-simple.json'),
        '?commit=0000000',
        CI,
      );
      expect(res.status).toBe(201);
      const rows = await knex('rco_evidence').select('raw', 'summary');
      const ledger = await knex('rco_ledger').select('payload');
      const stored = JSON.stringify([rows, ledger]);
      for (const finding of report) {
        expect(stored).not.toContain(finding.Secret);
        expect(stored).not.toContain(finding.Match);
      }
      const raw = await request(app)
        .get(`/api/rco/evidence/${res.body.items[0].id}/raw`)
        .set('Authorization', ALICE);
      expect(raw.status).toBe(200);
      expect(raw.text).not.toContain(report[0].Secret);
      expect(raw.text).toContain(report[0].RuleID);

      const g = await gate(app, 'secret-hygiene');
      expect(g.status).toBe('fail');
      expect(g.reasons[0]).toContain(
        `${report[0].RuleID} in ${report[0].File}:${report[0].StartLine}`,
      );
    });

    it('judges policy, rollout, backups, alerts and workloads from the cluster samples', async () => {
      const { app } = await start(databaseId);
      const constraint = parseYaml(
        readSample('gatekeeper-constraint-with-violations.yaml'),
      );
      for (const sample of [
        'gatekeeper-constraint-with-violations.yaml',
        'kyverno-policyreport-pod-v1alpha2.yaml',
        'argo-rollouts-rollout-aborted-canary.yaml',
        'argo-rollouts-analysisrun-failed.yaml',
        'velero-backup-completed.yaml',
        'prometheusrule-alertmanager-kube-prometheus.yaml',
        'deployment-hardened-securitycontext-kube-prometheus.yaml',
        'networkpolicy-alertmanager-kube-prometheus.yaml',
        'helm-v3-history.json',
        'helm-v3-status.json',
      ]) {
        const res = await upload(
          app,
          readSample(sample),
          '?environment=production',
          CI,
        );
        expect({ sample, status: res.status }).toEqual({ sample, status: 201 });
      }
      const q = `?version=1.4.0&digest=${DIGEST}&environment=production`;
      const policy = await gate(app, 'policy-enforcement', q);
      expect(policy.status).toBe('fail');
      expect(policy.reasons.join(' ')).toContain(
        `${
          constraint.status.totalViolations ??
          constraint.status.violations.length
        } violations`,
      );

      const run = parseYaml(
        readSample('argo-rollouts-analysisrun-failed.yaml'),
      );
      const delivery = await gate(app, 'progressive-delivery', q);
      expect(delivery.status).toBe('fail');
      expect(delivery.reasons.join(' ')).toContain(run.metadata.name);

      const backup = parseYaml(readSample('velero-backup-completed.yaml'));
      const rpo = await gate(app, 'rto-rpo-verification', q);
      // The sample backup completed years ago: far beyond RPO, and no restore drill exists.
      expect(rpo.status).toBe('missing');
      expect(rpo.reasons.join(' ')).toContain(`Newest backup`);
      expect(rpo.reasons.join(' ')).toContain('beyond RPO PT5M');
      expect(backup.status.phase).toBe('Completed');

      // The workload carries its own app.kubernetes.io/version: it counts for that release only.
      const deployment = parseYaml(
        readSample('deployment-hardened-securitycontext-kube-prometheus.yaml'),
      );
      const workloadVersion =
        deployment.metadata.labels['app.kubernetes.io/version'];
      expect((await gate(app, 'acronym-clarity', q)).status).toBe('missing');
      const naming = await gate(
        app,
        'acronym-clarity',
        `?version=${workloadVersion}&environment=production`,
      );
      expect(naming.status).toBe('fail');
      expect(naming.reasons.join(' ')).toContain('carries no "rco" label');

      const netpolDoc = parseYaml(
        readSample('networkpolicy-alertmanager-kube-prometheus.yaml'),
      );
      const netpolVersion =
        netpolDoc.metadata.labels['app.kubernetes.io/version'];
      const status = await request(app)
        .get(`${RCO}/status?version=${netpolVersion}&environment=production`)
        .set('Authorization', ALICE);
      const power = status.body.pillars.find(
        (p: any) => p.id === 'responsible-power',
      );
      const netpol = power.requirements.find(
        (r: any) => r.requirement === 'NetworkPolicy in place',
      );
      expect(netpol.met).toBe(true);
      expect(status.body.summary.text).toMatch(
        /^\d+ of 10 gates pass; blocked by /,
      );
      expect(status.body.summary.ready).toBe(false);
    });

    it('rejects a document that is no evidence format and names the accepted kinds', async () => {
      const { app, knex } = await start(databaseId);
      const res = await upload(
        app,
        readSample('prometheus-api-v1-query-vector-response.json'),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('Accepted kinds: trivy, grype');
      expect(await countRows(knex, 'rco_evidence')).toBe(0);
    });

    it('keeps a document as sent unless something had to be masked', async () => {
      const { app } = await start(databaseId);
      const yamlText = readSample('velero-backup-completed.yaml');
      const velero = await upload(app, yamlText).expect(201);
      const raw = await request(app)
        .get(`/api/rco/evidence/${velero.body.items[0].id}/raw`)
        .set('Authorization', ALICE);
      expect(raw.text).toBe(yamlText);
      expect(raw.headers['content-type']).toContain('application/yaml');

      const deployment = parseYaml(
        readSample('deployment-hardened-securitycontext-kube-prometheus.yaml'),
      );
      deployment.spec.template.spec.containers[0].env = [
        { name: 'DB_PASSWORD', value: 'hunter2-inline-password' },
        {
          name: 'DB_HOST',
          valueFrom: { configMapKeyRef: { name: 'db', key: 'host' } },
        },
      ];
      const masked = await upload(app, JSON.stringify(deployment)).expect(201);
      const stored = await request(app)
        .get(`/api/rco/evidence/${masked.body.items[0].id}/raw`)
        .set('Authorization', ALICE);
      expect(stored.text).not.toContain('hunter2-inline-password');
      expect(stored.text).toContain('DB_PASSWORD');
      expect(stored.text).toContain('configMapKeyRef');
    });

    it('returns the existing record for an identical re-upload', async () => {
      const { app, knex } = await start(databaseId);
      const first = await upload(app, readSample('helm-v3-status.json'));
      const again = await upload(app, readSample('helm-v3-status.json'));
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body.items[0].id).toBe(first.body.items[0].id);
      expect(again.body.items[0].created).toBe(false);
      expect(await countRows(knex, 'rco_evidence')).toBe(1);
    });

    it('splits a Kubernetes List into one record per item', async () => {
      const { app } = await start(databaseId);
      const deployment = parseYaml(
        readSample('deployment-hardened-securitycontext-kube-prometheus.yaml'),
      );
      const policy = parseYaml(
        readSample('networkpolicy-alertmanager-kube-prometheus.yaml'),
      );
      const list = {
        apiVersion: 'v1',
        kind: 'List',
        items: [deployment, policy],
      };
      const res = await upload(app, JSON.stringify(list));
      expect(res.status).toBe(201);
      expect(res.body.items.map((i: any) => i.kind)).toEqual([
        'workload',
        'network-policy',
      ]);
    });

    describe('bad input: a clear error and nothing stored', () => {
      const bomb = [
        'a: &a ["x","x","x","x","x","x","x","x","x"]',
        ...'bcdefghi'
          .split('')
          .map(
            (c, i) =>
              `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`,
          ),
      ].join('\n');
      it.each([
        ['empty body', '', '', 400, /empty/],
        [
          'truncated JSON',
          readSample('trivy-image-alpine310.json').slice(0, 500),
          '',
          400,
          /Invalid JSON.*line \d+, column \d+/,
        ],
        [
          'wrong kind',
          readSample('gitleaks-report-json-simple.json'),
          '?kind=trivy',
          400,
          /not trivy output/,
        ],
        [
          'unknown kind',
          readSample('gitleaks-report-json-simple.json'),
          '?kind=nessus',
          400,
          /Unknown evidence kind "nessus". Accepted kinds/,
        ],
        ['alias bomb', bomb, '', 400, /alias|Rejected YAML/i],
        [
          'deep nesting',
          `${'['.repeat(100000)}${']'.repeat(100000)}`,
          '',
          400,
          /nested deeper than 64/,
        ],
        [
          'NDJSON with one bad line',
          '{"DetectorName":"AWS","Verified":false,"Raw":"AKIA"}\n{"DetectorName": oops}\n',
          '',
          400,
          /NDJSON line 2/,
        ],
        [
          'bad digest',
          readSample('helm-v3-status.json'),
          '?digest=latest',
          400,
          /digest must look like sha256/,
        ],
      ])('%s → %s', async (_name, body, query, status, message) => {
        const { app, knex } = await start(databaseId);
        const res = await upload(app, body as string, query as string);
        expect(res.status).toBe(status);
        expect(res.body.error.message).toMatch(message as RegExp);
        expect(await countRows(knex, 'rco_evidence')).toBe(0);
        expect(await countRows(knex, 'rco_ledger')).toBe(0);
      });

      it('11 MB → 413', async () => {
        const { app, knex } = await start(databaseId);
        const res = await upload(
          app,
          `[${'"x",'.repeat((11 * 1024 * 1024) / 4)}"x"]`,
        );
        expect(res.status).toBe(413);
        expect(await countRows(knex, 'rco_evidence')).toBe(0);
      });
    });

    describe('authorisation: the expected status and nothing stored', () => {
      const digest = `sha256:${'c'.repeat(64)}`;
      it.each([
        [
          'owner uploads',
          () => ({
            auth: ALICE,
            path: `${RCO}/evidence`,
            body: readSample('helm-v3-status.json'),
          }),
          201,
        ],
        [
          'non-owner uploads',
          () => ({
            auth: asUser('user:default/bob'),
            path: `${RCO}/evidence`,
            body: readSample('helm-v3-status.json'),
          }),
          403,
        ],
        [
          'CI token of the service uploads',
          () => ({
            auth: asService('external:ci-rco'),
            path: `${RCO}/evidence`,
            body: readSample('helm-v3-status.json'),
          }),
          201,
        ],
        [
          // The token cannot even see the other service: 404, as for any invisible entity.
          "another service's CI token uploads (404)",
          () => ({
            auth: asService('external:ci-other'),
            path: `${RCO}/evidence`,
            body: readSample('helm-v3-status.json'),
          }),
          404,
        ],
        [
          'a service principal signs off',
          () => ({
            auth: asService('external:ci-rco'),
            path: `${RCO}/signoffs`,
            json: { role: 'dpo', release: { version: '1.4.0', digest } },
          }),
          403,
        ],
        [
          'a non-member signs off as DPO',
          () => ({
            auth: ALICE,
            path: `${RCO}/signoffs`,
            json: { role: 'dpo', release: { version: '1.4.0', digest } },
          }),
          403,
        ],
        [
          'the DPO signs off',
          () => ({
            auth: asUser('user:default/dana'),
            path: `${RCO}/signoffs`,
            json: { role: 'dpo', release: { version: '1.4.0', digest } },
          }),
          201,
        ],
        [
          'a non-member waives a gate',
          () => ({
            auth: ALICE,
            path: `${RCO}/waivers`,
            json: {
              gate: 'image-scanning',
              justification: 'Base image fix lands next week',
              expiresAt: new Date(Date.now() + 86400000).toISOString(),
            },
          }),
          403,
        ],
      ])('%s', async (_name, make, expected) => {
        const { app, knex } = await start(databaseId);
        const { auth, path: url, body, json } = make() as any;
        const req = request(app).post(url).set('Authorization', auth);
        const res = json
          ? await req.send(json)
          : await req
              .set('Content-Type', 'application/octet-stream')
              .send(Buffer.from(body));
        expect(res.status).toBe(expected);
        const writes =
          (await countRows(knex, 'rco_evidence')) +
          (await countRows(knex, 'rco_signoffs')) +
          (await countRows(knex, 'rco_waivers'));
        expect(writes).toBe(expected < 300 ? 1 : 0);
        // The write's own entry; judging the stored verdict after it may store the runbook
        // it read (a runbook-version entry), which is not this write's.
        const entries = await knex('rco_ledger')
          .whereNot({ entry_type: 'runbook-version' })
          .count({ n: '*' });
        expect(Number(entries[0].n)).toBe(expected < 300 ? 1 : 0);
      });

      it('a requester cannot sign off their own release (four eyes)', async () => {
        const { app, knex } = await start(databaseId);
        users['user:default/alice'].push('group:default/dpo');
        try {
          await request(app)
            .post(`${RCO}/releases`)
            .set('Authorization', ALICE)
            .send({ version: '1.4.0', digest })
            .expect(201);
          const res = await request(app)
            .post(`${RCO}/signoffs`)
            .set('Authorization', ALICE)
            .send({ role: 'dpo', release: { version: '1.4.0', digest } });
          expect(res.status).toBe(403);
          expect(res.body.error.message).toContain('four eyes');
          expect(await countRows(knex, 'rco_signoffs')).toBe(0);
        } finally {
          users['user:default/alice'].pop();
        }
      });
    });

    it('tells the page what the caller may do', async () => {
      const { app } = await start(databaseId);
      const alice = await request(app)
        .get(`${RCO}/capabilities`)
        .set('Authorization', ALICE);
      expect(alice.body).toEqual({
        actor: 'user:default/alice',
        uploadEvidence: true,
        requestRelease: true,
        signoff: { po: false, dpo: false, security: false },
        revokeSignoffs: false,
        waive: false,
        // rco.ci.subjects gives ci-rco this entity: its pipeline can upload (issue 11).
        ciUpload: true,
        operations: {
          deploy: true,
          rollback: true,
          control: true,
          breakGlass: false,
          breakGlassMaxDuration: 'PT4H',
          // The signals channel of the entity's operations (issue 10, point 8).
          channel: expect.stringMatching(/^rco:operations:[0-9a-f]{64}$/),
          // This harness configures no rco.environments: deploys are off (issue 11, point 4).
          environmentsConfigured: false,
        },
        // The channel nudged on every change to the release (issue 12, point 2); no demo key
        // outside the local portal (point 3).
        releaseChannel: expect.stringMatching(/^rco:release:[0-9a-f]{64}$/),
      });
      const dana = await request(app)
        .get(`${RCO}/capabilities`)
        .set('Authorization', asUser('user:default/dana'));
      expect(dana.body).toMatchObject({
        uploadEvidence: false,
        signoff: { po: false, dpo: true, security: false },
        waive: false,
        operations: { deploy: false, rollback: false, breakGlass: false },
      });
      const sam = await request(app)
        .get(`${RCO}/capabilities`)
        .set('Authorization', asUser('user:default/sam'));
      expect(sam.body).toMatchObject({
        signoff: { security: true },
        waive: true,
      });
    });

    it('binds the DPO sign-off to the release, and a revocation takes it back', async () => {
      const { app } = await start(databaseId);
      const dana = asUser('user:default/dana');
      const q = `?version=1.4.0&digest=${DIGEST}`;
      expect((await gate(app, 'dpo-signoff', q)).status).toBe('missing');
      // Without a release request nobody can tell whether the signer asked for it.
      const early = await request(app)
        .post(`${RCO}/signoffs`)
        .set('Authorization', dana)
        .send({ role: 'dpo', release: { version: '1.4.0', digest: DIGEST } })
        .expect(201);
      const unknownRequester = await gate(app, 'dpo-signoff', q);
      expect(unknownRequester.status).toBe('missing');
      expect(unknownRequester.reasons[0]).toContain('four-eyes');
      await request(app)
        .post(`/api/rco/signoffs/${early.body.id}/revoke`)
        .set('Authorization', dana)
        .expect(201);
      await request(app)
        .post(`${RCO}/releases`)
        .set('Authorization', ALICE)
        .send({ version: '1.4.0', digest: DIGEST })
        .expect(201);
      const requested = await request(app)
        .get(`${RCO}/status${q}`)
        .set('Authorization', ALICE);
      expect(requested.body.release.requestedBy).toBe('user:default/alice');
      const signed = await request(app)
        .post(`${RCO}/signoffs`)
        .set('Authorization', dana)
        .send({
          role: 'dpo',
          release: { version: '1.4.0', digest: DIGEST },
          comment: 'Caller ids are pseudonymous',
        });
      expect(signed.status).toBe(201);
      expect(signed.body.signer).toBe('user:default/dana');
      const pass = await gate(app, 'dpo-signoff', q);
      expect(pass.status).toBe('pass');
      expect(pass.reasons[0]).toContain('user:default/dana');
      expect(
        (
          await gate(
            app,
            'dpo-signoff',
            `?version=1.4.0&digest=${OTHER_DIGEST}`,
          )
        ).status,
      ).toBe('missing');
      await request(app)
        .post(`/api/rco/signoffs/${signed.body.id}/revoke`)
        .set('Authorization', dana)
        .expect(201);
      expect((await gate(app, 'dpo-signoff', q)).status).toBe('missing');
    });

    it('waives a gate with justification and expiry, within the maximum', async () => {
      const { app } = await start(databaseId);
      const sam = asUser('user:default/sam');
      const tooLong = await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', sam)
        .send({
          gate: 'image-scanning',
          justification: 'Base image fix lands next week',
          expiresAt: new Date(Date.now() + 8 * 86400000).toISOString(),
        });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.message).toContain('at most P7D');
      const noJustification = await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', sam)
        .send({
          gate: 'image-scanning',
          expiresAt: new Date(Date.now() + 86400000).toISOString(),
        });
      expect(noJustification.status).toBe(400);
      const waiver = await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', sam)
        .send({
          gate: 'image-scanning',
          justification: 'Base image fix lands next week',
          expiresAt: new Date(Date.now() + 86400000).toISOString(),
        });
      expect(waiver.status).toBe(201);
      const g = await gate(app, 'image-scanning');
      expect(g.status).toBe('waived');
      expect(g.waiver).toMatchObject({
        grantedBy: 'user:default/sam',
        justification: 'Base image fix lands next week',
      });
      const revoke = () =>
        request(app)
          .post(`/api/rco/waivers/${waiver.body.id}/revoke`)
          .set('Authorization', sam);
      expect((await revoke()).status).toBe(200);
      expect((await gate(app, 'image-scanning')).status).toBe('missing');
      expect((await revoke()).status).toBe(409);
      const stranger = await request(app)
        .post(`/api/rco/waivers/${waiver.body.id}/revoke`)
        .set('Authorization', ALICE);
      expect(stranger.status).toBe(403);
    });

    it('keeps a CI token to the entities configured for it, reads included', async () => {
      const { app } = await start(databaseId);
      const other = await request(app)
        .get('/api/rco/entities/component/default/other/status')
        .set('Authorization', asService('external:ci-rco'));
      expect(other.status).toBe(404);
      const own = await request(app)
        .get(`${RCO}/status`)
        .set('Authorization', asService('external:ci-rco'));
      expect(own.status).toBe(200);
    });

    it('does not let a future-dated dry-run stay fresh', async () => {
      const { app } = await start(databaseId);
      const dryRun = (performedAt: string) =>
        `apiVersion: rco.helix.dev/v1\nkind: RollbackDryRun\nmetadata: { name: dr }\nspec:\n  release: rco\n  fromRevision: 2\n  toRevision: 1\n  succeeded: true\n  performedAt: '${performedAt}'\n  tool: helm\n`;
      await upload(app, dryRun('2099-01-01T00:00:00Z'), '', CI).expect(201);
      const g = await gate(app, 'migration-controls');
      expect(g.status).toBe('pass');
      // Aged from the upload, not from 2099: it expires 30 days after it arrived.
      expect(Date.parse(g.expiresAt) - Date.now()).toBeLessThanOrEqual(
        30 * 86400000,
      );
    });

    it('verifies the ledger, and names the first entry altered in the database', async () => {
      // Verification runs on the scheduler or on demand (POST); GET reads its stored outcome.
      const { app, knex } = await start(databaseId, {
        ledger: { onDemandInterval: 'PT0S', fullVerificationInterval: 'PT0S' },
      });
      await upload(app, readSample('helm-v3-status.json')).expect(201);
      await upload(app, readSample('helm-v3-history.json')).expect(201);
      await upload(app, readSample('velero-backup-completed.yaml')).expect(201);
      // Judging the stored verdict reads (and so stores) the runbook: one more entry.
      await eventually(
        () => countRows(knex, 'rco_runbook_versions'),
        n => expect(n).toBe(1),
      );
      const ok = await request(app)
        .post('/api/rco/ledger/verify')
        .set('Authorization', ALICE);
      expect(ok.body).toMatchObject({ ok: true, entries: 4, problems: [] });
      const [second] = await knex('rco_ledger')
        .orderBy('seq', 'asc')
        .offset(1)
        .limit(1);
      await knex('rco_ledger')
        .where({ seq: second.seq })
        .update({ actor: 'user:default/mallory' });
      // Every run here re-hashes from the start (fullVerificationInterval PT0S).
      await request(app)
        .post('/api/rco/ledger/verify')
        .set('Authorization', ALICE);
      const broken = await request(app)
        .get('/api/rco/ledger/verify')
        .set('Authorization', ALICE);
      expect(broken.body.ok).toBe(false);
      expect(broken.body.firstBroken).toEqual({
        seq: Number(second.seq),
        reason: 'content does not match its hash',
      });
    });

    it('seeds the demo evidence: six gates pass, scanning and policy fail, the 31-day-old dry-run is stale', async () => {
      const { app } = await start(databaseId, {
        demoEvidence: true,
        demoEvidenceDir: path.join(examplesDir, 'rco/evidence'),
        // The demo's own story (the generated history is demoHistory.test.ts's).
        demoHistory: false,
      });
      const manifest = parseYaml(
        readExample('rco/evidence/demo-evidence.yaml'),
      );
      const { version, digest } = manifest.release;
      const res = await request(app)
        .get(
          `${RCO}/status?version=${version}&digest=${digest}&environment=production`,
        )
        .set('Authorization', ALICE);
      const byId = Object.fromEntries(
        res.body.gates.map((g: any) => [g.id, g.status]),
      );
      expect(byId).toEqual({
        'acronym-clarity': 'pass',
        'secret-hygiene': 'pass',
        'migration-controls': 'stale',
        'image-scanning': 'fail',
        'progressive-delivery': 'pass',
        'policy-enforcement': 'fail',
        'monitoring-alerting': 'pass',
        'documentation-completeness': 'pass',
        'rto-rpo-verification': 'pass',
        'dpo-signoff': 'missing',
      });
      expect(res.body.summary.text).toBe(
        '6 of 10 gates pass; blocked by migration-controls, image-scanning, policy-enforcement, dpo-signoff',
      );
      const dryRun = res.body.gates.find(
        (g: any) => g.id === 'migration-controls',
      );
      expect(dryRun.reasons[0]).toBe(
        'Evidence is stale: rollback dry-run is 31 days old (max P30D)',
      );
      const releases = await request(app)
        .get(`${RCO}/releases`)
        .set('Authorization', ALICE);
      expect(releases.body.items).toContainEqual(
        expect.objectContaining({ version, digest }),
      );
      expect(releases.body.environments).toEqual(['production']);
      // Without a release named, the status is of the newest release with evidence.
      const latest = await request(app)
        .get(`${RCO}/status`)
        .set('Authorization', ALICE);
      expect(latest.body.release).toMatchObject({ version, digest });
    });

    it('lists governed entities in the portfolio with their readiness', async () => {
      const { app } = await start(databaseId);
      await upload(
        app,
        grypeOf(DIGEST),
        `?digest=${DIGEST}&version=1.4.0`,
        CI,
      ).expect(201);
      // Stored verdicts (issue 14): read once both services are judged.
      const all = await eventually(
        () =>
          request(app).get('/api/rco/portfolio').set('Authorization', ALICE),
        res => {
          expect(res.status).toBe(200);
          expect(res.body.totalItems).toBe(2);
          expect(
            res.body.items.find(
              (i: any) => i.entityRef === 'component:default/rco',
            )?.release.digest,
          ).toBe(DIGEST);
        },
      );
      const rco = all.body.items.find(
        (i: any) => i.entityRef === 'component:default/rco',
      );
      expect(rco.release).toMatchObject({ version: '1.4.0', digest: DIGEST });
      expect(rco.gates.find((g: any) => g.id === 'image-scanning').status).toBe(
        'fail',
      );
      const failingScans = await request(app)
        .get('/api/rco/portfolio?gate=image-scanning&status=fail')
        .set('Authorization', ALICE);
      expect(failingScans.body.items.map((i: any) => i.entityRef)).toEqual([
        'component:default/rco',
      ]);
      const byOwner = await request(app)
        .get('/api/rco/portfolio?owner=payments')
        .set('Authorization', ALICE);
      expect(byOwner.body.items.map((i: any) => i.entityRef)).toEqual([
        'component:default/other',
      ]);
    });
  },
);

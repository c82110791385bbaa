import {
  createMockDirectory,
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import path from 'node:path';
import request from 'supertest';
import { GATE_IDS } from '@helix-portal/plugin-rco-common';
import { rcoPlugin } from '../plugin';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  examplesDir,
  governedEntity,
  readExample,
} from '../__testUtils__/fixtures';

const v13 = readExample('rco/runbook/rco-runbook.yaml');
const v12 = readExample('rco/runbook/rco-runbook-v1.2.yaml');

const databases = createTestDatabases();

// Only the SCM host is faked; requests to the test backend itself pass through.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe.each(databases.eachSupportedId())(
  'rco runbook API on %s',
  databaseId => {
    const mockDir = createMockDirectory();

    const auditEvents: Array<{
      eventId: string;
      meta?: unknown;
      outcome?: string;
    }> = [];
    const auditor = mockServices.auditor.mock({
      createEvent: async options => {
        const record: (typeof auditEvents)[number] = {
          eventId: options.eventId,
          meta: options.meta,
        };
        auditEvents.push(record);
        return {
          success: async () => {
            record.outcome = 'success';
          },
          fail: async () => {
            record.outcome = 'fail';
          },
        };
      },
    });

    async function startBackend(id: TestDatabaseId) {
      const knex = await databases.init(id);
      auditEvents.length = 0;
      const entities = [
        governedEntity(
          'rco',
          `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
          {
            'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
            'rco.helix.dev/runbook-history': './runbook/rco-runbook-v1.2.yaml',
          },
        ),
        governedEntity(
          'editable',
          `file:${mockDir.resolve('catalog-info.yaml')}`,
          {
            'rco.helix.dev/runbook': './runbook.yaml',
          },
        ),
        governedEntity(
          'escaper',
          `file:${mockDir.resolve('catalog-info.yaml')}`,
          {
            'rco.helix.dev/runbook': '../../etc/passwd',
          },
        ),
        governedEntity(
          'remote',
          'url:https://git.helix.example/helix-core/remote/raw/main/catalog-info.yaml',
          { 'rco.helix.dev/runbook': './docs/runbook.yaml' },
        ),
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'ungoverned', namespace: 'default' },
          spec: {
            type: 'service',
            lifecycle: 'production',
            owner: 'group:default/other',
          },
        },
      ];
      const { server: httpServer } = await startTestBackend({
        features: [
          rcoPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              backend: {
                baseUrl: 'http://localhost:7007',
                reading: { allow: [{ host: 'git.helix.example' }] },
              },
            },
          }),
          catalogServiceMock.factory({ entities }),
          auditor.factory,
        ],
      });
      return { app: httpServer, knex };
    }

    it('serves the current runbook v1.3 with its 16 sections and ten checklist items', async () => {
      const { app } = await startBackend(databaseId);
      const res = await request(app).get(
        '/api/rco/entities/component/default/rco/runbook',
      );
      expect(res.status).toBe(200);
      expect(res.body.version).toBe('1.3.0');
      expect(res.body.current).toBe(true);
      expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.runbook.sections).toHaveLength(16);
      expect(res.body.runbook.sections[14].title).toBe(
        'Final Review Gate Checklist',
      );
      expect(res.body.runbook.gateChecklist.map((g: any) => g.gate)).toEqual([
        ...GATE_IDS,
      ]);
      expect(res.body.runbook.targets).toEqual({
        rto: 'PT15M',
        rpo: 'PT5M',
        rollbackDryRunMaxAge: 'P30D',
      });
      expect(res.body.lastError).toBeUndefined();
    });

    it('lists both versions, reads an earlier one and diffs them', async () => {
      const { app } = await startBackend(databaseId);
      const list = await request(app).get(
        '/api/rco/entities/component/default/rco/runbook/versions',
      );
      expect(list.status).toBe(200);
      expect(
        list.body.items.map((v: any) => [v.version, v.current, v.status]),
      ).toEqual([
        ['1.3.0', true, 'approved'],
        ['1.2.0', false, 'superseded'],
      ]);

      const old = await request(app).get(
        '/api/rco/entities/component/default/rco/runbook/versions/1.2',
      );
      expect(old.status).toBe(200);
      expect(old.body.version).toBe('1.2.0');
      expect(old.body.current).toBe(false);
      expect(old.body.runbook.gateChecklist).toHaveLength(6);

      const diff = await request(app).get(
        '/api/rco/entities/component/default/rco/runbook/diff?from=1.2.0&to=1.3.0',
      );
      expect(diff.status).toBe(200);
      expect(diff.body.added).toEqual([]);
      expect(diff.body.removed).toEqual([]);
      const changedIds = diff.body.changed.map((c: any) => c.id);
      expect(changedIds).toContain('final-review-gate-checklist');
      expect(changedIds).toContain('glossary');
      expect(changedIds).not.toContain('architecture-overview');
      expect(diff.body.unchanged).toBe(16 - changedIds.length);
      const checklist = diff.body.changed.find(
        (c: any) => c.id === 'final-review-gate-checklist',
      );
      expect(
        checklist.lines.some(
          (l: any) => l.type === 'added' && l.text.includes('DPO Sign-off'),
        ),
      ).toBe(true);
      expect(diff.body.fields).toContainEqual({
        field: 'targets.rto',
        from: 'PT30M',
        to: 'PT15M',
      });
    });

    it('rejects bad requests and unknown things with clear errors', async () => {
      const { app } = await startBackend(databaseId);
      const missingTo = await request(app).get(
        '/api/rco/entities/component/default/rco/runbook/diff?from=1.2.0',
      );
      expect(missingTo.status).toBe(400);
      expect(missingTo.body.error.message).toMatch(/to/);

      const unknownVersion = await request(app).get(
        '/api/rco/entities/component/default/rco/runbook/versions/9.9.9',
      );
      expect(unknownVersion.status).toBe(404);
      expect(unknownVersion.body.error.message).toContain('9.9.9');

      const unknownEntity = await request(app).get(
        '/api/rco/entities/component/default/nope/runbook',
      );
      expect(unknownEntity.status).toBe(404);

      const ungoverned = await request(app).get(
        '/api/rco/entities/component/default/ungoverned/runbook',
      );
      expect(ungoverned.status).toBe(404);
      expect(ungoverned.body.error.message).toContain('rco.helix.dev/runbook');
    });

    it('keeps serving the last good version when the runbook breaks, and names the field', async () => {
      mockDir.setContent({ 'runbook.yaml': v13, 'catalog-info.yaml': '' });
      const { app } = await startBackend(databaseId);
      const first = await request(app).get(
        '/api/rco/entities/component/default/editable/runbook',
      );
      expect(first.status).toBe(200);

      mockDir.addContent({
        'runbook.yaml': v13.replace(
          '  - id: prerequisites\n    number: 2\n',
          '  - id: prerequisites\n    number: two\n',
        ),
      });
      const refresh = await request(app).post(
        '/api/rco/entities/component/default/editable/runbook/refresh',
      );
      expect(refresh.status).toBe(200);
      expect(refresh.body.status).toBe('invalid');
      expect(refresh.body.current).toBe('1.3.0');
      expect(refresh.body.lastError.problems).toContainEqual({
        path: 'sections[1].number',
        message: 'Expected number, received string',
      });
      expect(auditEvents).toContainEqual({
        eventId: 'runbook-refresh',
        meta: { entityRef: 'component:default/editable' },
        outcome: 'success',
      });

      const current = await request(app).get(
        '/api/rco/entities/component/default/editable/runbook',
      );
      expect(current.status).toBe(200);
      expect(current.body.version).toBe('1.3.0');
      expect(current.body.runbook.sections[1].number).toBe(2);
      expect(current.body.lastError.problems[0].path).toBe(
        'sections[1].number',
      );

      // Fixing the document clears the error; identical content adds no version.
      mockDir.addContent({ 'runbook.yaml': v13 });
      const fixed = await request(app).post(
        '/api/rco/entities/component/default/editable/runbook/refresh',
      );
      expect(fixed.body).toMatchObject({ status: 'ok', versions: 1 });
      const again = await request(app).get(
        '/api/rco/entities/component/default/editable/runbook',
      );
      expect(again.body.lastError).toBeUndefined();
    });

    it('stores a new version when the document changes and makes it current', async () => {
      mockDir.setContent({ 'runbook.yaml': v12, 'catalog-info.yaml': '' });
      const { app } = await startBackend(databaseId);
      await request(app)
        .post('/api/rco/entities/component/default/editable/runbook/refresh')
        .expect(200);
      mockDir.addContent({ 'runbook.yaml': v13 });
      const refresh = await request(app)
        .post('/api/rco/entities/component/default/editable/runbook/refresh')
        .expect(200);
      expect(refresh.body).toMatchObject({
        status: 'ok',
        versions: 2,
        current: '1.3.0',
      });
    });

    it('reports a runbook that was never valid instead of serving nothing silently', async () => {
      mockDir.setContent({
        'runbook.yaml': 'apiVersion: rco.helix.dev/v1\nkind: Runbook\n',
        'catalog-info.yaml': '',
      });
      const { app } = await startBackend(databaseId);
      const res = await request(app).get(
        '/api/rco/entities/component/default/editable/runbook',
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('no valid version');
      expect(res.body.error.message).toContain('metadata');
    });

    it('refuses a runbook path that leaves the catalog file folder', async () => {
      mockDir.setContent({ 'catalog-info.yaml': '' });
      const { app } = await startBackend(databaseId);
      const refresh = await request(app).post(
        '/api/rco/entities/component/default/escaper/runbook/refresh',
      );
      expect(refresh.status).toBe(200);
      expect(refresh.body.status).toBe('invalid');
      expect(refresh.body.lastError.problems[0].message).toMatch(
        /leaves the folder/,
      );
      const res = await request(app).get(
        '/api/rco/entities/component/default/escaper/runbook',
      );
      expect(res.status).toBe(400);
    });

    it('reads runbooks of entities registered from a URL through the UrlReader', async () => {
      let requested = '';
      server.use(
        http.get('https://git.helix.example/*', ({ request: req }) => {
          requested = req.url;
          return HttpResponse.text(v13);
        }),
      );
      const { app } = await startBackend(databaseId);
      const res = await request(app).get(
        '/api/rco/entities/component/default/remote/runbook',
      );
      expect(res.status).toBe(200);
      expect(requested).toBe(
        'https://git.helix.example/helix-core/remote/raw/main/docs/runbook.yaml',
      );
      expect(res.body.source).toBe(requested);
      expect(res.body.version).toBe('1.3.0');
    });
  },
);

import { mockCredentials } from '@backstage/backend-test-utils';
import { Duration } from 'luxon';
import { ALLOWED_ROUTES } from './RcoApiClient';
import { registerRcoActions } from './registerActions';

/**
 * Every registered action, invoked with hostile inputs (past their schemas, as if validation
 * failed open): the only requests that ever leave are the allow-list's routes, with one path
 * segment per parameter, and the only operation is a rollback dry-run.
 */

const BASE = 'http://localhost:7007/api/rco';
const TOKEN = 'obo-token-never-shown';
const DIGEST = `sha256:${'c'.repeat(64)}`;

const HOSTILE = [
  '../operations/x/confirm',
  'rco/../../operations/00000000-0000-0000-0000-000000000000/confirm',
  '..',
  '%2e%2e',
  '%2E%2E%2Foperations%2Fx%2Fabort',
  'rco?type=deploy#',
  'rco/waivers',
  'rco\n/abort',
  'rco%00',
];
const REFS = [
  ...HOSTILE.map(h => `component:default/${h}`),
  ...HOSTILE.map(h => `component:${h}/rco`),
  ...HOSTILE.map(h => `${h}:default/rco`),
  'component:default/rco',
];

const status = {
  entityRef: 'component:default/rco',
  release: { version: '1.5.0', digest: DIGEST },
  gates: [
    {
      id: 'image-scanning',
      title: 'Image scanning',
      status: 'fail',
      reasons: ['x'],
      next: [{ action: 'waive', text: 'waive', people: [], group: 'g' }],
    },
  ],
  summary: { ready: false, text: '', blockedBy: [] },
};

function setUp() {
  const actions = new Map<string, any>();
  const requests: Array<{ method: string; url: URL; body: any }> = [];
  registerRcoActions({
    actionsRegistry: { register: (a: any) => actions.set(a.name, a) },
    auth: { getPluginRequestToken: async () => ({ token: TOKEN }) } as any,
    discovery: { getBaseUrl: async () => BASE } as any,
    waiverMaxDuration: Duration.fromISO('P7D'),
    fetch: (async (url: string, init: any) => {
      const parsed = new URL(url);
      requests.push({
        method: init.method,
        url: parsed,
        body: init.body ? JSON.parse(init.body) : undefined,
      });
      const answers: Record<string, unknown> = {
        status,
        runbook: { runbook: { metadata: {}, sections: [], glossary: [] } },
      };
      const last = parsed.pathname.split('/').pop()!;
      const body = answers[last] ?? {
        items: [],
        events: [],
        id: 'op',
        type: 'rollback-dry-run',
      };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as any,
  });
  return { actions, requests };
}

/** The route a request matches: its method and one non-empty segment per parameter. */
const routeOf = (method: string, url: URL) =>
  ALLOWED_ROUTES.find(
    r =>
      r.method === method &&
      new RegExp(`^/api/rco${r.template.replace(/:[a-z]+/g, '[^/]+')}$`).test(
        url.pathname,
      ),
  );

describe('the actions reach only the allow-list', () => {
  it('registers the eight actions of the contract, and nothing human-only', () => {
    const { actions } = setUp();
    expect([...actions.keys()].sort()).toEqual([
      'explain-blockers',
      'get-release-ledger',
      'get-release-status',
      'list-portfolio',
      'propose-waiver',
      'request-release',
      'search-runbook',
      'start-rollback-dry-run',
    ]);
    const names = [...actions.keys()].join(' ');
    for (const word of [
      'deploy',
      'confirm',
      'promote',
      'abort',
      'sign',
      'grant',
      'break-glass',
      'override',
      'window',
      'review',
    ])
      expect(names).not.toContain(word);
  });

  it('makes only allowed requests whatever the input says, and never echoes the token', async () => {
    const { actions, requests } = setUp();
    const credentials = mockCredentials.user('user:default/alice');
    const answers: string[] = [];
    for (const [name, action] of actions) {
      for (const entityRef of REFS) {
        for (const hostile of HOSTILE) {
          const input = {
            entityRef,
            version: hostile,
            digest: hostile,
            environment: hostile,
            query: hostile,
            q: hostile,
            owner: hostile,
            gate: hostile,
            status: hostile,
            sort: hostile,
            justification: 'long enough justification',
            targetRevision: hostile,
            type: 'deploy',
          };
          const result = await action
            .action({ input, credentials, logger: undefined })
            .catch((e: Error) => ({ error: `${e.name}: ${e.message}` }));
          answers.push(`${name} ${JSON.stringify(result)}`);
        }
      }
    }
    expect(requests.length).toBeGreaterThan(100);
    const outside = requests.filter(r => {
      const route = routeOf(r.method, r.url);
      return (
        !route ||
        [...r.url.searchParams.keys()].some(k => !route.query?.includes(k))
      );
    });
    expect(outside).toEqual([]);
    const operations = requests.filter(
      r => r.method === 'POST' && r.url.pathname.endsWith('/operations'),
    );
    expect(operations.length).toBeGreaterThan(0);
    expect(new Set(operations.map(r => r.body.type))).toEqual(
      new Set(['rollback-dry-run']),
    );
    // Waivers are only ever proposed: no request reaches the grant route (POST …/waivers).
    const waiverPosts = requests.filter(
      r => r.method === 'POST' && /\/waivers(\/|$)/.test(r.url.pathname),
    );
    expect(waiverPosts.length).toBeGreaterThan(0);
    expect(
      waiverPosts.filter(
        r =>
          !/^\/api\/rco\/entities\/[^/]+\/[^/]+\/[^/]+\/waivers\/proposals$/.test(
            r.url.pathname,
          ),
      ),
    ).toEqual([]);
    expect(answers.join('\n')).not.toContain(TOKEN);
  });

  it('parses inputs with the registry schemas: hostile digests and environments are refused', () => {
    const { actions } = setUp();
    // The registry hands the callbacks zod/v3; the same module is enough here.
    const { z } = require('zod/v3');
    const input = actions.get('get-release-status').schema.input(z);
    expect(input.safeParse({ entityRef: 'rco' }).success).toBe(true);
    for (const bad of [
      { entityRef: 'rco', digest: '../x' },
      { entityRef: 'rco', environment: 'staging/../x' },
      { entityRef: '' },
    ])
      expect(input.safeParse(bad).success).toBe(false);
    const dryRun = actions.get('start-rollback-dry-run').schema.input(z);
    expect(
      dryRun.safeParse({
        entityRef: 'rco',
        environment: 'staging',
        type: 'deploy',
      }).data,
    ).toEqual({ entityRef: 'rco', environment: 'staging' });
  });
});

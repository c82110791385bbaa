import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { eventually } from '../__testUtils__/eventually';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
} from '../__testUtils__/operationsBackend';
import { call, startMcpBackend } from './__testUtils__/mcpHarness';

/**
 * The MCP actions through a real MCP client (Streamable HTTP) against the MCP actions backend
 * and the rco plugin: what each person may do through an agent is what they may do on the page.
 * Alice owns rco; Paula (a product owner) sees it but does not own it; Bob cannot see it.
 */

const databases = createTestDatabases();
jest.setTimeout(120_000);

const REF = 'component:default/rco';
const RELEASE = { entityRef: REF, version: '1.5.0', digest: DIGEST };
const READS: Array<[string, Record<string, unknown>]> = [
  ['get-release-status', RELEASE],
  ['explain-blockers', RELEASE],
  ['search-runbook', { entityRef: REF, query: 'rollback' }],
  ['get-release-ledger', RELEASE],
];
const HUMAN_ONLY =
  /deploy|confirm|promote|abort|sign|grant|break|override|window|review/;

const startBackend = async (databaseId: any) =>
  startMcpBackend(await databases.init(databaseId), {
    visible: (_entity, credentials) =>
      credentials?.principal?.userEntityRef !== 'user:default/bob',
  });

describe.each(databases.eachSupportedId())('MCP actions on %s', databaseId => {
  it('lists the eight tools with their schemas and attributes, and no human-only one', async () => {
    const portal = await startBackend(databaseId);
    const alice = await portal.mcp(asUser('alice'));
    const { tools } = await alice.listTools();
    // Tools are named <plugin>.<action> (mcpActions.namespacedToolNames, on by default).
    const byName = Object.fromEntries(
      tools.map(t => [t.name.replace(/^rco\./, ''), t]),
    );
    expect(tools.every(t => t.name.startsWith('rco.'))).toBe(true);
    expect(Object.keys(byName).sort()).toEqual([
      'explain-blockers',
      'get-release-ledger',
      'get-release-status',
      'list-portfolio',
      'propose-waiver',
      'request-release',
      'search-runbook',
      'start-rollback-dry-run',
    ]);
    for (const name of READS.map(([n]) => n).concat('list-portfolio'))
      expect(byName[name].annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
      });
    for (const name of [
      'request-release',
      'propose-waiver',
      'start-rollback-dry-run',
    ])
      expect(byName[name].annotations).toMatchObject({
        readOnlyHint: false,
        destructiveHint: false,
      });
    const status = byName['get-release-status'].inputSchema as any;
    expect(status.required).toEqual(['entityRef']);
    expect(status.properties.digest.pattern).toBe('^sha256:[0-9a-f]{64}$');
    const dryRun = byName['start-rollback-dry-run'].inputSchema as any;
    expect(Object.keys(dryRun.properties).sort()).toEqual([
      'entityRef',
      'environment',
      'targetRevision',
    ]);
    expect(byName['propose-waiver'].description).toMatch(
      /It grants nothing: .* until a person of the waiver group grants the waiver/,
    );
    expect(
      Object.keys((byName['propose-waiver'].inputSchema as any).properties),
    ).not.toContain('grantedBy');
    for (const tool of tools) {
      expect(tool.name).not.toMatch(HUMAN_ONLY);
      expect(tool.description!.length).toBeGreaterThan(80);
    }
    // Nor can a caller reach one by name, through MCP or the registry's own route.
    expect(await call(alice, 'confirm-operation', { id: 'x' })).toEqual({
      error: 'NotFoundError: Action "rco.confirm-operation" not found',
    });
    for (const id of ['rco:deploy', 'rco:confirm', 'rco:grant-waiver'])
      await request(portal.app)
        .post(`/api/rco/.backstage/actions/v1/actions/${id}/invoke`)
        .set('Authorization', asUser('alice'))
        .send({})
        .expect(404);
    await portal.stop();
  });

  it('reads as the caller: the owner sees the release, a person who cannot see it learns nothing', async () => {
    const portal = await startBackend(databaseId);
    const [alice, bob] = [
      await portal.mcp(asUser('alice')),
      await portal.mcp(asUser('bob')),
    ];
    const status = await call(alice, 'get-release-status', RELEASE);
    expect(status.entityRef).toBe(REF);
    expect(status.gates).toHaveLength(10);
    expect(status.page).toBe('/catalog/default/component/rco/release');
    const explained = await call(alice, 'explain-blockers', RELEASE);
    expect(explained.ready).toBe(false);
    const scan = explained.blockers.find(
      (b: any) => b.gate === 'image-scanning',
    );
    expect(scan.status).toBe('missing');
    expect(scan.runbookSection.url).toMatch(
      /^\/catalog\/default\/component\/rco\/runbook#section-/,
    );
    expect(scan.fix.map((s: any) => s.command)).toContain(
      `rco evidence push trivy.json --entity='component:default/rco' --digest='${DIGEST}' --version='1.5.0'`,
    );
    const found = await call(alice, 'search-runbook', {
      entityRef: REF,
      query: 'rollback',
    });
    expect(found.sections.length).toBeGreaterThan(0);
    expect(found.sections[0].url).toMatch(/runbook#section-/);
    const ledger = await call(alice, 'get-release-ledger', RELEASE);
    expect(ledger).toMatchObject({ entityRef: REF, events: [] });
    // Without a release named, the newest one's.
    expect(await call(alice, 'get-release-ledger', { entityRef: REF })).toEqual(
      {
        error:
          'NotFoundError: component:default/rco has no release yet (no evidence names one)',
      },
    );
    // The portfolio serves stored verdicts, judged just after start.
    const portfolio = await eventually(
      () => call(alice, 'list-portfolio', { q: 'rco' }),
      p => expect(p.items.map((i: any) => i.entityRef)).toEqual([REF]),
    );
    expect(portfolio.items[0]).toMatchObject({
      ready: false,
      page: '/catalog/default/component/rco/release',
    });

    // No answer carries a token (the on-behalf-of token stays in the client).
    expect(
      JSON.stringify([status, explained, found, ledger, portfolio]),
    ).not.toMatch(/mock-(service|user)-token|Bearer/);
    // The MCP backend audits the tool call as Alice too.
    expect(
      portal.audit.find(
        e => e.plugin === 'mcp-actions' && e.eventId === 'tool-execution',
      )?.actor,
    ).toBe('user:default/alice');

    for (const [name, args] of READS)
      expect(await call(bob, name, args)).toEqual({
        error: 'NotFoundError: No entity component:default/rco',
      });
    expect(await call(bob, 'list-portfolio', {})).toMatchObject({
      totalItems: 0,
      pending: 0,
      items: [],
    });
    await portal.stop();
  });

  it('writes as the caller: owners request releases and dry-runs, recorded and audited as them', async () => {
    const portal = await startBackend(databaseId);
    const [alice, paula, bob] = [
      await portal.mcp(asUser('alice')),
      await portal.mcp(asUser('paula')),
      await portal.mcp(asUser('bob')),
    ];
    const args = { entityRef: REF, version: '1.5.0', digest: DIGEST };
    expect(await call(bob, 'request-release', args)).toEqual({
      error: 'NotFoundError: No entity component:default/rco',
    });
    expect(await call(paula, 'request-release', args)).toEqual({
      error:
        'NotAllowedError: Only owners of component:default/rco may request a release',
    });
    expect(await call(alice, 'request-release', args)).toMatchObject({
      requester: 'user:default/alice',
      created: true,
    });
    // The ledger and the audit name Alice, as if she had pressed the button.
    const ledger = await call(alice, 'get-release-ledger', RELEASE);
    expect(JSON.stringify(ledger.events)).toContain('user:default/alice');
    const requests = portal.audit.filter(
      e => e.plugin === 'rco' && e.eventId === 'release-request',
    );
    expect(requests.map(e => [e.actor, e.outcome])).toEqual([
      ['user:default/paula', 'fail'],
      ['user:default/alice', 'success'],
    ]);

    const dryRun = { entityRef: REF, environment: 'staging' };
    expect(await call(bob, 'start-rollback-dry-run', dryRun)).toEqual({
      error: 'NotFoundError: No entity component:default/rco',
    });
    expect((await call(paula, 'start-rollback-dry-run', dryRun)).error).toMatch(
      /^NotAllowedError: Only owners of component:default\/rco may rollback it/,
    );
    const op = await call(alice, 'start-rollback-dry-run', dryRun);
    expect(op).toMatchObject({
      type: 'rollback-dry-run',
      environment: 'staging',
      requestedBy: 'user:default/alice',
    });
    const ops = await request(portal.app)
      .get(`${RCO}/operations`)
      .set('Authorization', asUser('alice'))
      .expect(200);
    expect(ops.body.items.map((o: any) => o.type)).toEqual([
      'rollback-dry-run',
    ]);
    // The route checks who may operate before it audits (as for the page): Alice's only.
    expect(
      portal.audit
        .filter(e => e.plugin === 'rco' && e.eventId === 'operation-create')
        .map(e => [e.actor, e.meta.type, e.outcome]),
    ).toEqual([['user:default/alice', 'rollback-dry-run', 'success']]);
    await portal.stop();
  });

  it('proposes waivers as the caller: recorded naming them, sent to the waiver group, nothing granted', async () => {
    const portal = await startBackend(databaseId);
    // Release 1.5.0 exists (a proposal may name only a release the entity has): CI scanned it.
    const image = `registry.example/rco@${DIGEST}`;
    await request(portal.app)
      .post(`${RCO}/evidence?digest=${DIGEST}&version=1.5.0`)
      .set('Authorization', asService('external:ci-rco'))
      .set('Content-Type', 'application/json')
      .send(
        JSON.stringify({
          SchemaVersion: 2,
          ArtifactName: image,
          ArtifactType: 'container_image',
          Metadata: { RepoDigests: [image] },
          Results: [],
        }),
      )
      .expect(201);
    const [alice, paula, sam, bob] = [
      await portal.mcp(asUser('alice')),
      await portal.mcp(asUser('paula')),
      await portal.mcp(asUser('sam')),
      await portal.mcp(asUser('bob')),
    ];
    const proposal = {
      entityRef: REF,
      gate: 'image-scanning',
      justification:
        'The scanner is down; the change only touches documentation',
      version: '1.5.0',
    };
    const scanning = async () =>
      (await call(alice, 'get-release-status', RELEASE)).gates.find(
        (g: any) => g.id === 'image-scanning',
      ).status;
    expect(await scanning()).toBe('missing');

    // Bob cannot see rco; Paula sees it but may not request its release; Sam grants waivers
    // on the page but owns nothing here, so he proposes nothing either.
    expect(await call(bob, 'propose-waiver', proposal)).toEqual({
      error: 'NotFoundError: No entity component:default/rco',
    });
    for (const client of [paula, sam])
      expect(await call(client, 'propose-waiver', proposal)).toEqual({
        error:
          'NotAllowedError: Only those who may request a release of component:default/rco may propose a waiver of its gates',
      });
    expect(
      (
        await call(alice, 'propose-waiver', {
          ...proposal,
          gate: 'dpo-signoff',
        })
      ).error,
    ).toMatch(/^InputError: dpo-signoff cannot be waived/);
    expect(portal.sent.notifications).toEqual([]);

    const answer = await call(alice, 'propose-waiver', proposal);
    expect(answer).toMatchObject({
      recorded: true,
      granted: false,
      proposal: {
        entityRef: REF,
        gate: 'image-scanning',
        releaseVersion: '1.5.0',
        proposedBy: 'user:default/alice',
        ledgerSeq: expect.any(Number),
      },
      grantableBy: 'group:default/security',
      nextStep: expect.stringContaining('group:default/security must grant it'),
      page: '/catalog/default/component/rco/release',
    });
    // Without an expiry, the longest a grant allows (rco.waivers.maxDuration, P7D).
    const days =
      (Date.parse(answer.proposal.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    // In the release's ledger, as Alice's; audited as hers. Bob's call ended at the entity he
    // cannot see, before any audit (as for every entity route).
    const ledger = await call(alice, 'get-release-ledger', RELEASE);
    expect(
      ledger.events.map((e: any) => [e.title, e.actor, e.ledgerSeq]),
    ).toContainEqual([
      'Waiver proposed',
      'user:default/alice',
      answer.proposal.ledgerSeq,
    ]);
    expect(
      portal.audit
        .filter(e => e.plugin === 'rco' && e.eventId === 'waiver-proposal')
        .map(e => [e.actor, e.outcome]),
    ).toEqual([
      ['user:default/paula', 'fail'],
      ['user:default/sam', 'fail'],
      ['user:default/alice', 'fail'],
      ['user:default/alice', 'success'],
    ]);
    // The waiver group hears of it, with the release page to grant it on.
    expect(portal.sent.notifications).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: 'group:default/security',
          excludeEntityRef: 'user:default/alice',
        },
        payload: expect.objectContaining({
          title: expect.stringMatching(/^Waiver proposed: image-scanning/),
          link: '/catalog/default/component/rco/release',
        }),
      },
    ]);
    // Nothing was granted: no waiver, no grant audited, the gate still not passing.
    const waivers = await request(portal.app)
      .get(`${RCO}/waivers`)
      .set('Authorization', asUser('sam'))
      .expect(200);
    expect(waivers.body.items).toEqual([]);
    expect(portal.audit.filter(e => e.eventId === 'waiver')).toEqual([]);
    expect(await scanning()).toBe('missing');
    await portal.stop();
  });

  it("refuses service tokens: the MCP backend's own identity is no pipeline's", async () => {
    const portal = await startBackend(databaseId);
    // The pipeline's token reads its entity over HTTP...
    await request(portal.app)
      .get(`${RCO}/status`)
      .set('Authorization', asService('external:ci-rco'))
      .expect(200);
    // ...but through MCP it is not a person: every action refuses it, and nothing is written.
    const ci = await portal.mcp(asService('external:ci-rco'));
    for (const [name, args] of [
      ...READS,
      ['list-portfolio', {}],
      ['request-release', RELEASE],
      [
        'propose-waiver',
        {
          entityRef: REF,
          gate: 'image-scanning',
          justification: 'The scanner is down; judged by hand',
        },
      ],
      ['start-rollback-dry-run', { entityRef: REF, environment: 'staging' }],
    ] as Array<[string, Record<string, unknown>]>)
      expect(await call(ci, name, args)).toEqual({
        error:
          'NotAllowedError: RCO actions act for a signed-in person; pipelines use the HTTP API or the rco CLI with their own token',
      });
    expect(
      portal.audit.filter(
        e =>
          e.plugin === 'rco' &&
          ['release-request', 'waiver-proposal'].includes(e.eventId),
      ),
    ).toEqual([]);
    expect(portal.sent.notifications).toEqual([]);
    await portal.stop();
  });
});

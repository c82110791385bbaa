import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { DeployDriver } from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { Ledger } from '../database/Ledger';
import { DatabaseTargetClaimStore } from '../database/TargetClaimStore';
import { backfillClaims, runClaimBackfill } from './claimBackfill';
import { Environments } from './environments';
import { TargetBindings } from './targetBinding';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const directory = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);

const component = (
  name: string,
  namespace = 'default',
  kind = 'Component',
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace, annotations },
  spec: {},
});

const CATALOG = new Map<string, Entity>(
  [
    component('payments'),
    component('payments', 'sandbox'),
    component('lookalike', 'default', 'Component', {
      'rco.helix.dev/helm-release': 'payments',
    }),
    component('payments-api', 'default', 'API'),
  ].map(e => [
    `${e.kind}:${e.metadata.namespace}/${e.metadata.name}`.toLowerCase(),
    e,
  ]),
);

/** The database as it was before claims, with past operations, then migrated to now. */
async function upgradedWith(
  knex: Knex,
  ops: Array<[string, string, string, string?]>,
) {
  for (;;) {
    await knex.migrate.up({ directory });
    const [, pending] = await knex.migrate.list({ directory });
    if (!pending.some((m: any) => /operations/.test(m.file ?? m.name))) break;
  }
  await knex('rco_operations').insert(
    ops.map(([id, entityRef, at, environment = 'production']) => ({
      id,
      entity_ref: entityRef,
      environment,
      type: 'deploy',
      driver: environment === 'staging' ? 'simulated' : 'helm',
      state: 'succeeded',
      steps: '[]',
      reasons: '[]',
      requested_by: 'user:default/alice',
      created_at: new Date(at),
      updated_at: new Date(at),
    })),
  );
  await knex.migrate.latest({ directory });
}

function deps(knex: Knex, loadEntity?: (ref: string) => Promise<any>) {
  const environments = Environments.fromConfig(
    new ConfigReader({
      rco: {
        environments: [
          { name: 'production', driver: 'helm', namespace: 'payments' },
          { name: 'staging', driver: 'simulated' },
        ],
      },
    }),
  );
  const store = new DatabaseTargetClaimStore(knex, new Ledger(knex));
  const bindings = new TargetBindings({
    entityKinds: ['Component'],
    configured: environments.configuredBindings,
    store,
    keyOfClaim: row => environments.claimKey(row),
  });
  const drivers = new Map<string, DeployDriver>([
    ['helm', { id: 'helm' } as DeployDriver],
    ['simulated', { id: 'simulated', simulated: true } as DeployDriver],
  ]);
  return {
    db: knex,
    environments,
    drivers,
    bindings,
    store,
    loadEntity: loadEntity ?? (async (ref: string) => CATALOG.get(ref)),
    logger: mockServices.logger.mock(),
  };
}

describe.each(databases.eachSupportedId())('claim backfill on %s', id => {
  it('gives each release to the one entity that operated on it, with a ledger entry, once', async () => {
    const knex = await databases.init(id);
    await upgradedWith(knex, [
      // Lookalike operated first, but its annotation names payments now: not carried over.
      ['op-0', 'component:default/lookalike', '2025-06-01T00:00:00Z'],
      ['op-1', 'Component:default/Payments', '2026-01-01T00:00:00Z'],
      ['op-4', 'component:default/payments', '2026-04-01T00:00:00Z'],
      ['op-5', 'api:default/payments-api', '2025-01-01T00:00:00Z'],
      ['op-6', 'component:default/gone', '2025-01-01T00:00:00Z'],
      ['op-7', 'component:default/payments', '2025-01-01T00:00:00Z', 'staging'],
    ]);
    expect(await knex('rco_target_claim_backfill')).toHaveLength(4);
    const d = deps(knex);
    await backfillClaims(d);
    const claims = await knex('rco_target_claims');
    expect(claims).toEqual([
      expect.objectContaining({
        target_key: 'own-context|payments|payments',
        entity_ref: 'component:default/payments',
        environment: 'production',
        claimed_by: 'rco-backfill:operation/op-1',
      }),
    ]);
    expect(
      await knex('rco_ledger').where({ entry_type: 'target-claim' }),
    ).toHaveLength(1);
    expect(await knex('rco_target_claim_backfill')).toHaveLength(0);
    // A second start finds nothing to do: a claim deleted by an operator stays deleted.
    await knex('rco_target_claims').delete();
    await backfillClaims(d);
    expect(await knex('rco_target_claims')).toHaveLength(0);
  });

  it('refuses: an entity whose annotation names another release now takes it over through its older operation', async () => {
    const knex = await databases.init(id);
    await upgradedWith(knex, [
      ['op-0', 'component:default/lookalike', '2025-06-01T00:00:00Z'],
    ]);
    await backfillClaims(deps(knex));
    expect(await knex('rco_target_claims')).toEqual([]);
  });

  it('refuses: of two entities that operated on one release, the older operation takes it (none does)', async () => {
    const knex = await databases.init(id);
    await upgradedWith(knex, [
      ['op-2', 'component:sandbox/payments', '2025-02-01T00:00:00Z'],
      ['op-1', 'component:default/payments', '2026-01-01T00:00:00Z'],
    ]);
    await backfillClaims(deps(knex));
    expect(await knex('rco_target_claims')).toEqual([]);
    expect(await knex('rco_target_claim_backfill')).toHaveLength(0);
  });

  it('keeps the rows while the catalog cannot answer, and settles them on a later attempt', async () => {
    const knex = await databases.init(id);
    await upgradedWith(knex, [
      ['op-1', 'component:default/payments', '2026-01-01T00:00:00Z'],
    ]);
    let calls = 0;
    const d = deps(knex, async ref => {
      if (++calls === 1) throw new Error('catalog not ready');
      return CATALOG.get(ref);
    });
    await expect(backfillClaims(d)).rejects.toThrow('catalog not ready');
    expect(await knex('rco_target_claim_backfill')).toHaveLength(1);
    await runClaimBackfill(d, 3, 1);
    expect(await knex('rco_target_claims')).toHaveLength(1);
    expect(await knex('rco_target_claim_backfill')).toHaveLength(0);
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { FakeCollector } from '../__testUtils__/fakeCollector';
import { CollectionService } from './CollectionService';

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
});

/** A service over fakes: counts catalog reads and how places were asked for. */
function service(
  o: { entities?: number; cooldownMs?: number; max?: number } = {},
) {
  let now = Date.UTC(2026, 10, 30, 10);
  const entities = Array.from({ length: o.entities ?? 3 }, (_, i) =>
    entity(`s${i}`),
  );
  const catalogReads = { n: 0 };
  const placeCalls: Array<{ name: string; bindings?: boolean }> = [];
  const fake = new FakeCollector();
  let release!: () => void;
  let gate: Promise<void> | undefined;
  const respond = fake.respond;
  fake.respond = async req => {
    if (gate) await gate;
    return respond(req);
  };
  const svc = new CollectionService({
    collectors: [fake],
    places: {
      of: async (e: Entity, _log?: boolean, opts?: { bindings?: boolean }) => {
        placeCalls.push({ name: e.metadata.name, bindings: opts?.bindings });
        return ['staging', 'production'].map(
          (environment): CollectionPlace => ({
            entityRef: `component:default/${e.metadata.name}`,
            name: e.metadata.name,
            entityNamespace: 'default',
            environment,
            namespace: e.metadata.name,
          }),
        );
      },
    } as any,
    writer: {
      write: async () => ({
        created: 0,
        unchanged: 0,
        observed: 0,
        gone: 0,
        ledgerEntries: 0,
        changedEntities: [],
        refreshedEntities: [],
      }),
    } as any,
    health: {
      record: async () => 1,
      list: async () => ({ rows: [], counts: [] }),
    },
    catalog: {
      getEntities: async () => {
        catalogReads.n++;
        return { items: entities };
      },
    } as any,
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    clock: { now: () => new Date(now) },
    timeoutMs: 5_000,
    releases: { invalidate: () => {} },
    secrets: [],
    refreshCooldownMs: o.cooldownMs,
    maxConcurrentRefreshes: o.max,
  });
  return {
    svc,
    fake,
    entities,
    catalogReads,
    placeCalls,
    advance: (ms: number) => {
      now += ms;
    },
    hold: () => {
      gate = new Promise(r => {
        release = r;
      });
    },
    release: () => {
      gate = undefined;
      release();
    },
  };
}

describe('CollectionService refresh limits', () => {
  it('refuses: an owner refreshing one entity again within the cooldown (429, says when)', async () => {
    const s = service({ cooldownMs: 30_000 });
    await s.svc.refresh(s.entities[0]);
    await expect(s.svc.refresh(s.entities[0])).rejects.toMatchObject({
      name: 'TooManyRequestsError',
      statusCode: 429,
      retryAfterSeconds: 30,
      message: expect.stringMatching(
        /collected less than 30 s ago \(rco.collection.refreshCooldown\).*try again in 30 s/,
      ),
    });
    // Another entity is not held back; the same one is after the cooldown.
    await s.svc.refresh(s.entities[1]);
    s.advance(30_000);
    await s.svc.refresh(s.entities[0]);
    expect(s.fake.runs).toBe(3);
  });

  it('refuses: more refreshes at once than rco.collection.maxConcurrentRefreshes', async () => {
    const s = service({ max: 2, entities: 4 });
    s.hold();
    const running = [
      s.svc.refresh(s.entities[0]),
      s.svc.refresh(s.entities[1]),
    ];
    await expect(s.svc.refresh(s.entities[2])).rejects.toMatchObject({
      name: 'TooManyRequestsError',
      statusCode: 429,
      retryAfterSeconds: 60,
      message: expect.stringMatching(
        /2 collections .* running .*maxConcurrentRefreshes is 2/,
      ),
    });
    s.release();
    await Promise.all(running);
    await s.svc.refresh(s.entities[2]);
  });

  it('other entities’ places: read once for a while for every refresh, never through the binding rule', async () => {
    const s = service({ entities: 50, cooldownMs: 0 });
    for (let i = 0; i < 5; i++) await s.svc.refresh(s.entities[i]);
    // One catalog read and one pass over the governed entities for five refreshes.
    expect(s.catalogReads.n).toBe(1);
    const others = s.placeCalls.filter(c => c.bindings === false);
    expect(others).toHaveLength(50);
    // The refreshed entity's own places still go through the bindings.
    expect(s.placeCalls.filter(c => c.bindings !== false)).toHaveLength(5);
    // Each collector request saw every other entity's places, not its own.
    const last = s.fake.requests[4];
    expect(last.otherPlaces).toHaveLength(49 * 2);
    expect(
      last.otherPlaces!.some(p => p.entityRef === 'component:default/s4'),
    ).toBe(false);
    // After the cache's time, read again.
    s.advance(31_000);
    await s.svc.refresh(s.entities[0]);
    expect(s.catalogReads.n).toBe(2);
  });

  it('answers a refresh with the status of the places it collected, not worked out again', async () => {
    const s = service();
    const { report, places } = await s.svc.refresh(s.entities[0]);
    expect(report.places).toBe(places.length);
    const own = () => s.placeCalls.filter(c => c.bindings !== false).length;
    const before = own();
    const status = await s.svc.status(s.entities[0], true, places);
    expect(own()).toBe(before);
    expect(status.canRefresh).toBe(true);
    // Without them, the status works them out itself.
    await s.svc.status(s.entities[0], true);
    expect(own()).toBe(before + 1);
  });
});

describe('CollectionService.status: rows by cluster (S1 L1)', () => {
  const RCO = 'component:default/rco';
  const rco = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'rco', namespace: 'default' },
  } as Entity;
  const place = {
    entityRef: RCO,
    name: 'rco',
    entityNamespace: 'default',
    environment: 'staging',
    cluster: { name: 'east' },
    namespace: 'rco',
  };
  const row = (over: object) => ({
    collector: 'argo',
    kind: 'Rollout',
    environment: 'staging',
    namespace: 'rco',
    aboutEntity: '',
    lastAttemptAt: new Date(),
    lastError: 'the cluster answered 403 Forbidden',
    errorScope: 'full',
    ...over,
  });
  const statusOf = (rows: object[]) =>
    new CollectionService({
      collectors: [
        {
          id: 'argo',
          source: 'cluster',
          collect: async () => ({ objects: [], health: [] }),
        },
      ],
      places: { of: async () => [place] },
      health: { list: async () => ({ rows, counts: [] }) },
      kubernetesClusters: new Set(['east', 'west']),
    } as any).status(rco, true);

  it('refuses: another cluster’s failure of the environment is shown to an entity not on it', async () => {
    const status = await statusOf([row({ cluster: 'west' })]);
    expect(status.health.some(v => v.state === 'failing')).toBe(false);
  });

  it('shows a row about the entity itself whatever the collector calls its cluster', async () => {
    const status = await statusOf([row({ cluster: 'East', aboutEntity: RCO })]);
    expect(status.health).toEqual([
      expect.objectContaining({ collector: 'argo', state: 'failing' }),
    ]);
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import path from 'node:path';
import { examplesDir } from '../../__testUtils__/fixtures';
import { readKubernetesCollectorConfig } from '../../collectors/kubernetes/config';
import { KubernetesCollector } from '../../collectors/kubernetes/KubernetesCollector';
import { readRcoConfig } from '../../config';
import { keepBackingUp, keepDrilling, startDemoClusters } from './demoClusters';
import { loadSimulatedCluster } from './simulatedCluster';

describe("the local portal's simulated clusters (rco.demoClusters)", () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  const entry = {
    name: 'simulated-production',
    dir: path.join(examplesDir, 'cluster', 'production'),
    port: 0,
    forbid: ['restores.velero.io'],
  };

  it('the real collector reads one, and the forbidden kind fails with the API server’s 403 in words while the others work', async () => {
    const logger = mockServices.logger.mock();
    const {
      servers: [server],
    } = await startDemoClusters({
      clusters: [entry],
      now: new Date(),
      logger,
    });
    try {
      const collector = new KubernetesCollector(
        readKubernetesCollectorConfig(new ConfigReader({})),
      );
      const result = await collector.collect({
        places: [
          {
            entityRef: 'component:default/rco',
            name: 'rco',
            entityNamespace: 'default',
            environment: 'production',
            namespace: 'rco',
            cluster: {
              name: 'simulated-production',
              url: server.url,
              skipTLSVerify: true,
            },
          },
        ],
        signal: new AbortController().signal,
        logger,
      });
      const failing = result.health.filter(h => !h.ok);
      expect(failing.map(h => h.kind)).toEqual(['Restore']);
      expect(failing[0].error).toMatch(/403 Forbidden/);
      expect(failing[0].error).toMatch(/cannot list resource "restores"/);
      const kinds = new Set(result.objects.map(o => o.evidenceKind));
      expect(kinds.has('velero-restore')).toBe(false);
      for (const kind of ['velero-backup', 'policy-report', 'workload'])
        expect(kinds.has(kind)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a cluster that cannot start is logged and left out (its port is taken)', async () => {
    const logger = mockServices.logger.mock();
    const {
      servers: [first],
    } = await startDemoClusters({
      clusters: [{ ...entry, forbid: [] }],
      now: new Date(),
      logger,
    });
    try {
      const port = Number(new URL(first.url).port);
      const second = await startDemoClusters({
        clusters: [{ ...entry, port }],
        now: new Date(),
        logger,
      });
      expect(second.servers).toEqual([]);
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringMatching(/did not start on port/),
      );
    } finally {
      await first.close();
    }
  });

  it('is read from rco.demoClusters, and refused under NODE_ENV=production', () => {
    const rco = {
      demoClusters: [
        { name: 'simulated-staging', dir: 'x', port: 7011 },
        { name: 'simulated-production', dir: 'y', port: 7012, forbid: ['a.b'] },
      ],
    };
    expect(readRcoConfig(new ConfigReader({ rco })).demoClusters).toEqual([
      { name: 'simulated-staging', dir: 'x', port: 7011, forbid: [] },
      { name: 'simulated-production', dir: 'y', port: 7012, forbid: ['a.b'] },
    ]);
    expect(readRcoConfig(new ConfigReader({})).demoClusters).toEqual([]);
    expect(() =>
      readRcoConfig(
        new ConfigReader({
          rco: { demoClusters: [{ ...rco.demoClusters[0], port: 70000 }] },
        }),
      ),
    ).toThrow(/port must be a port number/);
    process.env.NODE_ENV = 'production';
    expect(() => readRcoConfig(new ConfigReader({ rco }))).toThrow(
      /rco\.demoClusters is for a local portal only/,
    );
  });

  it("keeps Velero's five-minute schedule: a new backup object once the newest is five minutes old, three kept", () => {
    const start = new Date('2026-11-30T12:00:00Z');
    const cluster = loadSimulatedCluster(entry.dir, { now: start });
    const rcoBackups = () =>
      cluster
        .all()
        .filter(
          o =>
            o.kind === 'Backup' &&
            o.metadata.labels?.['velero.io/schedule-name'] === 'rco-state-5m',
        )
        .map(o => [
          o.metadata.name,
          String((o.status as any)?.completionTimestamp),
        ])
        .sort((a, b) => a[1].localeCompare(b[1]));
    const before = rcoBackups();
    // The newest completed a minute before start: nothing due yet.
    expect(keepBackingUp(cluster, new Date(start.getTime() + 60_000))).toBe(0);
    const later = new Date(start.getTime() + 4 * 60_000 + 1);
    expect(keepBackingUp(cluster, later)).toBe(1);
    const after = rcoBackups();
    expect(after).toHaveLength(3);
    // On the schedule's own slot (five minutes after the newest), not at whatever time it is.
    expect(after[2]).toEqual([
      'rco-state-5m-20261130120400',
      new Date(start.getTime() + 4 * 60_000).toISOString(),
    ]);
    expect(after.slice(0, 2)).toEqual(before.slice(1));
    // Moved a day on: the schedule's last three slots, five minutes apart, none after now.
    const dayLater = new Date(start.getTime() + 86_400_000);
    expect(keepBackingUp(cluster, dayLater)).toBe(3);
    const times = rcoBackups().map(b => Date.parse(b[1]));
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBe(5 * 60_000);
    expect(times[2] - times[1]).toBeLessThanOrEqual(5 * 60_000);
    expect(times[2]).toBeLessThanOrEqual(dayLater.getTime());
    expect(dayLater.getTime() - times[2]).toBeLessThan(5 * 60_000);
    // A schedule with one backup shows no interval: another team's daily backup stays alone.
    expect(cluster.all().some(o => o.metadata.name === 'payments-daily')).toBe(
      true,
    );
  });

  it('runs the restore drill again once the newest is half a day old, as long as the last one took', () => {
    const start = new Date('2026-11-30T12:00:00Z');
    const cluster = loadSimulatedCluster(entry.dir, { now: start });
    const drills = () =>
      cluster
        .all()
        .filter(o => o.kind === 'Restore')
        .map(o => o.status as any)
        .sort((a, b) =>
          String(a.completionTimestamp).localeCompare(b.completionTimestamp),
        );
    const before = drills();
    expect(before.length).toBeGreaterThan(0);
    // The example's drill finished five hours ago: nothing due yet.
    expect(keepDrilling(cluster, start)).toBe(0);
    // A day on (the page's +1 day): one new drill, finished now, as long as the last one.
    const dayLater = new Date(start.getTime() + 86_400_000);
    expect(keepDrilling(cluster, dayLater)).toBe(1);
    const newest = drills().at(-1);
    const took = (d: any) =>
      Date.parse(d.completionTimestamp) - Date.parse(d.startTimestamp);
    expect(newest.completionTimestamp).toBe(dayLater.toISOString());
    expect(took(newest)).toBe(took(before.at(-1)));
    expect(newest.phase).toBe('Completed');
    expect(keepDrilling(cluster, dayLater)).toBe(0);
    expect(drills().length).toBeLessThanOrEqual(3);
  });
});

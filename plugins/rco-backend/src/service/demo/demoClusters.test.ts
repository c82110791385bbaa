import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import path from 'node:path';
import { examplesDir } from '../../__testUtils__/fixtures';
import { readKubernetesCollectorConfig } from '../../collectors/kubernetes/config';
import { KubernetesCollector } from '../../collectors/kubernetes/KubernetesCollector';
import { readRcoConfig } from '../../config';
import { startDemoClusters } from './demoClusters';

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
    const [server] = await startDemoClusters({
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
    const [first] = await startDemoClusters({
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
      expect(second).toEqual([]);
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
});

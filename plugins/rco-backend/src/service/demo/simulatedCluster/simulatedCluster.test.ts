import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import path from 'node:path';
import { examplesDir } from '../../../__testUtils__/fixtures';
import { readKubernetesCollectorConfig } from '../../../collectors/kubernetes/config';
import { KubernetesCollector } from '../../../collectors/kubernetes/KubernetesCollector';
import { builtinParsers } from '../../../evidence/parsers';
import { loadSimulatedCluster, serveSimulatedCluster } from '.';

describe("the local portal's simulated clusters (examples/cluster)", () => {
  it.each([
    ['production', 'rco'],
    ['staging', 'rco-staging'],
  ])(
    'the real collector reads RCO’s %s objects from it, each a document its parser reads, and nobody else’s',
    async (environment, namespace) => {
      const now = new Date('2026-11-30T12:00:00Z');
      const cluster = loadSimulatedCluster(
        path.join(examplesDir, 'cluster', environment),
        { now },
      );
      const server = await serveSimulatedCluster(cluster);
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
              environment,
              namespace,
              cluster: {
                name: `simulated-${environment}`,
                url: server.url,
                skipTLSVerify: true,
              },
            },
          ],
          signal: new AbortController().signal,
          logger: mockServices.logger.mock(),
        });
        expect(result.health.filter(h => !h.ok)).toEqual([]);
        const kinds = result.objects.map(o => o.evidenceKind);
        for (const kind of [
          'policy-report',
          'gatekeeper-constraint',
          'velero-backup',
          'velero-restore',
          'workload',
          'network-policy',
          'argo-rollout',
          'argo-analysis-template',
          'argo-analysis-run',
          'prometheus-rule',
        ]) {
          expect(kinds).toContain(kind);
        }
        expect(
          result.objects.filter(o => o.provenance.name.startsWith('payments')),
        ).toEqual([]);
        for (const o of result.objects) {
          const parser = builtinParsers.find(p => p.kind === o.evidenceKind)!;
          expect(() => parser.parse(o.document)).not.toThrow();
        }
        const backup = result.objects.find(
          o => o.provenance.name === 'rco-state-5m-c',
        )!;
        expect((backup.document as any).status.completionTimestamp).toBe(
          '2026-11-30T11:59:00Z',
        );
        const gateway = result.objects.find(
          o =>
            o.evidenceKind === 'workload' &&
            o.provenance.name === 'rco-gateway',
        )!;
        expect(gateway.subject?.digest).toMatch(/^sha256:3f6c2a9d/);
      } finally {
        await server.close();
      }
    },
  );
});

/**
 * S1 M1, M2, L3 through the real plugin: kinds that do not live in the place's namespace. Velero's
 * Backups and Restores sit in the platform's `velero` namespace and a Gatekeeper constraint is
 * cluster-wide; whoever can create a Backup there, or an object in their own namespace that a
 * constraint flags, must not make rco's gates believe anything about rco, nor show rco's viewers
 * their objects' names.
 */
import request from 'supertest';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { KubeListPeer } from '../__testUtils__/kubeListPeer/KubeListPeer';
import { fromSample } from '../__testUtils__/kubeListPeer/objects';
import { asUser, RCO } from '../__testUtils__/operationsBackend';
import {
  evidence,
  PEER_TOKEN,
  refresh,
  startCollectorBackend,
} from '../__testUtils__/collectorBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const app = { 'app.kubernetes.io/name': 'rco' };

const backup = (name: string, spec: Record<string, unknown>) =>
  fromSample(
    'veleroBackup',
    { name, namespace: 'velero', labels: app },
    { includedNamespaces: undefined, ...spec },
  );

function constraint() {
  const c = fromSample('gatekeeper', {
    name: 'rco-must-have-owner',
    labels: app,
  });
  const violation = (kind: string, name: string, namespace?: string) => ({
    enforcementAction: 'dryrun',
    group: '',
    version: 'v1',
    kind,
    name,
    ...(namespace ? { namespace } : {}),
    message: 'you must provide labels: {"owner"}',
  });
  c.status = {
    ...(c.status as object),
    totalViolations: 5,
    violations: [
      violation('Secret', 'acquisition-plan-2027', 'tenant-x'),
      violation('Pod', 'rco-7d9f', 'rco'),
      violation('Namespace', 'rco'),
      violation('Namespace', 'tenant-x'),
    ],
  };
  return c;
}

const start = (knex: Knex, peer: KubeListPeer) =>
  startCollectorBackend(knex, { peer });

describe('S1: platform-namespace and cluster-scoped kinds through the plugin', () => {
  let peer: KubeListPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it.each(databases.eachSupportedId())(
    'refuses: Velero backups labelled as rco’s but covering another namespace count for rco (%s)',
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({
        token: PEER_TOKEN,
        objects: [
          backup('rco-5m-1', { includedNamespaces: ['rco'] }),
          backup('rco-5m-tenant', { includedNamespaces: ['tenant-x'] }),
          backup('everything-but-rco', { excludedNamespaces: ['rco'] }),
          backup('everything', {}),
        ],
      });
      const { app: a } = await start(knex, peer);
      await refresh(a).expect(200);
      const names = (await evidence(a))
        .filter(i => i.kind === 'velero-backup')
        .map(i => i.provenance.name)
        .sort();
      // Velero's default (no includedNamespaces) is every namespace: that one covers rco too.
      expect(names).toEqual(['everything', 'rco-5m-1']);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a cluster-wide constraint fails rco on another tenant’s objects and shows their names (%s)',
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({
        token: PEER_TOKEN,
        objects: [constraint()],
      });
      const { app: a } = await start(knex, peer);
      await refresh(a).expect(200);
      const [item] = (await evidence(a)).filter(
        i => i.kind === 'gatekeeper-constraint',
      );
      expect(item.summary).toMatchObject({
        namespace: 'rco',
        totalViolations: 2,
        violations: [
          expect.objectContaining({ kind: 'Pod', name: 'rco-7d9f' }),
          // The place's own Namespace object is about rco.
          expect.objectContaining({ kind: 'Namespace', name: 'rco' }),
        ],
        // The audit counted five and listed four: one unlisted may be rco's.
        unlistedViolations: 1,
      });
      const raw = await request(a)
        .get(`${RCO}/evidence/${item.id}/raw`)
        .set('Authorization', asUser('alice'));
      const status = await request(a)
        .get(`${RCO}/status?version=1.3.2&environment=staging`)
        .set('Authorization', asUser('alice'));
      for (const said of [
        JSON.stringify(await evidence(a)),
        raw.text ?? '',
        JSON.stringify(status.body),
      ]) {
        expect(said).not.toContain('acquisition-plan-2027');
        expect(said).not.toContain('tenant-x');
      }
    },
  );
});

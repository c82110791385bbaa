/**
 * Issue 13 point 2 (R1 M6) through the real plugin: a real Kyverno report carries only
 * `app.kubernetes.io/managed-by: kyverno`, is named after the resource's uid and names the Pod in
 * `scope` and ownerReferences. The collector attributes it through Pod → ReplicaSet →
 * Deployment to the entity whose selector matches the Deployment, and to no other entity.
 */
import { Knex } from 'knex';
import { Entity } from '@backstage/catalog-model';
import { createTestDatabases } from '../__testUtils__/databases';
import { governedEntity } from '../__testUtils__/fixtures';
import { KubeListPeer } from '../__testUtils__/kubeListPeer/KubeListPeer';
import {
  controlled,
  fromSample,
  kyvernoReportAbout,
  sample,
} from '../__testUtils__/kubeListPeer/objects';
import {
  evidence,
  PAYMENTS,
  refresh,
  startCollectorBackend,
} from '../__testUtils__/collectorBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const TOKEN = 'sa-token-owners-71d2';
const POD_UID = '0c0c0c0c-1111-4111-8111-111111111111';
const RS_UID = '0c0c0c0c-2222-4222-8222-222222222222';
const app = (name: string) => ({ 'app.kubernetes.io/name': name });

function objects() {
  return [
    fromSample('deployment', {
      name: 'rco',
      namespace: 'rco',
      labels: app('rco'),
    }),
    controlled('ReplicaSet', {
      name: 'rco-5c8d',
      namespace: 'rco',
      uid: RS_UID,
      labels: app('rco'),
      owner: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'rco',
        uid: 'd',
      },
    }),
    controlled('Pod', {
      name: 'rco-5c8d-x1y2z',
      namespace: 'rco',
      uid: POD_UID,
      labels: app('rco'),
      owner: {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'rco-5c8d',
        uid: RS_UID,
      },
    }),
    kyvernoReportAbout({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'rco-5c8d-x1y2z',
      namespace: 'rco',
      uid: POD_UID,
    }),
  ];
}

const start = (knex: Knex, peer: KubeListPeer, extraEntities: Entity[] = []) =>
  startCollectorBackend(knex, { peer, token: TOKEN, extraEntities });

describe("issue 13 point 2 (R1 M6): Kyverno's own report shape", () => {
  let peer: KubeListPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it.each(databases.eachSupportedId())(
    "refuses: a failing Kyverno report about rco's Pod (labelled only managed-by: kyverno) is left out of rco's evidence (%s)",
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: objects() });
      expect(
        peer.cluster.all().find(o => o.kind === 'PolicyReport')?.metadata
          .labels,
      ).toEqual(sample('policyReport').metadata.labels);
      const { app: a } = await start(knex, peer);
      await refresh(a).expect(200);
      const reports = (await evidence(a)).filter(
        i => i.kind === 'policy-report',
      );
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        source: 'cluster',
        provenance: {
          collector: 'kubernetes',
          cluster: 'peer',
          namespace: 'rco',
          kind: 'PolicyReport',
          name: POD_UID,
        },
      });
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: another team's entity gets a report about rco's Pod by refreshing (%s)",
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: objects() });
      const other = governedEntity(
        'payments',
        'url:https://example.test/p.yaml',
        {
          'rco.helix.dev/runbook': './runbook.md',
        },
      );
      const { app: a } = await start(knex, peer, [other]);
      await refresh(a, PAYMENTS).expect(200);
      expect(
        (await evidence(a, PAYMENTS)).filter(i => i.kind === 'policy-report'),
      ).toEqual([]);
    },
  );
});

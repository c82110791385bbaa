import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  CollectedObject,
  CollectionHealth,
  CollectionPlace,
  CollectionRequest,
  CollectionResult,
  EvidenceCollector,
  rcoEvidenceCollectorsExtensionPoint,
} from '@helix-portal/plugin-rco-node';
import yaml from 'yaml';
import { readSample } from './fixtures';

/** The Kyverno sample PolicyReport as a collector would read it, in a given version. */
export function policyReport(
  name: string,
  version: { uid: string; resourceVersion: string; fail?: boolean },
) {
  const doc = yaml.parse(readSample('kyverno-policyreport-pod-v1alpha2.yaml'));
  doc.metadata.name = name;
  doc.metadata.uid = version.uid;
  doc.metadata.resourceVersion = version.resourceVersion;
  if (version.fail) {
    doc.results[0].result = 'fail';
    doc.summary = { ...(doc.summary ?? {}), fail: 1 };
  }
  return doc;
}

/** One object of a place, as a cluster collector reports a PolicyReport. */
export function reportObject(
  place: Pick<CollectionPlace, 'entityRef' | 'environment'>,
  name: string,
  version: { uid: string; resourceVersion: string; fail?: boolean },
  collector = 'fake',
  cluster = 'own-context',
): CollectedObject {
  return {
    entityRef: place.entityRef,
    environment: place.environment,
    evidenceKind: 'policy-report',
    document: policyReport(name, version),
    provenance: {
      collector,
      cluster,
      namespace: 'default',
      kind: 'PolicyReport',
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      name,
      uid: version.uid,
      resourceVersion: version.resourceVersion,
    },
  };
}

/** An ok outcome for the fake's single cluster and kind over these places. */
export const ok = (
  places: CollectionPlace[],
  extra: Partial<CollectionHealth> = {},
): CollectionHealth => ({
  collector: 'fake',
  cluster: 'own-context',
  kind: 'PolicyReport',
  environments: [...new Set(places.map(p => p.environment))],
  ok: true,
  objects: places.length,
  ...extra,
});

/**
 * A collector whose answer the test decides (`respond`), counting its runs; the places it was
 * asked about are kept. Runs of every instance sharing it add to the same count.
 */
export class FakeCollector implements EvidenceCollector {
  readonly source = 'cluster' as const;
  readonly requests: CollectionRequest[] = [];
  respond: (
    request: CollectionRequest,
  ) => Promise<CollectionResult> | CollectionResult = ({ places }) => ({
    objects: places.map(p =>
      reportObject(p, `${p.name}-report`, {
        uid: `uid-${p.name}-${p.environment}`,
        resourceVersion: '1',
      }),
    ),
    health: [ok(places)],
  });

  constructor(readonly id = 'fake') {}

  get runs() {
    return this.requests.length;
  }

  async collect(request: CollectionRequest): Promise<CollectionResult> {
    this.requests.push(request);
    return this.respond(request);
  }
}

/** A backend module registering collectors through the extension point, as a module would. */
export const collectorModule = (...collectors: EvidenceCollector[]) =>
  createBackendModule({
    pluginId: 'rco',
    moduleId: `test-collectors-${collectors.map(c => c.id).join('-')}`,
    register(env) {
      env.registerInit({
        deps: { extension: rcoEvidenceCollectorsExtensionPoint },
        async init({ extension }) {
          for (const c of collectors) extension.addCollector(c);
        },
      });
    },
  });

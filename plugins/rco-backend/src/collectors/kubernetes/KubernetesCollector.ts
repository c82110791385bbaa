/**
 * The Kubernetes collector (issue 13): reads policy reports, Gatekeeper constraints, Velero
 * backups and restores, workloads, NetworkPolicies, Argo Rollouts objects and PrometheusRules
 * from the clusters of the `kubernetes:` configuration, the same entries the deploy drivers use.
 *
 * Per cluster and run: one discovery, then one paginated list per (resource, namespace) for all
 * entities at once, attributed locally by each entity's label selector. A failure is reported as
 * health and its kind contributes no objects (a partial list is not the cluster's state); a
 * cluster that cannot be reached, refuses the token or runs out of time contributes nothing.
 */
import type {
  CollectedObject,
  CollectionHealth,
  CollectionPlace,
  CollectionRequest,
  CollectionResult,
  DeployCluster,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import { KubernetesCollectorConfig } from './config';
import { COLLECTED_KINDS, CollectedKind } from './kinds';
import { attribute, Candidate, renderSelector } from './attribution';
import {
  ClusterClient,
  ClusterReadError,
  KubeObject,
  ServedResource,
} from './clusterClient';

export const KUBERNETES_COLLECTOR_ID = 'kubernetes';

const DIGEST = /@(sha256:[a-f0-9]{64})$/;

/** The image digest a workload or Rollout runs, when its first container pins one. */
function subjectOf(object: KubeObject): CollectedObject['subject'] {
  const containers = (object as any)?.spec?.template?.spec?.containers;
  const image = Array.isArray(containers) ? containers[0]?.image : undefined;
  const m = typeof image === 'string' ? DIGEST.exec(image) : null;
  return m ? { digest: m[1] } : undefined;
}

/** One (collected kind, place) the configuration turns on, with the place's selector. */
interface Planned {
  kind: CollectedKind;
  candidate: Candidate;
  namespace: string;
}

interface KindOutcome {
  objects: CollectedObject[];
  health: CollectionHealth;
}

export type ClusterClientFactory = (
  cluster: DeployCluster,
  signal: AbortSignal,
  timeoutMs: number,
) => ClusterClient;

export class KubernetesCollector implements EvidenceCollector {
  readonly id = KUBERNETES_COLLECTOR_ID;
  readonly source = 'cluster' as const;

  constructor(
    private readonly config: KubernetesCollectorConfig,
    private readonly clientFor: ClusterClientFactory = (c, s, t) =>
      new ClusterClient(c, s, t),
  ) {}

  async collect(request: CollectionRequest): Promise<CollectionResult> {
    const result: CollectionResult = { objects: [], health: [] };
    if (!this.config.enabled) return result;
    const byCluster = new Map<
      string,
      { cluster: DeployCluster; places: CollectionPlace[] }
    >();
    for (const place of request.places) {
      if (!place.cluster) continue;
      const entry = byCluster.get(place.cluster.name) ?? {
        cluster: place.cluster,
        places: [],
      };
      entry.places.push(place);
      byCluster.set(place.cluster.name, entry);
    }
    const requested = new Set(request.places.map(p => p.entityRef));
    const others = (name: string) =>
      (request.otherPlaces ?? []).filter(
        p => p.cluster?.name === name && !requested.has(p.entityRef),
      );
    const outcomes = await Promise.all(
      [...byCluster.values()].map(({ cluster, places }) =>
        this.collectCluster(cluster, places, others(cluster.name), request),
      ),
    );
    for (const o of outcomes) {
      result.objects.push(...o.objects);
      result.health.push(...o.health);
    }
    return result;
  }

  private plan(places: CollectionPlace[]): {
    planned: Planned[];
    problems: CollectionHealth[];
    cluster: string;
  } {
    const planned: Planned[] = [];
    const problems: CollectionHealth[] = [];
    const cluster = places[0]?.cluster?.name ?? '';
    for (const kind of COLLECTED_KINDS) {
      for (const place of places) {
        const s = this.config.settings(place.environment, kind.evidenceKind);
        if (!s.enabled) continue;
        try {
          planned.push({
            kind,
            namespace: s.namespace ?? place.namespace,
            candidate: {
              place,
              requirements: renderSelector(s.labelSelector, place),
            },
          });
        } catch (e) {
          problems.push({
            collector: this.id,
            cluster,
            kind: kind.resources[0].kind,
            environments: [place.environment],
            ok: false,
            error: `${place.entityRef}: ${(e as Error).message}`,
          });
        }
      }
    }
    return { planned, problems, cluster };
  }

  private async collectCluster(
    cluster: DeployCluster,
    places: CollectionPlace[],
    otherPlaces: CollectionPlace[],
    request: CollectionRequest,
  ): Promise<CollectionResult> {
    const { planned, problems } = this.plan(places);
    // Other entities' places (an owner's refresh) only take part in attribution.
    const others = this.plan(otherPlaces).planned.map(p => ({
      ...p,
      candidate: { ...p.candidate, attributionOnly: true },
    }));
    const kinds = [...new Set(planned.map(p => p.kind))];
    const environmentsOf = (kind: CollectedKind) =>
      [
        ...new Set(
          planned
            .filter(p => p.kind === kind)
            .map(p => p.candidate.place.environment),
        ),
      ].sort();
    const health = (
      kind: CollectedKind,
      name: string,
      rest: Partial<CollectionHealth>,
    ): CollectionHealth => ({
      collector: this.id,
      cluster: cluster.name,
      kind: name,
      environments: environmentsOf(kind),
      ok: true,
      ...rest,
    });
    if (kinds.length === 0) return { objects: [], health: problems };

    const signal = AbortSignal.any([
      request.signal,
      AbortSignal.timeout(this.config.timeoutMs),
    ]);
    const client = this.clientFor(cluster, signal, this.config.timeoutMs);
    const outcomes: KindOutcome[] = [];
    try {
      const groups = [
        ...new Set(kinds.flatMap(k => k.resources.map(r => r.group))),
      ];
      const { resources: served, failedGroups } = await client.discover(groups);
      for (const kind of kinds) {
        const mine = planned.filter(p => p.kind === kind);
        for (const spec of kind.resources) {
          const groupError = failedGroups.get(spec.group);
          if (groupError) {
            outcomes.push({
              objects: [],
              health: health(kind, spec.kind, { ok: false, error: groupError }),
            });
            continue;
          }
          const resources = served.filter(
            r =>
              r.group === spec.group &&
              (spec.wholeGroup || r.resource === spec.resource),
          );
          if (resources.length === 0) {
            outcomes.push({
              objects: [],
              health: health(kind, spec.kind, {
                objects: 0,
                note: `not served by this cluster (no ${
                  spec.resource ? `${spec.resource}.` : ''
                }${spec.group})`,
              }),
            });
            continue;
          }
          // One health row per listed resource kind, whatever the cluster serves, so a later
          // failure replaces exactly the rows an earlier success wrote. Gatekeeper's discovered
          // kinds share one row: one of them failing drops the group's objects.
          const parts: KindOutcome[] = [];
          for (const r of resources) {
            parts.push(
              await this.collectResource(
                client,
                r,
                mine,
                others.filter(p => p.kind === kind),
                health,
                kind,
              ),
            );
          }
          const failed = parts.find(p => !p.health.ok);
          const notes = parts.map(p => p.health.note).filter(Boolean);
          outcomes.push(
            failed
              ? { objects: [], health: { ...failed.health, kind: spec.kind } }
              : {
                  objects: parts.flatMap(p => p.objects),
                  health: health(kind, spec.kind, {
                    objects: parts.reduce(
                      (n, p) => n + (p.health.objects ?? 0),
                      0,
                    ),
                    note: notes.length ? notes.join('; ') : undefined,
                  }),
                },
          );
        }
      }
    } catch (caught) {
      const e =
        caught instanceof ClusterReadError
          ? caught
          : new ClusterReadError(
              `reading ${client.server} failed: ${String(
                (caught as Error)?.message ?? caught,
              )
                .split(cluster.serviceAccountToken || '\u0000')
                .join('[redacted]')}`,
              'cluster',
            );
      // The cluster as a whole failed (down, token refused, out of time): nothing from it counts,
      // and every kind planned for it says why.
      request.logger.warn(
        `Kubernetes collection from cluster "${cluster.name}" failed: ${e.message}`,
      );
      return {
        objects: [],
        health: [
          ...problems,
          ...kinds.flatMap(kind =>
            kind.resources.map(spec =>
              health(kind, spec.kind, { ok: false, error: e.message }),
            ),
          ),
        ],
      };
    }
    return {
      objects: outcomes.flatMap(o => o.objects),
      health: [...problems, ...outcomes.map(o => o.health)],
    };
  }

  /** One served resource, one list per namespace its places use (or one cluster-wide). */
  private async collectResource(
    client: ClusterClient,
    r: ServedResource,
    planned: Planned[],
    others: Planned[],
    health: (
      kind: CollectedKind,
      name: string,
      rest: Partial<CollectionHealth>,
    ) => CollectionHealth,
    kind: CollectedKind,
  ): Promise<KindOutcome> {
    const byNamespace = new Map<string | undefined, Candidate[]>();
    for (const p of planned) {
      const ns = r.namespaced ? p.namespace : undefined;
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), p.candidate]);
    }
    // Only namespaces this run lists: other places there can contest an object.
    for (const p of others) {
      const ns = r.namespaced ? p.namespace : undefined;
      byNamespace.get(ns)?.push(p.candidate);
    }
    const objects: CollectedObject[] = [];
    const ambiguous: string[] = [];
    try {
      for (const [namespace, candidates] of byNamespace) {
        const items = await client.list(r, namespace, this.config.pageSize);
        const a = attribute(items, candidates);
        ambiguous.push(...a.ambiguous);
        for (const { object, place, attributionOnly } of a.owned) {
          if (attributionOnly) continue;
          const m = object.metadata ?? {};
          objects.push({
            entityRef: place.entityRef,
            environment: place.environment,
            evidenceKind: kind.evidenceKind,
            document: object,
            subject: subjectOf(object),
            provenance: {
              collector: KUBERNETES_COLLECTOR_ID,
              cluster: client.name,
              namespace: m.namespace,
              kind: object.kind ?? r.kind,
              apiVersion: object.apiVersion,
              name: m.name ?? '',
              uid: m.uid ?? '',
              resourceVersion: m.resourceVersion ?? '',
            },
          });
        }
      }
    } catch (e) {
      if (e instanceof ClusterReadError && e.scope === 'resource') {
        return {
          objects: [],
          health: health(kind, r.kind, { ok: false, error: e.message }),
        };
      }
      throw e;
    }
    return {
      objects,
      health: health(kind, r.kind, {
        objects: objects.length,
        note: ambiguous.length
          ? `${
              ambiguous.length
            } object(s) matched the label selectors of more than one entity and were attributed to none: ${ambiguous
              .slice(0, 10)
              .join('; ')}`
          : undefined,
      }),
    };
  }
}

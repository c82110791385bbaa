/**
 * The Kubernetes collector (issue 13): reads policy reports, Gatekeeper constraints, Velero
 * backups and restores, workloads, NetworkPolicies, Argo Rollouts objects and PrometheusRules
 * from the clusters of the `kubernetes:` configuration, the same entries the deploy drivers use.
 *
 * Per cluster and run: one discovery, then one paginated list per (resource, namespace) for all
 * entities at once (a few at a time, `concurrency`), attributed locally by each entity's label
 * selector through an index (an object meets only the entities its label values can match). A
 * list that serves one place alone asks the server to filter by that place's selector. A failure
 * is reported as health: a refused namespace leaves out that namespace's objects of the kind, a
 * failed resource all its objects (a partial list is not the cluster's state); a cluster that
 * cannot be reached, refuses the token or runs out of time contributes nothing. Policy reports
 * that carry no entity's labels are attributed through the resource they are about (owners.ts).
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
import {
  attribute,
  Candidate,
  CandidateIndex,
  decide,
  renderSelector,
} from './attribution';
import {
  ClusterClient,
  ClusterReadError,
  KubeObject,
  ServedResource,
} from './clusterClient';
import { formatRequirements } from './labelSelector';
import { Limiter, limiter } from './limit';
import { followsOwner, OwnerResolver } from './owners';
import { admits, narrowToPlace } from './placeScope';

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
  health: CollectionHealth[];
}

/** One served resource's outcome: its own row, and the namespaces whose list failed. */
interface ResourceOutcome {
  objects: CollectedObject[];
  /** Ok (count and notes), or a failure of the whole resource; absent when every namespace failed. */
  health?: CollectionHealth;
  /** Per namespace: its failed list, or its ok list's notes (they name its objects). */
  namespaceFailures: CollectionHealth[];
}

type HealthOf = (
  kind: CollectedKind,
  name: string,
  rest: Partial<CollectionHealth>,
) => CollectionHealth;

/** What one run of one cluster shares between its lists. */
interface ClusterRun {
  client: ClusterClient;
  limit: Limiter;
  owners: OwnerResolver;
  health: HealthOf;
}

/** An object the backend can keep: named, with a uid and a resourceVersion. */
const shaped = (o: KubeObject) =>
  !!o?.metadata?.name && !!o.metadata.uid && !!o.metadata.resourceVersion;

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

  /** Per enabled kind, the namespace plan() lists it in for this place. */
  namespacesRead(place: CollectionPlace): string[] {
    if (!this.config.enabled || !place.cluster) return [];
    const namespaces = new Set<string>();
    for (const kind of COLLECTED_KINDS) {
      const s = this.config.settings(place.environment, kind.evidenceKind);
      if (s.enabled) namespaces.add(s.namespace ?? place.namespace);
    }
    return [...namespaces];
  }

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
    // A loop, not push(...spread): a cluster's objects can outnumber a call's arguments.
    for (const o of outcomes) {
      for (const x of o.objects) result.objects.push(x);
      for (const h of o.health) result.health.push(h);
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
          // About this entity only: other entities' objects of the kind are still collected.
          for (const spec of kind.resources) {
            problems.push({
              collector: this.id,
              cluster,
              kind: spec.kind,
              environments: [place.environment],
              entityRef: place.entityRef,
              ok: false,
              error: `${place.entityRef}: ${(e as Error).message}`,
            });
          }
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

    // Aborted as well when the cluster as a whole fails, so no read of it stays in flight.
    const stop = new AbortController();
    const signal = AbortSignal.any([
      request.signal,
      AbortSignal.timeout(this.config.timeoutMs),
      stop.signal,
    ]);
    const client = this.clientFor(cluster, signal, this.config.timeoutMs);
    const run: ClusterRun = {
      client,
      limit: limiter(this.config.concurrency),
      owners: new OwnerResolver(client, this.config.ownerLookups),
      health,
    };
    const outcomes: KindOutcome[] = [];
    try {
      const groups = [
        ...new Set(kinds.flatMap(k => k.resources.map(r => r.group))),
      ];
      const { resources: served, failedGroups } = await client.discover(groups);
      const collectKind = async (kind: CollectedKind) => {
        const mine = planned.filter(p => p.kind === kind);
        const theirs = others.filter(p => p.kind === kind);
        const out: KindOutcome[] = [];
        for (const spec of kind.resources) {
          const groupError = failedGroups.get(spec.group);
          if (groupError) {
            out.push({
              objects: [],
              health: [
                health(kind, spec.kind, { ok: false, error: groupError }),
              ],
            });
            continue;
          }
          const resources = served.filter(
            r =>
              r.group === spec.group &&
              (spec.wholeGroup || r.resource === spec.resource),
          );
          if (resources.length === 0) {
            out.push({
              objects: [],
              health: [
                health(kind, spec.kind, {
                  objects: 0,
                  // Nothing to list: every stored object of the kind is gone.
                  listed: [],
                  ...(spec.wholeGroup
                    ? { evidenceKind: kind.evidenceKind }
                    : {}),
                  note: `not served by this cluster (no ${
                    spec.resource ? `${spec.resource}.` : ''
                  }${spec.group})`,
                }),
              ],
            });
            continue;
          }
          // One health row per listed resource kind, whatever the cluster serves, so a later
          // failure replaces exactly the rows an earlier success wrote. Gatekeeper's discovered
          // kinds share one row: one of them failing drops the group's objects.
          const parts = await Promise.all(
            resources.map(r =>
              this.collectResource(run, r, mine, theirs, kind),
            ),
          );
          out.push(
            combine(parts, spec.kind, () =>
              // One row for a group's kinds covers the stored objects of each of them.
              health(
                kind,
                spec.kind,
                spec.wholeGroup ? { evidenceKind: kind.evidenceKind } : {},
              ),
            ),
          );
        }
        return out;
      };
      // Policy reports and AnalysisRuns last: attributed through the workloads listed first.
      const first = kinds.filter(k => !followsOwner(k.evidenceKind));
      const last = kinds.filter(k => followsOwner(k.evidenceKind));
      for (const batch of [first, last]) {
        for (const o of await Promise.all(batch.map(collectKind))) {
          for (const x of o) outcomes.push(x);
        }
      }
    } catch (caught) {
      stop.abort();
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
    const objects: CollectedObject[] = [];
    const rows: CollectionHealth[] = [...problems];
    for (const o of outcomes) {
      for (const x of o.objects) objects.push(x);
      for (const h of o.health) rows.push(h);
    }
    return { objects, health: rows };
  }

  /** One served resource, one list per namespace its places use (or one cluster-wide). */
  private async collectResource(
    run: ClusterRun,
    r: ServedResource,
    planned: Planned[],
    others: Planned[],
    kind: CollectedKind,
  ): Promise<ResourceOutcome> {
    const byNamespace = new Map<string | undefined, Candidate[]>();
    for (const p of planned) {
      const ns = r.namespaced ? p.namespace : undefined;
      const list = byNamespace.get(ns);
      if (list) list.push(p.candidate);
      else byNamespace.set(ns, [p.candidate]);
    }
    // Only namespaces this run lists: other places there can contest an object.
    for (const p of others) {
      const ns = r.namespaced ? p.namespace : undefined;
      byNamespace.get(ns)?.push(p.candidate);
    }
    const outcomes = await Promise.all(
      [...byNamespace].map(([namespace, candidates]) =>
        run.limit(() =>
          this.collectNamespace(run, r, namespace, candidates, kind),
        ),
      ),
    );
    const objects: CollectedObject[] = [];
    const ambiguous: string[] = [];
    const notes: string[] = [];
    const listed: string[] = [];
    const namespaceFailures: CollectionHealth[] = [];
    let unshaped = 0;
    const namespaces = [...byNamespace.keys()];
    const environmentsIn = (ns: string | undefined) =>
      [
        ...new Set(
          byNamespace
            .get(ns)!
            .filter(c => !c.attributionOnly)
            .map(c => c.place.environment),
        ),
      ].sort();
    for (const [i, o] of outcomes.entries()) {
      if ('error' in o) {
        if (o.namespace === undefined) {
          return {
            objects: [],
            health: run.health(kind, r.kind, { ok: false, error: o.error }),
            namespaceFailures: [],
          };
        }
        namespaceFailures.push({
          ...run.health(kind, r.kind, { ok: false, error: o.error }),
          namespace: o.namespace,
          environments: environmentsIn(o.namespace),
        });
        continue;
      }
      for (const x of o.objects) objects.push(x);
      for (const x of o.listed) listed.push(x);
      // A count names nothing: the kind's row.
      unshaped += o.unshaped;
      const ns = namespaces[i];
      if (ns !== undefined) {
        // Notes name objects (and entities) of one namespace: they go in that namespace's row,
        // which only entities reading there are shown.
        const own = notesOf(o.ambiguous, o.notes, 0);
        if (own.length) {
          namespaceFailures.push({
            ...run.health(kind, r.kind, {
              objects: o.objects.length,
              listed: o.listed,
              note: own.join('; '),
            }),
            namespace: ns,
            environments: environmentsIn(ns),
          });
        }
        continue;
      }
      for (const x of o.ambiguous) ambiguous.push(x);
      for (const x of o.notes) if (!notes.includes(x)) notes.push(x);
    }
    notes.unshift(...notesOf(ambiguous, [], unshaped));
    return {
      objects,
      namespaceFailures,
      health:
        namespaceFailures.filter(f => !f.ok).length === byNamespace.size
          ? undefined
          : run.health(kind, r.kind, {
              objects: objects.length,
              listed,
              note: notes.length ? notes.join('; ') : undefined,
            }),
    };
  }

  /** One list (a namespace, or cluster-wide), attributed. */
  private async collectNamespace(
    run: ClusterRun,
    r: ServedResource,
    namespace: string | undefined,
    candidates: Candidate[],
    kind: CollectedKind,
  ): Promise<
    | {
        objects: CollectedObject[];
        /** Every object listed, attributed or not: none of them is gone. */
        listed: string[];
        ambiguous: string[];
        notes: string[];
        unshaped: number;
      }
    | { namespace: string | undefined; error: string }
  > {
    // Policy reports and AnalysisRuns: attributed through what they are about (owners.ts).
    const isReport = followsOwner(kind.evidenceKind);
    // One place alone cannot be contested: the server filters. Policy reports are read whole,
    // since most carry no entity's labels and are attributed through their resource.
    const selector =
      candidates.length === 1 && !isReport
        ? formatRequirements(candidates[0].requirements) || undefined
        : undefined;
    let items: KubeObject[];
    try {
      items = await run.client.list(
        r,
        namespace,
        this.config.pageSize,
        selector,
      );
    } catch (e) {
      if (e instanceof ClusterReadError && e.scope === 'resource') {
        return { namespace, error: e.message };
      }
      throw e;
    }
    const kept = items.filter(shaped);
    for (const o of kept) run.owners.remember(r.kind, o);
    const index = new CandidateIndex(candidates);
    // Velero's objects belong to the places whose namespace they cover (placeScope.ts).
    const a = attribute(kept, index, (o, place) =>
      admits(kind.evidenceKind, o, place),
    );
    const notes: string[] = [];
    if (isReport && namespace !== undefined) {
      for (const report of a.unmatched) {
        const resolved = await run.owners.labelsFor(kind.evidenceKind, report);
        if (resolved && 'skipped' in resolved) {
          notes.push(
            `a report could not be attributed through its resource: ${resolved.skipped}`,
          );
        } else if (resolved) {
          decide(report, index.match(resolved.labels), a);
        }
      }
    }
    const objects: CollectedObject[] = [];
    for (const { object, place, attributionOnly } of a.owned) {
      if (attributionOnly) continue;
      const m = object.metadata!;
      objects.push({
        entityRef: place.entityRef,
        environment: place.environment,
        evidenceKind: kind.evidenceKind,
        // A cluster-scoped constraint or report: only the place's namespace's part is kept.
        document: r.namespaced
          ? object
          : narrowToPlace(kind.evidenceKind, object, place.namespace),
        subject: subjectOf(object),
        provenance: {
          collector: KUBERNETES_COLLECTOR_ID,
          cluster: run.client.name,
          namespace: m.namespace,
          kind: object.kind ?? r.kind,
          apiVersion: object.apiVersion,
          name: m.name!,
          uid: m.uid!,
          resourceVersion: m.resourceVersion!,
        },
      });
    }
    return {
      objects,
      listed: kept.map(o => o.metadata!.uid!),
      ambiguous: a.ambiguous,
      notes,
      unshaped: items.length - kept.length,
    };
  }
}

/** The resources of one spec (Gatekeeper's several, or one) as that spec's rows. */
function combine(
  parts: ResourceOutcome[],
  kindName: string,
  ok: () => CollectionHealth,
): KindOutcome {
  const failed = parts.find(p => p.health && !p.health.ok);
  if (failed) {
    return { objects: [], health: [{ ...failed.health!, kind: kindName }] };
  }
  const objects: CollectedObject[] = [];
  for (const p of parts) for (const o of p.objects) objects.push(o);
  const failures = parts.flatMap(p =>
    p.namespaceFailures.map(f => ({ ...f, kind: kindName })),
  );
  const listed = parts.filter(p => p.health);
  if (listed.length === 0) return { objects, health: failures };
  const notes = listed.map(p => p.health!.note).filter(Boolean);
  return {
    objects,
    health: [
      {
        ...ok(),
        objects: listed.reduce((n, p) => n + (p.health!.objects ?? 0), 0),
        listed: listed.flatMap(p => p.health!.listed ?? []),
        note: notes.length ? notes.join('; ') : undefined,
      },
      ...failures,
    ],
  };
}

/** The words for objects listed but not kept or claimed by no entity, then the other notes. */
function notesOf(ambiguous: string[], notes: string[], unshaped: number) {
  const out: string[] = [];
  if (ambiguous.length) {
    out.push(
      `${
        ambiguous.length
      } object(s) matched the label selectors of more than one entity and were attributed to none: ${ambiguous
        .slice(0, 10)
        .join('; ')}`,
    );
  }
  if (unshaped) {
    out.push(
      `${unshaped} object(s) without a name, uid or resourceVersion could not be kept`,
    );
  }
  for (const x of notes) if (!out.includes(x)) out.push(x);
  return out;
}

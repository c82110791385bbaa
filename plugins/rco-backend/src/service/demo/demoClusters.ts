/**
 * The local portal's simulated clusters (rco.demoClusters): each serves a folder of
 * examples/cluster over the Kubernetes list API on a loopback port, so the real Kubernetes
 * collector reads them through the `kubernetes:` cluster entries that name those ports. A
 * cluster may refuse some resources with 403, as a cluster whose service account lacks a grant
 * would, so the Release tab's collection health shows a degraded kind next to working ones.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { DemoClusterConfig } from '../../config';
import {
  ApiAnswer,
  loadSimulatedCluster,
  Obj,
  parseResourcePath,
  serveSimulatedCluster,
  SimulatedCluster,
  SimulatedClusterServer,
  statusBody,
} from './simulatedCluster';

export type { DemoClusterConfig };

/** The service account the 403 names: the one a platform team would bind the ClusterRole to. */
const ACCOUNT = 'system:serviceaccount:rco-system:rco-backend';

/**
 * The API server's answer to a list it does not allow, word for word as Kubernetes says it (the
 * collector turns it into the health's error).
 */
export function forbidden(
  cluster: SimulatedCluster,
  forbid: string[],
  url: URL,
): ApiAnswer | undefined {
  const parsed = parseResourcePath(cluster, url.pathname);
  if (!parsed || parsed === 'discovery') return undefined;
  const { resource, namespace } = parsed;
  const qualified = resource.group
    ? `${resource.resource}.${resource.group}`
    : resource.resource;
  if (!forbid.includes(qualified)) return undefined;
  const where = namespace
    ? ` in the namespace "${namespace}"`
    : ' at the cluster scope';
  return {
    status: 403,
    body: statusBody(
      403,
      'Forbidden',
      `${qualified} is forbidden: User "${ACCOUNT}" cannot list resource "${resource.resource}" in API group "${resource.group}"${where}`,
      { group: resource.group, kind: resource.resource },
    ),
  };
}

const MINUTE = 60_000;
/** Backups of one schedule the simulated cluster keeps (Velero's TTL, shortened). */
const BACKUPS_KEPT = 3;

/**
 * What Velero's schedules would have done by `now`: when a schedule's newest backup is as old
 * as the interval between its last two (RCO's: five minutes, the runbook's RPO), a new Backup
 * object (a new name, as Velero creates one per run) completed at
 * `now`, and the oldest beyond the three newest expire. One new backup per call however far the
 * clock moved, as the demo keeper reports once at the new time. Returns the backups created.
 */
const intervals = new WeakMap<SimulatedCluster, Map<string, number>>();

export function keepBackingUp(cluster: SimulatedCluster, now: Date): number {
  const schedules = new Map<string, Obj[]>();
  for (const o of cluster.all()) {
    const schedule = o.metadata.labels?.['velero.io/schedule-name'];
    if (o.kind !== 'Backup' || !schedule) continue;
    schedules.set(schedule, [...(schedules.get(schedule) ?? []), o]);
  }
  const status = (o: Obj) =>
    (o.status ?? {}) as { completionTimestamp?: string; [k: string]: unknown };
  const done = (o: Obj) => Date.parse(status(o).completionTimestamp ?? '') || 0;
  let created = 0;
  for (const [schedule, backups] of schedules) {
    backups.sort((a, b) => done(b) - done(a));
    const [newest, previous] = backups;
    // The schedule's interval as its last two backups showed it when first seen (a lone backup
    // shows none); kept, so backups taken a little early do not shorten it.
    const seen = intervals.get(cluster) ?? new Map<string, number>();
    intervals.set(cluster, seen);
    if (!seen.has(schedule))
      seen.set(schedule, previous ? done(newest) - done(previous) : 0);
    const every = seen.get(schedule)!;
    // A minute early: with the keeper's 30-second cadence and a collection right after, the
    // newest backup the gates read stays within the interval (the runbook's RPO).
    if (every <= 0 || now.getTime() - done(newest) < every - MINUTE) continue;
    // The schedule's own slots since the newest (the last three, as many as are kept), never
    // after now: after the portal clock moved on, the backups the gates read are one interval
    // apart, as Velero's would be, not "the newest, then one at whatever time it is now".
    const last = done(newest);
    const slots = Math.max(
      1,
      Math.floor((now.getTime() - last + MINUTE) / every),
    );
    const from = Math.max(1, slots - (BACKUPS_KEPT - 1));
    for (let j = from; j <= slots; j++) {
      const at = new Date(Math.min(last + j * every, now.getTime()));
      renew(cluster, newest, schedule, at, MINUTE, {
        expiration: new Date(at.getTime() + 72 * 60 * MINUTE).toISOString(),
      });
      created++;
    }
    expire(
      cluster,
      cluster
        .all()
        .filter(
          o =>
            o.kind === 'Backup' &&
            o.metadata.labels?.['velero.io/schedule-name'] === schedule,
        )
        .sort((a, b) => done(b) - done(a)),
      BACKUPS_KEPT,
    );
  }
  return created;
}

/**
 * A new object like `newest` (Velero names each run anew: `<base>-<yyyymmddhhmmss>`) that ran for
 * `took` milliseconds and completed at `now`.
 */
function renew(
  cluster: SimulatedCluster,
  newest: Obj,
  base: string,
  now: Date,
  took: number,
  status: Record<string, unknown> = {},
) {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const started = new Date(now.getTime() - took).toISOString();
  cluster.put({
    ...newest,
    metadata: {
      name: `${base}-${stamp}`,
      namespace: newest.metadata.namespace,
      labels: newest.metadata.labels,
      creationTimestamp: started,
    },
    status: {
      ...(newest.status as object),
      startTimestamp: started,
      completionTimestamp: now.toISOString(),
      ...status,
    },
  });
}

/** The oldest of `newestFirst` beyond the ones kept expire (the list is from before the renewal). */
function expire(
  cluster: SimulatedCluster,
  newestFirst: Obj[],
  kept = BACKUPS_KEPT - 1,
) {
  for (const old of newestFirst.slice(kept)) {
    cluster.delete(
      old.apiVersion,
      old.kind,
      old.metadata.namespace,
      old.metadata.name,
    );
  }
}

/** How often the simulated platform team runs its restore drill (the gate wants one a day). */
const DRILL_EVERY = 12 * 60 * MINUTE;

/**
 * What the platform team's restore drill would have done by `now`: when the newest Restore of a
 * namespace finished half a day ago or more, a new Restore object (a new name) that took as long
 * as the last one and finished at `now`, the oldest beyond three removed. Without it, moving the
 * demo clock a day on would leave the runbook's RTO drill stale in every environment. Returns the
 * restores created.
 */
export function keepDrilling(cluster: SimulatedCluster, now: Date): number {
  const byNamespace = new Map<string, Obj[]>();
  for (const o of cluster.all()) {
    if (o.kind !== 'Restore') continue;
    const ns = o.metadata.namespace ?? '';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), o]);
  }
  const status = (o: Obj) =>
    (o.status ?? {}) as {
      startTimestamp?: string;
      completionTimestamp?: string;
      [k: string]: unknown;
    };
  const done = (o: Obj) => Date.parse(status(o).completionTimestamp ?? '') || 0;
  let created = 0;
  for (const restores of byNamespace.values()) {
    restores.sort((a, b) => done(b) - done(a));
    const newest = restores[0];
    if (now.getTime() - done(newest) < DRILL_EVERY) continue;
    const took = Math.max(
      0,
      done(newest) - (Date.parse(status(newest).startTimestamp ?? '') || 0),
    );
    renew(
      cluster,
      newest,
      newest.metadata.name.replace(/-\d{14}$/, ''),
      now,
      took,
    );
    created++;
    expire(cluster, restores);
  }
  return created;
}

/** The simulated clusters running, and their Velero schedules. */
export interface DemoClusters {
  servers: SimulatedClusterServer[];
  /** Lets each cluster's Velero schedules and restore drills catch up to `now`; the objects created. */
  tick(now: Date): number;
}

/**
 * Starts every configured simulated cluster; a cluster that cannot start (its port taken) is
 * logged and left out: the collection health then says the cluster is unreachable.
 */
export async function startDemoClusters(o: {
  clusters: DemoClusterConfig[];
  now: Date;
  logger: LoggerService;
}): Promise<DemoClusters> {
  const servers: SimulatedClusterServer[] = [];
  const clusters: SimulatedCluster[] = [];
  for (const c of o.clusters) {
    try {
      const cluster = loadSimulatedCluster(c.dir, { now: o.now });
      const server = await serveSimulatedCluster(cluster, {
        port: c.port,
        intercept: ({ url }) => forbidden(cluster, c.forbid, url),
      });
      servers.push(server);
      clusters.push(cluster);
      o.logger.info(
        `Simulated cluster ${c.name} (${c.dir}) serves the Kubernetes API on ${
          server.url
        }${c.forbid.length ? `; refuses ${c.forbid.join(', ')} with 403` : ''}`,
      );
    } catch (error) {
      o.logger.error(
        `Simulated cluster ${c.name} did not start on port ${c.port}: ${error}`,
      );
    }
  }
  return {
    servers,
    tick: now =>
      clusters.reduce(
        (n, c) => n + keepBackingUp(c, now) + keepDrilling(c, now),
        0,
      ),
  };
}

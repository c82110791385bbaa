import { CollectionHealthView } from '@helix-portal/plugin-rco-common';
import { CollectionHealthRow } from '../database/CollectionHealthStore';

/**
 * One entity's collection health: the stored rows of its environments, one view per collector,
 * cluster and kind (environments merged), and 'never' for a collector that has not reached any
 * of them yet. `objects` is this entity's count in the last successful run.
 */
export function healthView(
  entityRef: string,
  collectors: string[],
  environments: string[],
  rows: CollectionHealthRow[],
): CollectionHealthView[] {
  const ref = entityRef.toLowerCase();
  const views = new Map<string, CollectionHealthView>();
  for (const row of rows) {
    if (!environments.includes(row.environment)) continue;
    const key = `${row.collector}\u0000${row.cluster}\u0000${row.kind}`;
    const view = views.get(key) ?? {
      collector: row.collector,
      cluster: row.cluster,
      kind: row.kind,
      environments: [],
      state: 'ok',
    };
    view.environments.push(row.environment);
    const attempt = row.lastAttemptAt.toISOString();
    if (!view.lastAttemptAt || attempt > view.lastAttemptAt)
      view.lastAttemptAt = attempt;
    const success = row.lastSuccessAt?.toISOString();
    if (success && (!view.lastSuccessAt || success > view.lastSuccessAt))
      view.lastSuccessAt = success;
    // One failing environment makes the line failing: its error is what people must read.
    if (row.lastError) {
      view.state = 'failing';
      view.error = row.lastError;
    }
    if (row.entityObjects[ref] !== undefined)
      view.objects = (view.objects ?? 0) + row.entityObjects[ref];
    views.set(key, view);
  }
  // A collector that failed as a whole is stored as cluster '*', kind '*': it says something
  // only until the collector reaches its clusters again.
  const newest = new Map<string, string>();
  for (const v of views.values()) {
    if (v.kind === '*') continue;
    const at = newest.get(v.collector);
    if (!at || v.lastAttemptAt! > at) newest.set(v.collector, v.lastAttemptAt!);
  }
  const result = [...views.values()]
    .filter(
      v =>
        v.kind !== '*' ||
        !newest.has(v.collector) ||
        v.lastAttemptAt! >= newest.get(v.collector)!,
    )
    .map(v => ({
      ...v,
      environments: [...new Set(v.environments)].sort(),
    }));
  for (const collector of collectors) {
    if (!environments.length || result.some(v => v.collector === collector))
      continue;
    result.push({
      collector,
      cluster: '',
      kind: '',
      environments: [...environments].sort(),
      state: 'never',
    });
  }
  return result.sort((a, b) =>
    `${a.collector} ${a.cluster} ${a.kind}`.localeCompare(
      `${b.collector} ${b.cluster} ${b.kind}`,
    ),
  );
}

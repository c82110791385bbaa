import { CollectionHealthView } from '@helix-portal/plugin-rco-common';
import {
  CollectionHealthRow,
  EntityCount,
  HealthKey,
} from '../database/CollectionHealthStore';

const groupKey = (r: { collector: string; cluster: string; kind: string }) =>
  `${r.collector}\u0000${r.cluster}\u0000${r.kind}`;
const rowKey = (r: HealthKey) =>
  `${groupKey(r)}\u0000${r.environment}\u0000${r.namespace}\u0000${
    r.aboutEntity
  }`;

/**
 * One entity's collection health: the stored rows of its environments (and its namespaces: the
 * store leaves out other teams'), one view per collector, cluster and kind (environments and
 * namespaces merged), and 'never' for a collector that has not reached any of them yet.
 * `objects` is this entity's count in the last successful runs; `note` what people should know
 * although the rows are ok (a kind not served, objects attributed to no entity). A collector
 * that failed as a whole ('*') shows while its failure stands; one owner's refresh that failed
 * so is not shown on other entities' pages.
 */
export function healthView(
  entityRef: string,
  collectors: string[],
  environments: string[],
  rows: CollectionHealthRow[],
  counts: EntityCount[] = [],
): CollectionHealthView[] {
  const ref = entityRef.toLowerCase();
  const mine = new Map<string, number>();
  for (const c of counts)
    if (c.entityRef.toLowerCase() === ref)
      mine.set(rowKey(c), (mine.get(rowKey(c)) ?? 0) + c.objects);
  const views = new Map<string, CollectionHealthView>();
  const notes = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!environments.includes(row.environment)) continue;
    if (row.kind === '*' && !row.lastError) continue;
    if (
      row.kind === '*' &&
      row.errorScope &&
      row.errorScope !== 'full' &&
      row.errorScope !== ref
    )
      continue;
    const key = groupKey(row);
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
    } else if (row.note) {
      const set = notes.get(key) ?? new Set<string>();
      set.add(row.note);
      notes.set(key, set);
    }
    // A row that succeeded once counts this entity's objects, 0 when it had none there.
    if (row.lastSuccessAt)
      view.objects = (view.objects ?? 0) + (mine.get(rowKey(row)) ?? 0);
    views.set(key, view);
  }
  const result = [...views.entries()].map(([key, v]) => {
    const note = notes.get(key);
    return {
      ...v,
      environments: [...new Set(v.environments)].sort(),
      ...(note ? { note: [...note].join('; ') } : {}),
    };
  });
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

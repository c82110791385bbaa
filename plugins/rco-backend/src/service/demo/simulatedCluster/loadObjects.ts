/**
 * Loads a simulated cluster's objects from YAML files (every `*.yaml` of a folder, multi-document
 * files and `List` documents included), as `kubectl apply -f <folder>` would read them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderTimes } from '../../demoEvidence';
import { Obj, SimulatedCluster } from './SimulatedCluster';

export function objectsFromYaml(text: string, source = 'YAML'): Obj[] {
  const out: Obj[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) {
      throw new Error(`${source}: ${doc.errors[0].message}`);
    }
    const value = doc.toJS() as any;
    if (!value) continue;
    const items = value.kind === 'List' ? value.items ?? [] : [value];
    for (const item of items) {
      if (!item?.apiVersion || !item?.kind || !item?.metadata?.name) {
        throw new Error(
          `${source}: every object needs apiVersion, kind and metadata.name`,
        );
      }
      out.push(item);
    }
  }
  return out;
}

/**
 * A cluster holding every object of the folder's YAML files; `'{{now-12m}}'` and the like are
 * filled in relative to `now` (the portal's clock), so backups and reports look recent.
 */
export function loadSimulatedCluster(
  dir: string,
  options: { now?: Date; cluster?: SimulatedCluster } = {},
): SimulatedCluster {
  const cluster = options.cluster ?? new SimulatedCluster();
  const now = options.now ?? new Date();
  const files = fs
    .readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort();
  for (const file of files) {
    const full = path.join(dir, file);
    const text = renderTimes(fs.readFileSync(full, 'utf8'), now);
    for (const obj of objectsFromYaml(text, full)) {
      cluster.put(obj);
    }
  }
  return cluster;
}

/**
 * Loads a simulated cluster's objects from YAML files (every `*.yaml` of a folder, multi-document
 * files and `List` documents included), as `kubectl apply -f <folder>` would read them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
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

/** A cluster holding every object of the folder's YAML files. */
export function loadSimulatedCluster(
  dir: string,
  cluster = new SimulatedCluster(),
): SimulatedCluster {
  const files = fs
    .readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort();
  for (const file of files) {
    const full = path.join(dir, file);
    for (const obj of objectsFromYaml(fs.readFileSync(full, 'utf8'), full)) {
      cluster.put(obj);
    }
  }
  return cluster;
}

import { EvidenceKind } from '@helix-portal/plugin-rco-common';
import { EvidenceRecord } from '../../database/EvidenceStore';
import { parse as parseYaml } from 'yaml';
import { renderTimes } from '../../service/demoEvidence';
import { readExample } from '../../__testUtils__/fixtures';
import { NOW, record } from './context';

/**
 * The records of one of the demo evidence documents of examples/rco/evidence, with its
 * `{{now}}` times rendered against NOW (a Kubernetes List gives one record per item).
 */
export function example(
  kind: EvidenceKind,
  file: string,
  options: Parameters<typeof record>[2] = {},
): EvidenceRecord[] {
  const doc = parseYaml(renderTimes(readExample(`rco/evidence/${file}`), NOW));
  const items = doc?.kind === 'List' ? doc.items : [doc];
  return items.map((item: unknown) => record(kind, item, options));
}

import { InputError } from '@backstage/errors';
import { EvidenceKind } from '@helix-portal/plugin-rco-common';
import { EvidenceSource } from '../database/EvidenceStore';
import { collectorAnnotations } from './parsers/narrowing';

/**
 * Evidence kinds that only the console's own collectors observe, and the source that observes
 * each. The monitoring-alerting gate trusts an `alerting-state` because the console read it from
 * Prometheus and Alertmanager itself; the same document from CI or a person would be their word
 * for what the stack runs, so it is refused (400) however it is sent (with or without ?kind=).
 */
export const COLLECTED_ONLY: Partial<Record<EvidenceKind, EvidenceSource>> = {
  'alerting-state': 'monitoring',
};

export function assertUploadable(
  kind: EvidenceKind,
  source: EvidenceSource,
  where: string,
  doc?: unknown,
): void {
  const only = COLLECTED_ONLY[kind];
  if (only && only !== source)
    throw new InputError(
      `${where} is ${kind} evidence, which only the console's ${only} collector observes (from the stack itself); it cannot be uploaded`,
    );
  // What the collector writes when it narrows a cluster-wide object is its own word.
  const carried = source === 'cluster' ? [] : collectorAnnotations(doc);
  if (carried.length)
    throw new InputError(
      `${where} carries ${carried.join(
        ', ',
      )}, which only the console's Kubernetes collector writes; upload the object as the cluster holds it`,
    );
}

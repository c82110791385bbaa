import {
  CollectionHealthView,
  GateEvidenceRef,
} from '@helix-portal/plugin-rco-common';
import { plural } from '../shared';

/** A collection's state as the chip says it: a word, never colour alone. */
export const COLLECTION_STATE_LABEL: Record<
  CollectionHealthView['state'],
  string
> = {
  ok: 'OK',
  failing: 'Failing',
  never: 'Not collected yet',
};

/**
 * The cluster in words. The backend lists a collector that reached no cluster yet with an empty
 * cluster, and one that failed as a whole (before any cluster) with `*`.
 */
export const clusterLabel = (h: { collector: string; cluster: string }) => {
  if (h.cluster === '*') return `every cluster of the ${h.collector} collector`;
  return h.cluster || `the ${h.collector} collector`;
};

/** The kind in words (empty or `*`: the collector as a whole). */
export const kindLabel = (h: { kind: string }) =>
  h.kind && h.kind !== '*' ? h.kind : 'every kind';

/** One cluster (or monitoring endpoint) and what the console collects there. */
export interface CollectionGroup {
  cluster: string;
  collector: string;
  simulated: boolean;
  rows: CollectionHealthView[];
}

/**
 * Health rows by cluster, in the order the backend listed them; failing kinds first within a
 * cluster, so the one that needs attention is read first.
 */
export function groupByCluster(
  health: CollectionHealthView[],
): CollectionGroup[] {
  const groups = new Map<string, CollectionGroup>();
  for (const row of health) {
    const key = `${row.collector}|${row.cluster}`;
    const group = groups.get(key) ?? {
      cluster: clusterLabel(row),
      collector: row.collector,
      simulated: false,
      rows: [],
    };
    group.simulated = group.simulated || !!row.simulated;
    group.rows.push(row);
    groups.set(key, group);
  }
  const rank = { failing: 0, never: 1, ok: 2 };
  for (const group of groups.values()) {
    group.rows.sort((a, b) => rank[a.state] - rank[b.state]);
  }
  return [...groups.values()];
}

/**
 * The health in one sentence: "All 6 kinds collected" or "1 of 6 kinds failing: policyreports
 * in simulated-cluster". The page header and the announcement after "Collect now" say it.
 */
export function collectionSummary(health: CollectionHealthView[]): string {
  if (!health.length) return 'Nothing to collect for this service yet';
  const failing = health.filter(h => h.state === 'failing');
  const never = health.filter(h => h.state === 'never');
  const parts: string[] = [];
  if (failing.length) {
    parts.push(
      `${failing.length} of ${plural(health.length, 'kind')} failing: ${failing
        .map(h => `${kindLabel(h)} in ${clusterLabel(h)}`)
        .join(', ')}`,
    );
  }
  if (never.length) {
    parts.push(`${plural(never.length, 'kind')} not collected yet`);
  }
  if (!parts.length) {
    return health.length === 1
      ? 'The 1 kind is collected'
      : `All ${health.length} kinds collected`;
  }
  return parts.join('; ');
}

/** "PolicyReport rco-prod/polr-ns-rco-prod": what was read, as kubectl would name it. */
export const objectName = (p: NonNullable<GateEvidenceRef['provenance']>) =>
  `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;

/** A signature's standing in words: verified here, failed here (why), or only CI's claim. */
export function signatureWords(s: NonNullable<GateEvidenceRef['signature']>): {
  label: string;
  detail?: string;
  trusted: boolean;
} {
  if (s.verifiedBy === 'claim') {
    return {
      label: "CI's claim — not verified here",
      detail: 'A tool reported this signature; the console did not check it',
      trusted: false,
    };
  }
  const who = s.identity
    ? [
        s.identity.subject,
        s.identity.issuer && `issued by ${s.identity.issuer}`,
      ]
        .filter(Boolean)
        .join(', ') ||
      (s.identity.keyId && `key ${s.identity.keyId}`)
    : undefined;
  if (s.ok) {
    return {
      label: `Verified by the console${who ? ` (identity ${who})` : ''}`,
      trusted: true,
    };
  }
  return {
    label: 'Verification by the console failed',
    detail: s.reason ?? 'no reason given',
    trusted: false,
  };
}

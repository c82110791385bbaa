/**
 * Kinds whose objects do not live in the place's namespace are still about one namespace (S1 M1,
 * M2, L3). A Velero Backup sits in the platform's `velero` namespace but backs up the namespaces
 * its spec names: it belongs to a place only when it covers the place's namespace, whatever its
 * labels say. A cluster-scoped Gatekeeper constraint (or ClusterPolicyReport / ClusterReport)
 * lists violations from every tenant: a place keeps only those in its own namespace, so another
 * tenant's objects do not show their names on its page; what the audit counted without listing
 * is kept apart as undecided (it may be the place's).
 */
import type { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { minimatch } from 'minimatch';
import type { KubeObject } from './clusterClient';
import {
  NARROWED_NAMESPACE,
  UNLISTED_VIOLATIONS,
} from '../../evidence/parsers/gatekeeper';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * Whether a Velero Backup covers `namespace` whole: included explicitly, by `*` or by naming
 * none (Velero's default: every namespace), not excluded (Velero matches excludes as globs), and
 * not narrowed to some objects (a label selector, some resource types): such a backup is no
 * recovery point for the namespace. Include patterns other than `*` are not read: they never
 * count (a backup must name the place to count for it).
 */
export function coversNamespace(object: KubeObject, namespace: string) {
  const spec = isObj((object as Obj)?.spec) ? (object as Obj).spec : {};
  const included = strings(spec.includedNamespaces);
  const excluded = strings(spec.excludedNamespaces);
  if (excluded.some(p => minimatch(namespace, p))) return false;
  if (narrowed(spec)) return false;
  return (
    included.length === 0 ||
    included.includes('*') ||
    included.includes(namespace)
  );
}

/** Leaving these out loses nothing a recovery needs (Velero's own docs exclude events). */
const HARMLESS = new Set(['events', 'events.events.k8s.io']);

/** Some objects of the namespaces only: by labels or by resource type. */
function narrowed(spec: Obj) {
  const onlySome = (v: unknown) => {
    const resources = strings(v);
    return resources.length > 0 && !resources.includes('*');
  };
  const leavesOut = (v: unknown) => strings(v).some(r => !HARMLESS.has(r));
  return (
    spec.labelSelector !== undefined ||
    spec.orLabelSelectors !== undefined ||
    onlySome(spec.includedResources) ||
    onlySome(spec.includedNamespaceScopedResources) ||
    leavesOut(spec.excludedResources) ||
    leavesOut(spec.excludedNamespaceScopedResources)
  );
}

/**
 * Whether a Velero Restore is a drill of `namespace`: it must name the namespace (a restore of
 * "everything in the backup" is about whoever's backup it names) and restore it whole.
 */
export function restoresNamespace(object: KubeObject, namespace: string) {
  const spec = isObj((object as Obj)?.spec) ? (object as Obj).spec : {};
  const excluded = strings(spec.excludedNamespaces);
  return (
    strings(spec.includedNamespaces).includes(namespace) &&
    !excluded.some(p => minimatch(namespace, p)) &&
    !narrowed(spec)
  );
}

/** Whether a place may own an object of this kind at all (besides its label selector). */
export function admits(
  evidenceKind: string,
  object: KubeObject,
  place: Pick<CollectionPlace, 'namespace'>,
): boolean {
  if (evidenceKind === 'velero-backup')
    return coversNamespace(object, place.namespace);
  if (evidenceKind === 'velero-restore')
    return restoresNamespace(object, place.namespace);
  return true;
}

/**
 * Whether a violation's or result resource is the place's: in its namespace, or the place's own
 * Namespace object. Cluster-scoped objects are nobody's here: a tenant's PVC makes the
 * provisioner create a PersistentVolume whose violation names the tenant's claim.
 */
const inPlace = (ref: unknown, namespace: string): boolean => {
  if (!isObj(ref)) return false;
  if (ref.kind === 'Namespace') return ref.name === namespace;
  return typeof ref.namespace === 'string' && ref.namespace === namespace;
};

function annotate(copy: Obj, namespace: string, unlisted = 0) {
  copy.metadata = isObj(copy.metadata) ? copy.metadata : {};
  const annotations = isObj(copy.metadata.annotations)
    ? copy.metadata.annotations
    : {};
  annotations[NARROWED_NAMESPACE] = namespace;
  if (unlisted > 0) annotations[UNLISTED_VIOLATIONS] = String(unlisted);
  else delete annotations[UNLISTED_VIOLATIONS];
  copy.metadata.annotations = annotations;
}

/**
 * Whether a constraint can apply to objects of the namespace, by its `spec.match.namespaces` and
 * `excludedNamespaces` (Gatekeeper's globs): one that cannot has no unlisted violation of ours.
 * A namespaceSelector is not read (the Namespace's labels are not listed): it may apply.
 */
function applies(spec: unknown, namespace: string) {
  const match = isObj(spec) && isObj(spec.match) ? spec.match : {};
  const only = strings(match.namespaces);
  // A pattern Gatekeeper would not read the same way "may match" when including, and never
  // excludes: only its own syntax can rule the namespace out.
  if (only.length && !only.some(p => gatekeeperMatch(p, namespace) !== false))
    return false;
  return !strings(match.excludedNamespaces).some(
    p => gatekeeperMatch(p, namespace) === true,
  );
}

/** Gatekeeper's namespace patterns (its CRD): a name, with `*` (or `*-`) before and/or after. */
const GATEKEEPER_PATTERN = /^(\*|\*-)?[a-z0-9]([-:a-z0-9]*[a-z0-9])?(\*|-\*)?$/;

/** Gatekeeper's wildcard match (pkg/wildcard); undefined for a pattern outside its syntax. */
export function gatekeeperMatch(
  pattern: string,
  namespace: string,
): boolean | undefined {
  if (!GATEKEEPER_PATTERN.test(pattern)) return undefined;
  const lead = pattern.startsWith('*');
  const trail = pattern.endsWith('*');
  const core = pattern.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (lead && trail) return namespace.includes(core);
  if (lead) return namespace.endsWith(core);
  if (trail) return namespace.startsWith(core);
  return namespace === core;
}

function narrowConstraint(copy: Obj, namespace: string) {
  const status = copy.status;
  if (!isObj(status) || !Array.isArray(status.violations ?? [])) return;
  const listed: unknown[] = status.violations ?? [];
  const total =
    typeof status.totalViolations === 'number'
      ? status.totalViolations
      : listed.length;
  const mine = listed.filter(v => inPlace(v, namespace));
  // The audit counts every violation but lists only its first ones (20 by default): those it
  // did not list may be ours. They are kept apart (policy-enforcement cannot decide on them):
  // neither another tenant's own violations turn the place red nor its flood turns it green.
  const unlisted = applies(copy.spec, namespace)
    ? Math.max(0, total - listed.length)
    : 0;
  status.violations = mine;
  status.totalViolations = mine.length;
  annotate(copy, namespace, unlisted);
}

const RESULTS = ['pass', 'fail', 'warn', 'error', 'skip'];

const countResults = (results: unknown[]) => {
  const counts: Record<string, number> = {};
  for (const k of RESULTS) counts[k] = 0;
  for (const r of results)
    if (isObj(r) && typeof r.result === 'string' && r.result in counts)
      counts[r.result] += 1;
  return counts;
};

function narrowReport(copy: Obj, namespace: string) {
  const scopeOk = inPlace(copy.scope, namespace);
  if (copy.scope !== undefined && !scopeOk) delete copy.scope;
  const results: unknown[] = Array.isArray(copy.results) ? copy.results : [];
  const kept: Obj[] = [];
  for (const r of results) {
    if (!isObj(r)) continue;
    const resources: unknown[] = Array.isArray(r.resources) ? r.resources : [];
    if (resources.length === 0) {
      // About the report's scope (the spec says so).
      if (scopeOk) kept.push(r);
      continue;
    }
    const mine = resources.filter(x => inPlace(x, namespace));
    if (mine.length) kept.push({ ...r, resources: mine });
  }
  // The generator's summary counts results it may not list (it caps them): fails and errors it
  // counted beyond those it listed may be ours, and are kept apart as undecided, as a
  // constraint's unlisted violations are; the listed ones are recounted.
  const original = isObj(copy.summary) ? copy.summary : {};
  const listed = countResults(results);
  const surplus = (k: string) =>
    Math.max(
      0,
      (typeof original[k] === 'number' ? original[k] : 0) - listed[k],
    );
  copy.results = kept;
  copy.summary = countResults(kept);
  annotate(copy, namespace, surplus('fail') + surplus('error'));
}

/** A namespaced object (a tenant may write it) never carries the collector's narrowing words. */
function withoutNarrowing(object: KubeObject): KubeObject {
  const annotations = (object as Obj).metadata?.annotations;
  if (
    !isObj(annotations) ||
    !(NARROWED_NAMESPACE in annotations || UNLISTED_VIOLATIONS in annotations)
  )
    return object;
  const copy = structuredClone(object) as Obj;
  delete copy.metadata.annotations[NARROWED_NAMESPACE];
  delete copy.metadata.annotations[UNLISTED_VIOLATIONS];
  return copy as KubeObject;
}

/**
 * The document as one place may keep it: a cluster-scoped constraint or report narrowed to the
 * place's namespace. Other objects are returned as they are. Never
 * mutates the listed object (other places share it).
 */
export function narrowToPlace(
  evidenceKind: string,
  object: KubeObject,
  namespace: string,
): KubeObject {
  if (object?.metadata?.namespace) return withoutNarrowing(object);
  if (evidenceKind === 'gatekeeper-constraint') {
    const copy = structuredClone(object) as Obj;
    narrowConstraint(copy, namespace);
    return copy as KubeObject;
  }
  if (evidenceKind === 'policy-report') {
    const copy = structuredClone(object) as Obj;
    narrowReport(copy, namespace);
    return copy as KubeObject;
  }
  return object;
}

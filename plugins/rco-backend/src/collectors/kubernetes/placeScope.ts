/**
 * Kinds whose objects do not live in the place's namespace are still about one namespace (S1 M1,
 * M2, L3). A Velero Backup sits in the platform's `velero` namespace but backs up the namespaces
 * its spec names: it belongs to a place only when it covers the place's namespace, whatever its
 * labels say. A cluster-scoped Gatekeeper constraint (or ClusterPolicyReport / ClusterReport)
 * lists violations from every tenant: a place keeps only those in its own namespace, so another
 * tenant's objects neither turn its gate red nor show their names on its page.
 */
import type { CollectionPlace } from '@helix-portal/plugin-rco-node';
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
 * Whether a Velero Backup (or Restore) covers `namespace`: included explicitly, by `*` or by
 * naming none (Velero's default: every namespace), and not excluded. Wildcard patterns other
 * than `*` are not read: they never count (a backup must name the place to count for it).
 */
export function coversNamespace(object: KubeObject, namespace: string) {
  const spec = isObj((object as Obj)?.spec) ? (object as Obj).spec : {};
  const included = strings(spec.includedNamespaces);
  const excluded = strings(spec.excludedNamespaces);
  if (excluded.includes(namespace) || excluded.includes('*')) return false;
  return (
    included.length === 0 ||
    included.includes('*') ||
    included.includes(namespace)
  );
}

const COVERAGE_KINDS = new Set(['velero-backup', 'velero-restore']);

/** Whether a place may own an object of this kind at all (besides its label selector). */
export function admits(
  evidenceKind: string,
  object: KubeObject,
  place: Pick<CollectionPlace, 'namespace'>,
): boolean {
  if (!COVERAGE_KINDS.has(evidenceKind)) return true;
  return coversNamespace(object, place.namespace);
}

/** Whether a violation's or result resource's namespace is the place's (or, if opted in, none). */
const inPlace = (
  ref: unknown,
  namespace: string,
  clusterScoped: boolean,
): boolean => {
  if (!isObj(ref)) return false;
  // The place's own Namespace object (a missing label on it) is about the place.
  if (ref.kind === 'Namespace' && ref.name === namespace) return true;
  const ns = typeof ref.namespace === 'string' ? ref.namespace : '';
  return ns === '' ? clusterScoped : ns === namespace;
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

function narrowConstraint(
  copy: Obj,
  namespace: string,
  clusterScoped: boolean,
) {
  const status = copy.status;
  if (!isObj(status) || !Array.isArray(status.violations ?? [])) return;
  const listed: unknown[] = status.violations ?? [];
  const total =
    typeof status.totalViolations === 'number'
      ? status.totalViolations
      : listed.length;
  const mine = listed.filter(v => inPlace(v, namespace, clusterScoped));
  status.violations = mine;
  status.totalViolations = mine.length;
  // The audit counts every violation but lists only its first ones: the rest may be ours.
  annotate(copy, namespace, Math.max(0, total - listed.length));
}

const RESULTS = ['pass', 'fail', 'warn', 'error', 'skip'];

function narrowReport(copy: Obj, namespace: string, clusterScoped: boolean) {
  const scopeOk = inPlace(copy.scope, namespace, clusterScoped);
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
    const mine = resources.filter(x => inPlace(x, namespace, clusterScoped));
    if (mine.length) kept.push({ ...r, resources: mine });
  }
  copy.results = kept;
  const summary: Record<string, number> = {};
  for (const k of RESULTS) summary[k] = 0;
  for (const r of kept) {
    if (typeof r.result === 'string' && r.result in summary)
      summary[r.result] += 1;
  }
  // The generator's own counts are cluster-wide: recounted from what is kept.
  copy.summary = summary;
  annotate(copy, namespace);
}

/**
 * The document as one place may keep it: a cluster-scoped constraint or report narrowed to the
 * place's namespace (cluster-scoped violations only when `clusterScoped` is configured). Other
 * objects are returned as they are. Never mutates the listed object (other places share it).
 */
export function narrowToPlace(
  evidenceKind: string,
  object: KubeObject,
  namespace: string,
  clusterScoped = false,
): KubeObject {
  if (object?.metadata?.namespace) return object;
  if (evidenceKind === 'gatekeeper-constraint') {
    const copy = structuredClone(object) as Obj;
    narrowConstraint(copy, namespace, clusterScoped);
    return copy as KubeObject;
  }
  if (evidenceKind === 'policy-report') {
    const copy = structuredClone(object) as Obj;
    narrowReport(copy, namespace, clusterScoped);
    return copy as KubeObject;
  }
  return object;
}

import { InputError } from '@backstage/errors';
import { EvidenceSubject } from '@helix-portal/plugin-rco-common';

/**
 * Small, dependency-free readers for Kubernetes-shaped documents. Documents arrive as `unknown`
 * (parsed JSON or YAML from an upload), so every access goes through a type guard.
 */

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function getObject(obj: Obj | undefined, key: string): Obj | undefined {
  const value = obj?.[key];
  return isObject(value) ? value : undefined;
}

/** The object at `path` (`['spec', 'template', 'spec']`), if every step is an object. */
export function getPath(
  obj: Obj | undefined,
  path: readonly string[],
): Obj | undefined {
  return path.reduce<Obj | undefined>((at, key) => getObject(at, key), obj);
}

export function getArray(
  obj: Obj | undefined,
  key: string,
): unknown[] | undefined {
  const value = obj?.[key];
  return Array.isArray(value) ? value : undefined;
}

/** A non-empty string, or undefined: `""` carries no information in these formats. */
export function getString(
  obj: Obj | undefined,
  key: string,
): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function getNumber(
  obj: Obj | undefined,
  key: string,
): number | undefined {
  const value = obj?.[key];
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

export function getBoolean(
  obj: Obj | undefined,
  key: string,
): boolean | undefined {
  const value = obj?.[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** Only the string values of a map (labels, matchLabels): anything else is not a label. */
export function getStringMap(
  obj: Obj | undefined,
  key: string,
): Record<string, string> {
  const map = getObject(obj, key);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/**
 * Whether `doc` is a Kubernetes object of one of `kinds` in API `group` at one of `versions`.
 * The core group is `''` (apiVersion `v1`). Detection is on group + kind so that two parsers
 * never claim the same document.
 */
export function isKubernetesKind(
  doc: unknown,
  group: string,
  versions: readonly string[],
  kinds: readonly string[],
): doc is Obj {
  if (!isObject(doc)) return false;
  const apiVersion = doc.apiVersion;
  const kind = doc.kind;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return false;
  const slash = apiVersion.lastIndexOf('/');
  const docGroup = slash === -1 ? '' : apiVersion.slice(0, slash);
  const docVersion = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  return (
    docGroup === group && versions.includes(docVersion) && kinds.includes(kind)
  );
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A copy of the document without `metadata.managedFields` and the last-applied annotation:
 * both repeat the object (often several times over) and say nothing the evidence needs.
 * The caller's object is never changed.
 */
export function stripNoise<T>(doc: T): T {
  const copy = structuredClone(doc);
  const metadata = isObject(copy) ? getObject(copy, 'metadata') : undefined;
  if (metadata) {
    delete metadata.managedFields;
    const annotations = getObject(metadata, 'annotations');
    if (annotations) delete annotations[LAST_APPLIED];
  }
  maskEnvValues(copy);
  return copy;
}

/**
 * Container `env[].value` often carries passwords and tokens set inline: keep the names (and
 * `valueFrom` references), mask the values, wherever a pod template sits in the object.
 */
function maskEnvValues(node: unknown) {
  const stack: unknown[] = [node];
  while (stack.length) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      stack.push(...current);
    } else if (isObject(current)) {
      for (const [key, value] of Object.entries(current)) {
        if (key === 'env' && Array.isArray(value)) {
          for (const item of value) {
            if (
              isObject(item) &&
              typeof item.value === 'string' &&
              item.value
            ) {
              item.value = '***REDACTED***';
            }
          }
        } else {
          stack.push(value);
        }
      }
    }
  }
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
}

/** `metadata` of an object detected as `what`; an object without a name is malformed. */
export function requireMetadata(doc: Obj, what: string): ObjectMeta {
  const metadata = getObject(doc, 'metadata');
  const name = getString(metadata, 'name');
  if (!name) throw new InputError(`${what} has no metadata.name`);
  return {
    name,
    namespace: getString(metadata, 'namespace'),
    labels: getStringMap(metadata, 'labels'),
  };
}

/** `key` of `obj` as an object, or an InputError naming the field. */
export function requireObject(obj: Obj, key: string, what: string): Obj {
  const value = getObject(obj, key);
  if (!value) throw new InputError(`${what} has no ${key}`);
  return value;
}

/** An optional numeric field: absent is fine, present but not a number is malformed. */
export function optionalNumber(
  obj: Obj,
  key: string,
  what: string,
): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InputError(`${what}: ${key} is not a number`);
  }
  return value;
}

/** `sha256:…` when an image reference is pinned by digest; tags prove nothing. */
export function imageDigest(image: string | undefined): string | undefined {
  const match = image?.match(/@(sha256:[a-f0-9]{64})$/);
  return match?.[1];
}

/** The release version a Kubernetes object declares with the recommended label. */
export function subjectFromLabels(
  labels: Record<string, string>,
): EvidenceSubject {
  const version = labels['app.kubernetes.io/version'];
  return version ? { version } : {};
}

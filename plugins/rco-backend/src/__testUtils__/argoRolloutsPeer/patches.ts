/**
 * The two patch formats the Kubernetes API accepts for custom resources, applied the way the
 * API server applies them: JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
 */

/** A JSON value. */
export type Json =
  | null
  | boolean
  | number
  | string
  | Json[]
  | { [key: string]: Json };

const isObject = (v: unknown): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * RFC 7386 MergePatch: objects merge key by key, `null` deletes a key, anything else (arrays
 * included) replaces the target value.
 */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: { [key: string]: Json } = isObject(target)
    ? structuredClone(target)
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** An RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: Json;
  from?: string;
}

/** Thrown for a patch that cannot apply (the API server answers 422). */
export class PatchError extends Error {}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The child of an array or object at `key`; undefined for anything else. */
function child(node: Json, key: string): Json | undefined {
  if (Array.isArray(node)) return node[Number(key)];
  return isObject(node) ? node[key] : undefined;
}

function parentOf(doc: Json, tokens: string[]): { parent: Json; key: string } {
  let node: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next = child(node, t);
    if (next === undefined) throw new PatchError(`path segment "${t}" missing`);
    node = next;
  }
  return { parent: node, key: tokens[tokens.length - 1] };
}

function get(doc: Json, path: string): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens);
  const v = child(parent, key);
  if (v === undefined) throw new PatchError(`path "${path}" does not exist`);
  return v;
}

function set(doc: Json, path: string, value: Json, insert: boolean): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (insert) parent.splice(i, 0, value);
    else if (i >= parent.length)
      throw new PatchError(`path "${path}" does not exist`);
    else parent[i] = value;
  } else if (isObject(parent)) {
    if (!insert && !(key in parent))
      throw new PatchError(`path "${path}" does not exist`);
    parent[key] = value;
  } else throw new PatchError(`path "${path}" has no container`);
  return doc;
}

function remove(doc: Json, path: string): Json {
  const { parent, key } = parentOf(doc, pointer(path));
  get(doc, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isObject(parent)) delete parent[key];
  return doc;
}

/** RFC 6902: applies the operations in order; any failing operation fails the whole patch. */
export function applyJsonPatch(target: Json, ops: JsonPatchOp[]): Json {
  if (!Array.isArray(ops))
    throw new PatchError('a JSON patch must be an array');
  let doc = structuredClone(target);
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        doc = set(doc, op.path, structuredClone(op.value ?? null), true);
        break;
      case 'replace':
        doc = set(doc, op.path, structuredClone(op.value ?? null), false);
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'test':
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) {
          throw new PatchError(`test of "${op.path}" failed`);
        }
        break;
      case 'copy':
        doc = set(doc, op.path, structuredClone(get(doc, op.from!)), true);
        break;
      case 'move': {
        const value = get(doc, op.from!);
        doc = remove(doc, op.from!);
        doc = set(doc, op.path, value, true);
        break;
      }
      default:
        throw new PatchError(`unknown op "${(op as JsonPatchOp).op}"`);
    }
  }
  return doc;
}

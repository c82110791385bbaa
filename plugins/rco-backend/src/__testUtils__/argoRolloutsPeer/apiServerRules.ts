/**
 * The API server behaviours the test peer reproduces besides routing: how writes apply,
 * `Status` error bodies, label selector matching and the bit of Rollout validation a dry run
 * should catch.
 */
import { isDeepStrictEqual } from 'node:util';
import { applyJsonPatch, applyMergePatch, Json, JsonPatchOp } from './patches';

/** A `metav1.Status` failure body: the simulated cluster's (one home for the API server's). */
export { statusBody as status } from '../../service/demo/simulatedCluster/SimulatedCluster';

/** Splits a selector on the commas that are not inside `in (…)` value lists. */
function requirements(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/**
 * True when the labels match a label selector string (`a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x,y)`, `a`, `!a`), as `labels.Parse` reads it.
 */
export function matchesSelector(
  labels: Record<string, string>,
  selector: string,
): boolean {
  return requirements(selector).every(req => {
    let m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (m) {
      const [, key, op, value] = m;
      return op === '!=' ? labels[key] !== value : labels[key] === value;
    }
    m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(req);
    if (m) {
      const [, key, op, list] = m;
      const values = list.split(',').map(v => v.trim());
      const hit = key in labels && values.includes(labels[key]);
      return op === 'in' ? hit : !hit;
    }
    if (req.startsWith('!')) return !(req.slice(1) in labels);
    return req in labels;
  });
}

/**
 * The validation of the Rollout CRD schema a rollback dry run relies on: a pod template with
 * named containers that have an image.
 */
export function validateRollout(obj: { spec?: unknown }): string[] {
  const spec = obj.spec as
    | {
        template?: {
          spec?: { containers?: Array<{ name?: string; image?: string }> };
        };
      }
    | undefined;
  const containers = spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    return ['spec.template.spec.containers: Required value'];
  }
  const problems: string[] = [];
  containers.forEach((c, i) => {
    if (!c?.name) {
      problems.push(`spec.template.spec.containers[${i}].name: Required value`);
    }
    if (!c?.image) {
      problems.push(
        `spec.template.spec.containers[${i}].image: Required value`,
      );
    }
  });
  return problems;
}

/** A stored object, as the peer keeps it. */
export type StoredObject = {
  metadata: Record<string, any>;
  spec?: unknown;
  status?: unknown;
  [k: string]: unknown;
};

/** A write the API server refuses, with the HTTP status it answers. */
export class WriteError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * What a PUT or PATCH makes of a stored custom resource. The Rollout CRD has a status
 * subresource: writes to the main resource keep the stored status, writes to `/status` keep
 * everything but status. `metadata.generation` moves when the spec changes.
 */
export function applyWrite(
  method: string,
  stored: StoredObject,
  body: unknown,
  type: string | undefined,
  toStatus: boolean,
): StoredObject {
  let result: StoredObject;
  if (method === 'PUT') {
    const incoming = body as StoredObject;
    if (
      incoming?.metadata?.resourceVersion !== stored.metadata.resourceVersion
    ) {
      throw new WriteError(
        409,
        `Operation cannot be fulfilled on rollouts.argoproj.io "${stored.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    result = structuredClone(incoming);
  } else if (type === 'application/merge-patch+json') {
    result = applyMergePatch(
      stored as unknown as Json,
      body as Json,
    ) as StoredObject;
  } else if (type === 'application/json-patch+json') {
    result = applyJsonPatch(
      stored as unknown as Json,
      body as JsonPatchOp[],
    ) as StoredObject;
  } else {
    // Strategic merge patch is not served for custom resources.
    throw new WriteError(
      415,
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${type})`,
    );
  }
  if (toStatus) {
    result = { ...stored, status: result.status };
  } else {
    result.status = stored.status;
  }
  // Identity and bookkeeping belong to the server.
  for (const k of [
    'uid',
    'name',
    'namespace',
    'creationTimestamp',
    'generation',
  ]) {
    result.metadata[k] = stored.metadata[k];
  }
  if (!isDeepStrictEqual(result.spec, stored.spec)) {
    result.metadata.generation = (stored.metadata.generation ?? 0) + 1;
  }
  return result;
}

/**
 * The API server behaviours the test peer reproduces besides storage: `Status` error bodies,
 * label selector matching and the bit of Rollout validation a dry run should catch.
 */

/** A `metav1.Status` failure body, as the API server sends with every error. */
export function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

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

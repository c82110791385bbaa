/**
 * Kubernetes label selectors (`labels.Parse`): `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k` and `!k`, comma-separated and all required. The collector lists a
 * namespace once and attributes objects to entities by matching each entity's selector here, so
 * a selector must mean exactly what the API server would make of it; anything it cannot read is
 * refused rather than guessed.
 */

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

/** A selector that could not be read, with the reason. */
export class LabelSelectorError extends Error {}

// A qualified label key (optional DNS prefix and `/`) and a label value, as the API server checks.
const KEY =
  /^(?:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^(?:[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function key(text: string, selector: string): string {
  const k = text.trim();
  if (!KEY.test(k)) {
    throw new LabelSelectorError(
      `label selector "${selector}": "${k}" is not a valid label key`,
    );
  }
  return k;
}

function value(text: string, selector: string): string {
  const v = text.trim();
  if (!VALUE.test(v)) {
    throw new LabelSelectorError(
      `label selector "${selector}": "${v}" is not a valid label value`,
    );
  }
  return v;
}

/** Splits on the commas that are not inside `in (…)` value lists. */
function split(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0 || depth > 1) {
      throw new LabelSelectorError(
        `label selector "${selector}": unbalanced parentheses`,
      );
    }
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) {
    throw new LabelSelectorError(
      `label selector "${selector}": unbalanced parentheses`,
    );
  }
  out.push(current);
  return out.map(s => s.trim());
}

/** Reads a selector; the empty selector selects everything. */
export function parseLabelSelector(selector: string): Requirement[] {
  if (selector.trim() === '') return [];
  return split(selector).map(part => {
    if (part === '') {
      throw new LabelSelectorError(
        `label selector "${selector}": empty requirement`,
      );
    }
    let m = /^(.+?)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (m) {
      const values = m[3].split(',').map(v => value(v, selector));
      return { key: key(m[1], selector), op: m[2] as 'in' | 'notin', values };
    }
    m = /^([^!=]+?)\s*(==|!=|=)\s*([^=!]*)$/.exec(part);
    if (m) {
      return {
        key: key(m[1], selector),
        op: m[2] === '!=' ? 'neq' : 'eq',
        value: value(m[3], selector),
      };
    }
    if (part.startsWith('!')) {
      return { key: key(part.slice(1), selector), op: 'notexists' };
    }
    return { key: key(part, selector), op: 'exists' };
  });
}

/** True when the labels satisfy every requirement (as the API server's `labels.Selector`). */
export function matchesRequirements(
  labels: Record<string, string> | undefined,
  requirements: Requirement[],
): boolean {
  const l = labels ?? {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(l, k);
  return requirements.every(r => {
    switch (r.op) {
      case 'eq':
        return has(r.key) && l[r.key] === r.value;
      case 'neq':
        return !has(r.key) || l[r.key] !== r.value;
      case 'in':
        return has(r.key) && r.values.includes(l[r.key]);
      case 'notin':
        return !has(r.key) || !r.values.includes(l[r.key]);
      case 'exists':
        return has(r.key);
      case 'notexists':
        return !has(r.key);
      default:
        return false;
    }
  });
}

/** Parses and matches in one go. */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: string,
): boolean {
  return matchesRequirements(labels, parseLabelSelector(selector));
}

/** Writes requirements back as the API server's `labelSelector` query parameter. */
export function formatRequirements(requirements: Requirement[]): string {
  return requirements
    .map(r => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.value}`;
        case 'neq':
          return `${r.key}!=${r.value}`;
        case 'in':
          return `${r.key} in (${r.values.join(',')})`;
        case 'notin':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        case 'notexists':
          return `!${r.key}`;
        default:
          throw new LabelSelectorError('unknown requirement');
      }
    })
    .join(',');
}

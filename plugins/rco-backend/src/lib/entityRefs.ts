import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/**
 * The one spelling of an entity ref the plugin compares, stores in configuration lookups and
 * derives channels from: `kind:namespace/name`, all lower case. The catalog treats refs
 * case-insensitively, so `Component:Default/RCO` in configuration, in a URL and in the catalog
 * must all name the same entity. catalog-model's stringifyEntityRef lowercases today; this
 * does not rely on it (older versions kept the name's case), so every comparison stays equal.
 */
export function normalizeEntityRef(
  ref: string | Entity | CompoundEntityRef,
  defaults: { defaultKind?: string; defaultNamespace?: string } = {},
): string {
  const compound =
    typeof ref === 'string'
      ? parseEntityRef(ref, { defaultNamespace: 'default', ...defaults })
      : ref;
  return stringifyEntityRef(compound).toLocaleLowerCase('en-US');
}

/** Whether two refs name the same entity, whatever their case. */
export function sameEntityRef(
  a: string | Entity | CompoundEntityRef,
  b: string | Entity | CompoundEntityRef,
): boolean {
  return normalizeEntityRef(a) === normalizeEntityRef(b);
}

/**
 * Whether a row's entity is one of `entityRefs`: each stored spelling normalised once (parsing
 * a ref for each of 100,000 rows cost more than reading them).
 */
export function keeper(entityRefs: string[]) {
  const wanted = new Set(entityRefs.map(r => normalizeEntityRef(r)));
  const seen = new Map<string, boolean>();
  return (ref: string) => {
    let kept = seen.get(ref);
    if (kept === undefined) {
      kept = wanted.has(normalizeEntityRef(ref));
      seen.set(ref, kept);
    }
    return kept;
  };
}

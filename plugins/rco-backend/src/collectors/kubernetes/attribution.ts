/**
 * Which entity an object belongs to. The collector lists a namespace once for all entities and
 * matches each entity's own label selector locally. An object that two entities' selectors both
 * match belongs to neither: evidence for one service must never be counted for another because
 * its name happens to fit a broader selector.
 */
import type { CollectionPlace } from '@helix-portal/plugin-rco-node';
import {
  LabelSelectorError,
  matchesRequirements,
  parseLabelSelector,
  Requirement,
} from './labelSelector';
import type { KubeObject } from './clusterClient';

const LABEL_VALUE = /^(?:[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Renders `{name}` and `{namespace}` (the entity's) into a selector. Each value must itself be a
 * label value, so an entity name can never add requirements or operators to the selector.
 */
export function renderSelector(
  template: string,
  place: Pick<CollectionPlace, 'name' | 'entityNamespace'>,
): Requirement[] {
  for (const [what, value] of [
    ['name', place.name],
    ['namespace', place.entityNamespace],
  ] as const) {
    if (template.includes(`{${what}}`) && !LABEL_VALUE.test(value)) {
      throw new LabelSelectorError(
        `the entity ${what} "${value}" cannot be a label value (63 characters at most: letters, digits, '-', '_', '.')`,
      );
    }
  }
  return parseLabelSelector(
    template
      .replace(/\{name\}/g, place.name)
      .replace(/\{namespace\}/g, place.entityNamespace),
  );
}

export interface Candidate {
  place: CollectionPlace;
  requirements: Requirement[];
  /** Another entity's place on an owner's refresh: it can make an object ambiguous, never own one that is collected. */
  attributionOnly?: boolean;
}

export interface Attribution {
  owned: Array<{
    object: KubeObject;
    place: CollectionPlace;
    attributionOnly?: boolean;
  }>;
  /** Objects more than one entity's selector matched: `namespace/name (entity, entity)`. */
  ambiguous: string[];
  /** Objects no selector matched (a policy report may still be attributed through its subject). */
  unmatched: KubeObject[];
}

/**
 * The candidates of one list, indexed so that an object is only checked against the entities
 * that can match it: a selector with an equality (or `in`) requirement can only match objects
 * carrying that label value, so it sits in that value's bucket; only selectors without one
 * (`k`, `!k`, `k!=v`) are checked against every object. With the default selector
 * (`app.kubernetes.io/name={name}`) each object meets at most a few candidates, whatever the
 * number of entities.
 */
export class CandidateIndex {
  /** label key → label value → candidates whose selector requires that value. */
  private readonly byValue = new Map<string, Map<string, Candidate[]>>();
  private readonly scan: Candidate[] = [];

  constructor(candidates: Candidate[] = []) {
    for (const c of candidates) this.add(c);
  }

  add(c: Candidate) {
    let values: string[] | undefined;
    let key = '';
    for (const r of c.requirements) {
      if (r.op === 'eq') [key, values] = [r.key, [r.value]];
      else if (r.op === 'in') [key, values] = [r.key, [...new Set(r.values)]];
      if (values) break;
    }
    if (!values) {
      this.scan.push(c);
      return;
    }
    const r = { key };
    let byValue = this.byValue.get(r.key);
    if (!byValue) {
      byValue = new Map();
      this.byValue.set(r.key, byValue);
    }
    for (const v of values) {
      const bucket = byValue.get(v);
      if (bucket) bucket.push(c);
      else byValue.set(v, [c]);
    }
  }

  /** Every candidate whose selector matches these labels. */
  match(labels: Record<string, string> | undefined): Candidate[] {
    const hits: Candidate[] = [];
    const l = labels ?? {};
    for (const [key, byValue] of this.byValue) {
      if (!Object.prototype.hasOwnProperty.call(l, key)) continue;
      for (const c of byValue.get(l[key]) ?? []) {
        if (matchesRequirements(l, c.requirements)) hits.push(c);
      }
    }
    for (const c of this.scan) {
      if (matchesRequirements(l, c.requirements)) hits.push(c);
    }
    return hits;
  }
}

/** Who owns one object, given the labels it is judged by (its own, or its subject's). */
export function decide(
  object: KubeObject,
  hits: Candidate[],
  out: Attribution,
): 'owned' | 'ambiguous' | 'none' {
  // The same entity in two environments of one cluster is as ambiguous as two entities.
  const owners = [
    ...new Set(hits.map(h => `${h.place.entityRef} in ${h.place.environment}`)),
  ];
  if (owners.length === 1) {
    out.owned.push({
      object,
      place: hits[0].place,
      attributionOnly: hits[0].attributionOnly,
    });
    return 'owned';
  }
  if (owners.length > 1) {
    const m = object.metadata ?? {};
    out.ambiguous.push(
      `${m.namespace ? `${m.namespace}/` : ''}${m.name} (${owners.join(', ')})`,
    );
    return 'ambiguous';
  }
  return 'none';
}

/**
 * `admits`: whether a place may own the object at all, besides its selector (a Velero backup
 * only the places whose namespace it covers, placeScope.ts): a place it does not admit neither
 * owns the object nor makes it ambiguous.
 */
export function attribute(
  objects: KubeObject[],
  candidates: Candidate[] | CandidateIndex,
  admits?: (object: KubeObject, place: CollectionPlace) => boolean,
): Attribution {
  const index =
    candidates instanceof CandidateIndex
      ? candidates
      : new CandidateIndex(candidates);
  const out: Attribution = { owned: [], ambiguous: [], unmatched: [] };
  for (const object of objects) {
    const hits = index
      .match(object.metadata?.labels)
      .filter(h => !admits || admits(object, h.place));
    if (decide(object, hits, out) === 'none') {
      out.unmatched.push(object);
    }
  }
  return out;
}

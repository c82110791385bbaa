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
}

export function attribute(
  objects: KubeObject[],
  candidates: Candidate[],
): Attribution {
  const out: Attribution = { owned: [], ambiguous: [] };
  for (const object of objects) {
    const labels = object.metadata?.labels;
    const hits = candidates.filter(c =>
      matchesRequirements(labels, c.requirements),
    );
    // The same entity in two environments of one cluster is as ambiguous as two entities.
    const owners = [
      ...new Set(
        hits.map(h => `${h.place.entityRef} in ${h.place.environment}`),
      ),
    ];
    if (owners.length === 1) {
      out.owned.push({
        object,
        place: hits[0].place,
        attributionOnly: hits[0].attributionOnly,
      });
    } else if (owners.length > 1) {
      const m = object.metadata ?? {};
      out.ambiguous.push(
        `${m.namespace ? `${m.namespace}/` : ''}${m.name} (${owners.join(
          ', ',
        )})`,
      );
    }
  }
  return out;
}

import { CollectionHealth } from '@helix-portal/plugin-rco-node';
import { EntityCount, HealthOutcome } from '../database/CollectionHealthStore';
import { AcceptedObject } from './accept';
import { redactError } from './redact';

/** The stored key of one outcome in one environment (collector-given fields as strings). */
export function healthKey(
  collector: string,
  h: CollectionHealth,
  environment: string,
) {
  return {
    collector,
    cluster: String(h.cluster ?? '*'),
    kind: String(h.kind ?? '*'),
    environment,
    namespace: typeof h.namespace === 'string' ? h.namespace : '',
    aboutEntity:
      typeof h.entityRef === 'string' ? h.entityRef.toLowerCase() : '',
  };
}

/**
 * Each entity's objects per ok outcome and environment (only counts above zero: an entity of
 * the run without a count has none). An outcome with a namespace counts that namespace's objects.
 */
export function entityCounts(
  collector: string,
  health: CollectionHealth[],
  accepted: AcceptedObject[],
): EntityCount[] {
  // cluster, kind, environment → namespace → entity → objects
  const index = new Map<string, Map<string, Map<string, number>>>();
  for (const { object, place } of accepted) {
    const p = object.provenance;
    const k = `${p.cluster}\u0000${p.kind.toLowerCase()}\u0000${
      place.environment
    }`;
    const byNs = index.get(k) ?? new Map<string, Map<string, number>>();
    index.set(k, byNs);
    const ns = p.namespace ?? '';
    const byRef = byNs.get(ns) ?? new Map<string, number>();
    byNs.set(ns, byRef);
    const ref = place.entityRef.toLowerCase();
    byRef.set(ref, (byRef.get(ref) ?? 0) + 1);
  }
  const counts: EntityCount[] = [];
  for (const h of health) {
    if (!h.ok || !Array.isArray(h.environments)) continue;
    for (const environment of h.environments) {
      const key = healthKey(collector, h, environment);
      const byNs = index.get(
        `${key.cluster}\u0000${key.kind.toLowerCase()}\u0000${environment}`,
      );
      if (!byNs) continue;
      const sum = new Map<string, number>();
      for (const [ns, byRef] of byNs) {
        if (key.namespace && ns !== key.namespace) continue;
        for (const [ref, n] of byRef) {
          if (key.aboutEntity && ref !== key.aboutEntity) continue;
          sum.set(ref, (sum.get(ref) ?? 0) + n);
        }
      }
      for (const [entityRef, objects] of sum)
        counts.push({ ...key, entityRef, objects });
    }
  }
  return counts;
}

/**
 * The ref stands in the text on its own: component:default/rco is not in …/rco-api, nor
 * api:default/x in openapi:default/x.
 */
function mentions(text: string, ref: string) {
  for (let i = text.indexOf(ref); i >= 0; i = text.indexOf(ref, i + 1)) {
    const before = i > 0 ? text[i - 1] : '';
    const after = text.slice(i + ref.length, i + ref.length + 2);
    if (!/[a-z0-9_.-]/.test(before) && !/^([a-z0-9_-]|\.[a-z0-9])/.test(after))
      return true;
  }
  return false;
}

/** Keys of the outcomes that failed: a note's row about an entity never stands over one. */
const keyText = (o: HealthOutcome) =>
  JSON.stringify([
    o.cluster,
    o.kind,
    o.environment,
    o.namespace,
    o.aboutEntity,
  ]);

/**
 * A collector's health as stored rows, one per environment: errors and notes are words for
 * people and go through the redaction (a collector may echo what a server sent back). A note
 * about no one entity that names entities of the run (`known`: lowercase refs of its places and
 * of the other places it attributed against) is theirs alone (S1 L1): it moves to one row per
 * named entity, and the shared row keeps no note (a page shows rows about no entity to everyone
 * in the environment).
 */
export function healthOutcomes(
  collector: string,
  health: CollectionHealth[],
  secrets: string[],
  known: Iterable<string> = [],
): HealthOutcome[] {
  const refs = [...new Set(known)];
  const outcomes: HealthOutcome[] = [];
  const notes: HealthOutcome[] = [];
  for (const h of health)
    for (const environment of Array.isArray(h.environments)
      ? h.environments
      : []) {
      const outcome: HealthOutcome = {
        ...healthKey(collector, h, environment),
        ok: !!h.ok,
        error: h.ok ? undefined : redactError(h.error ?? 'failed', secrets),
        note: h.ok && h.note ? redactError(String(h.note), secrets) : undefined,
        objects: typeof h.objects === 'number' ? h.objects : undefined,
      };
      // Who it names is read in the whole note: the stored one is cut at 500 characters, and a
      // cut inside component:default/rco-api would leave …/rco.
      const text = String(h.note ?? '').toLowerCase();
      const named =
        outcome.note && !outcome.aboutEntity
          ? refs.filter(ref => mentions(text, ref))
          : [];
      if (!named.length) {
        outcomes.push(outcome);
        continue;
      }
      outcomes.push({ ...outcome, note: undefined });
      for (const aboutEntity of named)
        notes.push({ ...outcome, aboutEntity, objects: undefined });
    }
  // A note's row about an entity may take the key of that entity's own failure in this run
  // (the same cluster, kind and environment): the failure stays, the note gives way.
  const failed = new Set(outcomes.filter(o => !o.ok).map(keyText));
  return [...outcomes, ...notes.filter(o => !failed.has(keyText(o)))];
}

import {
  CollectedObject,
  CollectionHealth,
  CollectionPlace,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import { EVIDENCE_KINDS } from '@helix-portal/plugin-rco-common';

const placeKey = (entityRef: string, environment: string) =>
  `${entityRef.toLowerCase()}\u0000${environment}`;

/** A collected object the backend keeps, with the place it is attributed to. */
export interface AcceptedObject {
  object: CollectedObject;
  place: CollectionPlace;
}

/**
 * Which of a collector's objects the backend stores. A collector is code from a module: it is
 * trusted to read, not to decide attribution. An object is kept only when it is about a place
 * the collector was asked about (entity and environment), carries the collector's own id, is of
 * a known evidence kind, comes from the place's own cluster (for cluster collectors), and its
 * cluster and kind were not reported failing in the same run (a partial list is not the
 * cluster's state). Everything else is dropped with the reason, for the log.
 */
export function acceptObjects(
  collector: Pick<EvidenceCollector, 'id' | 'source'>,
  places: CollectionPlace[],
  objects: CollectedObject[],
  health: CollectionHealth[],
): { accepted: AcceptedObject[]; dropped: string[] } {
  const byPlace = new Map(
    places.map(p => [placeKey(p.entityRef, p.environment), p]),
  );
  // A failure naming a namespace (or an entity) covers that namespace's (that entity's)
  // objects only; one naming neither covers the cluster and kind.
  const failing = new Set(
    health
      .filter(h => !h.ok)
      .map(
        h =>
          `${h.cluster}\u0000${String(h.kind).toLowerCase()}\u0000${
            typeof h.namespace === 'string' ? h.namespace : '*'
          }\u0000${
            typeof h.entityRef === 'string' ? h.entityRef.toLowerCase() : '*'
          }`,
      ),
  );
  const failed = (o: CollectedObject) => {
    const p = o.provenance;
    const ck = `${p.cluster}\u0000${String(p.kind).toLowerCase()}`;
    const ref = o.entityRef.toLowerCase();
    return [
      `${ck}\u0000*\u0000*`,
      `${ck}\u0000${p.namespace ?? ''}\u0000*`,
      `${ck}\u0000*\u0000${ref}`,
      `${ck}\u0000${p.namespace ?? ''}\u0000${ref}`,
    ].some(k => failing.has(k));
  };
  const accepted: AcceptedObject[] = [];
  const dropped: string[] = [];
  for (const object of objects) {
    const p = object?.provenance;
    const what = `${p?.kind ?? '?'} ${p?.namespace ?? ''}/${
      p?.name ?? '?'
    } for ${object?.entityRef} in ${object?.environment}`;
    const place =
      typeof object?.entityRef === 'string' &&
      typeof object?.environment === 'string'
        ? byPlace.get(placeKey(object.entityRef, object.environment))
        : undefined;
    let why: string | undefined;
    if (!place) why = 'not among the places it was asked about';
    else if (!p || typeof p.uid !== 'string' || !p.uid)
      why = 'no provenance uid';
    else if (typeof p.resourceVersion !== 'string' || !p.resourceVersion)
      why = 'no resourceVersion';
    else if (p.collector !== collector.id)
      why = `provenance names collector ${p.collector}`;
    else if (
      !(EVIDENCE_KINDS as readonly string[]).includes(object.evidenceKind)
    )
      why = `unknown evidence kind ${object.evidenceKind}`;
    else if (
      collector.source === 'cluster' &&
      place.cluster &&
      p.cluster !== place.cluster.name
    )
      why = `read from cluster ${p.cluster}, not the environment's ${place.cluster.name}`;
    else if (failed(object))
      why = 'its cluster and kind (there) failed in this run';
    if (why || !place) {
      dropped.push(`${what}: ${why}`);
      continue;
    }
    accepted.push({ object, place });
  }
  return { accepted, dropped };
}

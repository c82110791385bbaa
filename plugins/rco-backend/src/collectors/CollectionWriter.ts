import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CollectionHealth,
  CollectionPlace,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import {
  CollectedEvidenceStore,
  ListedScope,
  versionKey,
} from '../database/CollectedEvidenceStore';
import { EvidenceStore, NewEvidence } from '../database/EvidenceStore';
import { EvidenceService } from '../evidence/EvidenceService';
import { AcceptedObject } from './accept';

/** What one collector's objects did to the database: the benchmark prints these. */
export interface WriteReport {
  /** New evidence rows (changed or new objects), each with its evidence-upload ledger entry. */
  created: number;
  /** Objects seen again in a version already stored. */
  unchanged: number;
  /**
   * Rows whose observed_at moved: unchanged objects whose last observation is older than the
   * granularity (or that were gone, or not their object's current version); bulk UPDATEs.
   */
  observed: number;
  /** Rows marked gone: objects a full, successful list no longer showed. */
  gone: number;
  /** Ledger entries appended: one per new row, one evidence-observed and one evidence-gone per cluster with any. */
  ledgerEntries: number;
  /** Objects that could not be read as their evidence kind (dropped, logged). */
  unreadable: number;
  /** Entities with new rows or gone objects (their verdicts change) and with moved observations. */
  changedEntities: Set<string>;
  refreshedEntities: Set<string>;
}

/** What the run looked at: the places asked about and how each list fared (gone objects). */
export interface ListedRun {
  places: CollectionPlace[];
  health: CollectionHealth[];
}

/**
 * The diff of one run: an object already stored in this version (same collector, cluster, uid
 * and resourceVersion, for the same entity, environment and kind) only has its last observation
 * moved, and only when that is older than the granularity (rco.collection.observationGranularity:
 * staleness stays right within it, and steady runs write nothing), when it was marked gone, or
 * when it is not its object's current version (a state going back to an earlier one). A new
 * version is parsed by the same reader as an upload of its kind (masking included) and stored as
 * a new row. After a full, successful list of a cluster and kind, the rows of objects it did not
 * show are marked gone (history is kept; the gates leave them out).
 */
export class CollectionWriter {
  constructor(
    private readonly o: {
      evidenceService: Pick<EvidenceService, 'prepare'>;
      evidenceStore: Pick<EvidenceStore, 'add'>;
      collected: CollectedEvidenceStore;
      logger: LoggerService;
      /** How stale a stored observation may get before a run moves it (default 0: every run). */
      observationGranularityMs?: number;
    },
  ) {}

  async write(
    collector: Pick<EvidenceCollector, 'id' | 'source'>,
    accepted: AcceptedObject[],
    at: Date,
    listed?: ListedRun,
  ): Promise<WriteReport> {
    const report: WriteReport = {
      created: 0,
      unchanged: 0,
      observed: 0,
      gone: 0,
      ledgerEntries: 0,
      unreadable: 0,
      changedEntities: new Set(),
      refreshedEntities: new Set(),
    };
    const granularity = this.o.observationGranularityMs ?? 0;
    const byCluster = new Map<string, AcceptedObject[]>();
    for (const a of accepted) {
      const cluster = a.object.provenance.cluster;
      const items = byCluster.get(cluster);
      if (items) items.push(a);
      else byCluster.set(cluster, [a]);
    }
    for (const [cluster, items] of byCluster) {
      const versions = items.map(({ object }) => ({
        entityRef: object.entityRef,
        environment: object.environment,
        evidenceKind: object.evidenceKind,
        uid: object.provenance.uid,
        resourceVersion: object.provenance.resourceVersion,
      }));
      const known = await this.o.collected.known(
        collector.id,
        cluster,
        versions,
      );
      const unchanged: string[] = [];
      const fresh = new Map<string, NewEvidence[]>();
      const seen = new Set<string>();
      for (const [i, { object, place }] of items.entries()) {
        const key = versionKey(versions[i]);
        if (seen.has(key)) continue; // the same object twice in one run
        seen.add(key);
        const stored = known.get(key);
        if (stored) {
          report.unchanged++;
          const due =
            stored.gone ||
            !stored.current ||
            !stored.observedAt ||
            at.getTime() - stored.observedAt.getTime() >= granularity;
          if (due) {
            unchanged.push(stored.id);
            report.refreshedEntities.add(place.entityRef);
            // Gone or not current: what the gates read for the object changes.
            if (stored.gone || !stored.current)
              report.changedEntities.add(place.entityRef);
          }
          continue;
        }
        const record = await this.read(collector, object, place.entityRef, at);
        if (!record) {
          report.unreadable++;
          continue;
        }
        const records = fresh.get(place.entityRef);
        if (records) records.push(record);
        else fresh.set(place.entityRef, [record]);
      }
      // One transaction per entity: EvidenceStore.add locks that entity's ledger chain.
      for (const [entityRef, records] of fresh) {
        const results = await this.o.evidenceStore.add(records);
        const created = results.filter(r => r.created).length;
        report.created += created;
        report.ledgerEntries += created;
        if (created) report.changedEntities.add(entityRef);
      }
      const moved = await this.o.collected.observed(
        collector.id,
        cluster,
        unchanged,
        at,
      );
      report.observed += moved;
      if (moved) report.ledgerEntries++;
    }
    if (listed) {
      for (const [cluster, scopes] of listedScopes(
        collector,
        accepted,
        listed,
      )) {
        const gone = await this.o.collected.gone(
          collector.id,
          cluster,
          scopes,
          at,
        );
        report.gone += gone;
        if (gone) {
          report.ledgerEntries++;
          for (const s of scopes) report.changedEntities.add(s.entityRef);
        }
      }
    }
    return report;
  }

  /** The object as the evidence an upload of its kind would be, with its provenance. */
  private async read(
    collector: Pick<EvidenceCollector, 'id' | 'source'>,
    object: AcceptedObject['object'],
    entityRef: string,
    at: Date,
  ): Promise<NewEvidence | undefined> {
    const p = object.provenance;
    try {
      const [record] = await this.o.evidenceService.prepare({
        entityRef,
        body: Buffer.from(JSON.stringify(object.document)),
        kind: object.evidenceKind,
        version: object.subject?.version,
        digest: object.subject?.digest,
        environment: object.environment,
        source: collector.source,
        submitter: `collector:${collector.id}`,
        now: at,
      });
      if (!record) return undefined;
      return {
        ...record,
        // Only the known fields, as strings: the provenance is written to the ledger as is.
        provenance: {
          collector: collector.id,
          cluster: String(p.cluster),
          namespace:
            p.namespace === undefined ? undefined : String(p.namespace),
          kind: String(p.kind),
          apiVersion:
            p.apiVersion === undefined ? undefined : String(p.apiVersion),
          name: String(p.name),
          uid: p.uid,
          resourceVersion: p.resourceVersion,
        },
      };
    } catch (error) {
      // The reader's message names the document's problem, not its content.
      this.o.logger.warn(
        `Collector ${collector.id}: ${p.kind} ${p.namespace ?? ''}/${
          p.name
        } in ${p.cluster} is not readable as ${object.evidenceKind}: ${
          (error as Error).message
        }`,
      );
      return undefined;
    }
  }
}

const lower = (s: unknown) => String(s ?? '').toLowerCase();

/**
 * Per cluster, where this run listed a kind fully and successfully, with the objects each place
 * got: an ok outcome for a cluster and kind, less the namespaces and entities a failure of the
 * same cluster and kind names (a failure naming neither leaves the kind out altogether: a
 * partial list is not the cluster's state).
 */
export function listedScopes(
  collector: Pick<EvidenceCollector, 'source'>,
  accepted: AcceptedObject[],
  { places, health }: ListedRun,
): Map<string, ListedScope[]> {
  const kindKey = (cluster: unknown, kind: unknown) =>
    `${String(cluster)}\u0000${lower(kind)}`;
  const failures = new Map<
    string,
    { all: boolean; namespaces: Set<string>; entities: Set<string> }
  >();
  for (const h of health) {
    if (!h || h.ok) continue;
    const key = kindKey(h.cluster, h.kind);
    const f = failures.get(key) ?? {
      all: false,
      namespaces: new Set<string>(),
      entities: new Set<string>(),
    };
    if (typeof h.namespace === 'string') f.namespaces.add(h.namespace);
    else if (typeof h.entityRef === 'string')
      f.entities.add(lower(h.entityRef));
    else f.all = true;
    failures.set(key, f);
  }
  const seen = new Map<string, string[]>();
  for (const { object, place } of accepted) {
    const key = [
      object.provenance.cluster,
      lower(object.provenance.kind),
      lower(place.entityRef),
      place.environment,
    ].join('\u0000');
    const uids = seen.get(key);
    if (uids) uids.push(object.provenance.uid);
    else seen.set(key, [object.provenance.uid]);
  }
  const out = new Map<string, ListedScope[]>();
  const done = new Set<string>();
  for (const h of health) {
    // A wildcard outcome ('*': the collector failed before any list) never lists anything.
    if (!h?.ok || !h.cluster || h.cluster === '*' || !h.kind || h.kind === '*')
      continue;
    if (!Array.isArray(h.environments)) continue;
    // Without the uids listed, a note may mean objects listed but claimed by no entity: their
    // stored rows would look gone.
    const listed = Array.isArray(h.listed)
      ? h.listed.filter((u): u is string => typeof u === 'string')
      : undefined;
    if (!listed && h.note) continue;
    const evidenceKind =
      typeof h.evidenceKind === 'string' && h.evidenceKind
        ? h.evidenceKind
        : undefined;
    const failed = failures.get(kindKey(h.cluster, h.kind));
    if (failed?.all) continue;
    for (const place of places) {
      if (!h.environments.includes(place.environment)) continue;
      if (h.entityRef && lower(h.entityRef) !== lower(place.entityRef))
        continue;
      if (failed?.entities.has(lower(place.entityRef))) continue;
      if (
        collector.source === 'cluster' &&
        place.cluster &&
        place.cluster.name !== h.cluster
      )
        continue;
      const namespace =
        typeof h.namespace === 'string' ? h.namespace : undefined;
      if (namespace !== undefined && failed?.namespaces.has(namespace))
        continue;
      const id = [
        h.cluster,
        lower(h.kind),
        lower(place.entityRef),
        place.environment,
        namespace ?? '\u0001',
      ].join('\u0000');
      if (done.has(id)) continue;
      done.add(id);
      const scopes = out.get(h.cluster) ?? [];
      scopes.push({
        entityRef: place.entityRef,
        environment: place.environment,
        kind: h.kind,
        namespace,
        exceptNamespaces: [...(failed?.namespaces ?? [])].filter(
          n => n !== namespace,
        ),
        seen: [
          ...(seen.get(
            [
              h.cluster,
              lower(h.kind),
              lower(place.entityRef),
              place.environment,
            ].join('\u0000'),
          ) ?? []),
          ...(listed ?? []),
        ],
        ...(evidenceKind ? { evidenceKind } : {}),
      });
      out.set(h.cluster, scopes);
    }
  }
  return out;
}

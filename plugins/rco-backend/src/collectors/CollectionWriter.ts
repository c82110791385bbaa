import { LoggerService } from '@backstage/backend-plugin-api';
import { EvidenceCollector } from '@helix-portal/plugin-rco-node';
import {
  CollectedEvidenceStore,
  versionKey,
} from '../database/CollectedEvidenceStore';
import { EvidenceStore, NewEvidence } from '../database/EvidenceStore';
import { EvidenceService } from '../evidence/EvidenceService';
import { AcceptedObject } from './accept';

/** What one collector's objects did to the database: the benchmark prints these. */
export interface WriteReport {
  /** New evidence rows (changed or new objects), each with its evidence-upload ledger entry. */
  created: number;
  /** Rows whose observed_at moved (unchanged objects): bulk UPDATEs, counted apart. */
  observed: number;
  /** Ledger entries appended: one per new row, one evidence-observed per cluster with moves. */
  ledgerEntries: number;
  /** Objects that could not be read as their evidence kind (dropped, logged). */
  unreadable: number;
  /** Entities with new rows (their verdicts change) and with moved observations. */
  changedEntities: Set<string>;
  refreshedEntities: Set<string>;
}

/**
 * The diff of one run: an object already stored in this version (same collector, cluster, uid
 * and resourceVersion, for the same entity, environment and kind) only has its last observation
 * moved; a new version is parsed by the same reader as an upload of its kind (masking included)
 * and stored as a new row. Nothing is ever deleted: an object that disappeared keeps its last
 * row, which goes stale on its own clock.
 */
export class CollectionWriter {
  constructor(
    private readonly o: {
      evidenceService: Pick<EvidenceService, 'prepare'>;
      evidenceStore: Pick<EvidenceStore, 'add'>;
      collected: CollectedEvidenceStore;
      logger: LoggerService;
    },
  ) {}

  async write(
    collector: Pick<EvidenceCollector, 'id' | 'source'>,
    accepted: AcceptedObject[],
    at: Date,
  ): Promise<WriteReport> {
    const report: WriteReport = {
      created: 0,
      observed: 0,
      ledgerEntries: 0,
      unreadable: 0,
      changedEntities: new Set(),
      refreshedEntities: new Set(),
    };
    const byCluster = new Map<string, AcceptedObject[]>();
    for (const a of accepted) {
      const cluster = a.object.provenance.cluster;
      byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), a]);
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
          unchanged.push(stored.id);
          report.refreshedEntities.add(place.entityRef);
          continue;
        }
        const record = await this.read(collector, object, place.entityRef, at);
        if (!record) {
          report.unreadable++;
          continue;
        }
        fresh.set(place.entityRef, [
          ...(fresh.get(place.entityRef) ?? []),
          record,
        ]);
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

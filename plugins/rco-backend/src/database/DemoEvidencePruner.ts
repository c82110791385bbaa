import { Knex } from 'knex';
import { Ledger } from './Ledger';

/**
 * Deletes superseded demo evidence of the local portal, each deletion an `evidence-prune`
 * ledger entry in the same transaction. The entry that created the row stays in the chain
 * (the ledger is append-only); the reconciler reads the prune entry as "this row must be gone"
 * (ledgerRecords: `removes`), so verification still passes and a row deleted without such an
 * entry is still reported. Only rows the demo itself submitted are ever touched.
 */
export class DemoEvidencePruner {
  constructor(
    private readonly db: Knex,
    private readonly ledger: Ledger,
    /** The submitter of the demo's own records; nobody else's are pruned. */
    private readonly submitter: string,
  ) {}

  async prune(entityRef: string, ids: string[], reason: string) {
    if (!ids.length) return 0;
    return this.db.transaction(async tx => {
      await this.ledger.lock(tx, entityRef);
      let pruned = 0;
      for (const id of ids) {
        const deleted = await tx('rco_evidence')
          .where({ id, entity_ref: entityRef, submitter: this.submitter })
          .delete();
        if (!deleted) continue;
        pruned++;
        await this.ledger.append(tx, {
          entryType: 'evidence-prune',
          entityRef,
          actor: this.submitter,
          payload: { id, reason },
        });
      }
      return pruned;
    });
  }
}

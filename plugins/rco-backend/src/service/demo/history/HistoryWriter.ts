import { HistoryDocument, HistoryRelease } from './historyEvidence';
import { HISTORY_LABEL, HistoryOperations } from './HistoryOperations';

export { HistoryClock, HISTORY_LABEL } from './HistoryOperations';

/**
 * Writes one service's history through the product's own stores: CI's uploads, the release
 * request, sign-offs, waivers and break-glass at the history clock's times, and its operations
 * (HistoryOperations) through the same decision path OperationService takes.
 */
export class HistoryWriter extends HistoryOperations {
  async upload(docs: HistoryDocument[]) {
    for (const doc of docs) {
      await this.o.evidence.upload({
        entityRef: this.entityRef,
        body: Buffer.from(doc.body),
        kind: doc.kind,
        version: doc.version,
        digest: doc.digest,
        commit: doc.commit,
        environment: doc.environment,
        source: 'ci',
        submitter: this.o.submitter,
        now: this.o.clock.now(),
      });
    }
  }

  requestRelease(release: HistoryRelease, requester: string) {
    // Exactly what the route records: the ledger entry is compared with the row.
    return this.o.decisions.requestRelease(
      this.entityRef,
      { version: release.version, digest: release.digest },
      requester,
    );
  }

  signoff(
    release: HistoryRelease,
    role: 'po' | 'dpo' | 'security',
    signer: string,
  ) {
    return this.o.decisions.addSignoff(this.entityRef, {
      role,
      decision: 'approved',
      release: { version: release.version, digest: release.digest },
      signer,
      comment: `${HISTORY_LABEL}: reviewed ${release.version}`,
    });
  }

  waive(
    release: HistoryRelease,
    grantedBy: string,
    justification: string,
    days: number,
  ) {
    const now = this.o.clock.now();
    return this.o.decisions.addWaiver(this.entityRef, {
      gate: 'image-scanning',
      releaseVersion: release.version,
      justification: `${HISTORY_LABEL}: ${justification}`,
      grantedBy,
      expiresAt: new Date(now.getTime() + days * 86_400_000),
    });
  }

  breakGlass(
    release: HistoryRelease,
    environment: string,
    createdBy: string,
    justification: string,
  ) {
    const now = this.o.clock.now();
    return this.o.overrides.add({
      entityRef: this.entityRef,
      environment,
      release: { version: release.version, digest: release.digest },
      justification: `${HISTORY_LABEL}: ${justification}`,
      createdBy,
      expiresAt: new Date(now.getTime() + 4 * 3_600_000),
    });
  }
}

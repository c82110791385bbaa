import { ConflictError, NotFoundError } from '@backstage/errors';
import type { DeployWindowRole } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { Ledger } from '../../../database/Ledger';
import {
  DeployWindowAcceptanceRow,
  DeployWindowRow,
} from '../../../database/tables';
import { toDate } from '../../../lib/canonicalJson';
import {
  DeployWindowRecord,
  NewDeployWindow,
  WindowStore,
} from './WindowStore';

const fromRows = (
  row: DeployWindowRow,
  acceptances: DeployWindowAcceptanceRow[],
): DeployWindowRecord => ({
  id: row.id,
  entityRef: row.entity_ref,
  environment: row.environment,
  release: {
    ...(row.release_version ? { version: row.release_version } : {}),
    ...(row.release_digest ? { digest: row.release_digest } : {}),
  },
  start: toDate(row.start_at),
  end: toDate(row.end_at),
  timeZone: row.time_zone,
  requiredRoles: JSON.parse(row.required_roles),
  proposedBy: row.proposed_by,
  proposedAt: toDate(row.proposed_at),
  cancelledAt: row.cancelled_at ? toDate(row.cancelled_at) : undefined,
  cancelledBy: row.cancelled_by ?? undefined,
  acceptances: acceptances
    .filter(a => a.window_id === row.id)
    .sort(
      (a, b) =>
        toDate(a.accepted_at).getTime() - toDate(b.accepted_at).getTime(),
    )
    .map(a => ({
      id: a.id,
      role: a.role,
      by: a.accepted_by,
      at: toDate(a.accepted_at),
    })),
});

/**
 * Windows in rco_deploy_windows and their acceptances in rco_deploy_window_acceptances. The
 * ledger entries (deploy-window-propose, -accept, -cancel) carry each row's full content, so the
 * ledger reconciler finds a row edited in the database (ledgerRecords.ts).
 */
export class DatabaseWindowStore implements WindowStore {
  constructor(private readonly db: Knex, private readonly ledger: Ledger) {}

  async add(w: NewDeployWindow): Promise<DeployWindowRecord> {
    const record: DeployWindowRecord = {
      ...w,
      id: randomUUID(),
      acceptances: [],
    };
    await this.db.transaction(async tx => {
      await this.ledger.lock(tx, w.entityRef);
      await tx('rco_deploy_windows').insert({
        id: record.id,
        entity_ref: w.entityRef,
        environment: w.environment,
        release_version: w.release.version ?? null,
        release_digest: w.release.digest ?? null,
        start_at: w.start,
        end_at: w.end,
        time_zone: w.timeZone,
        required_roles: JSON.stringify(w.requiredRoles),
        proposed_by: w.proposedBy,
        proposed_at: w.proposedAt,
      });
      await this.ledger.append(tx, {
        entryType: 'deploy-window-propose',
        entityRef: w.entityRef,
        actor: w.proposedBy,
        payload: {
          id: record.id,
          environment: w.environment,
          release: {
            version: w.release.version ?? null,
            digest: w.release.digest ?? null,
          },
          start: w.start.toISOString(),
          end: w.end.toISOString(),
          timeZone: w.timeZone,
          requiredRoles: w.requiredRoles,
          proposedBy: w.proposedBy,
          proposedAt: w.proposedAt.toISOString(),
        },
      });
    });
    return record;
  }

  async get(id: string, db: Knex = this.db) {
    const row = await db('rco_deploy_windows').where({ id }).first();
    if (!row) return undefined;
    const acceptances = await db('rco_deploy_window_acceptances').where({
      window_id: id,
    });
    return fromRows(row, acceptances);
  }

  async list(
    entityRef: string,
    options: { environment?: string; endingAfter?: Date; limit?: number } = {},
  ) {
    const query = this.db('rco_deploy_windows')
      .where({ entity_ref: entityRef })
      .orderBy('start_at', 'desc')
      .limit(Math.min(options.limit ?? 100, 500));
    if (options.environment)
      query.andWhere({ environment: options.environment });
    if (options.endingAfter) query.andWhere('end_at', '>', options.endingAfter);
    const rows = await query;
    if (!rows.length) return [];
    const acceptances = await this.db('rco_deploy_window_acceptances').whereIn(
      'window_id',
      rows.map(r => r.id),
    );
    return rows.map(r => fromRows(r, acceptances));
  }

  async accept(
    id: string,
    roles: DeployWindowRole[],
    by: string,
    at: Date,
  ): Promise<DeployWindowRecord> {
    return this.db.transaction(async tx => {
      // The chain's lock first: two accepters of one window queue here, not on the unique index.
      const row = await this.ledger.readLocked(tx, 'rco_deploy_windows', id);
      if (!row) throw new NotFoundError(`No deployment window ${id}`);
      const current = (await this.get(id, tx))!;
      if (current.cancelledAt) {
        throw new ConflictError(`Deployment window ${id} was cancelled`);
      }
      const taken = new Set(current.acceptances.map(a => a.role));
      for (const role of roles.filter(r => !taken.has(r))) {
        const acceptance = { id: randomUUID(), role, by, at };
        await tx('rco_deploy_window_acceptances').insert({
          id: acceptance.id,
          window_id: id,
          entity_ref: current.entityRef,
          role,
          accepted_by: by,
          accepted_at: at,
        });
        await this.ledger.append(tx, {
          entryType: 'deploy-window-accept',
          entityRef: current.entityRef,
          actor: by,
          payload: {
            id: acceptance.id,
            windowId: id,
            role,
            acceptedBy: by,
            acceptedAt: at.toISOString(),
          },
        });
        current.acceptances.push(acceptance);
      }
      return current;
    });
  }

  async cancel(id: string, by: string, at: Date): Promise<DeployWindowRecord> {
    return this.db.transaction(async tx => {
      const row = await this.ledger.readLocked(tx, 'rco_deploy_windows', id);
      if (!row) throw new NotFoundError(`No deployment window ${id}`);
      const current = (await this.get(id, tx))!;
      if (current.cancelledAt) {
        throw new ConflictError(`Deployment window ${id} is already cancelled`);
      }
      await tx('rco_deploy_windows')
        .where({ id })
        .update({ cancelled_at: at, cancelled_by: by });
      await this.ledger.append(tx, {
        entryType: 'deploy-window-cancel',
        entityRef: current.entityRef,
        actor: by,
        payload: { id, cancelledAt: at.toISOString(), cancelledBy: by },
      });
      return { ...current, cancelledAt: at, cancelledBy: by };
    });
  }
}

import type { DeployWindowRole } from '@helix-portal/plugin-rco-common';

/** A deployment window as stored, with every acceptance (counting or not). */
export interface DeployWindowRecord {
  id: string;
  entityRef: string;
  environment: string;
  /** Neither field: any release of the entity. */
  release: { version?: string; digest?: string };
  start: Date;
  /** Exclusive. */
  end: Date;
  timeZone: string;
  /** Fixed at proposal: a later change of configuration does not move a window's goalposts. */
  requiredRoles: DeployWindowRole[];
  proposedBy: string;
  proposedAt: Date;
  cancelledAt?: Date;
  cancelledBy?: string;
  acceptances: Array<{
    id: string;
    role: DeployWindowRole;
    by: string;
    at: Date;
  }>;
}

export type NewDeployWindow = Omit<
  DeployWindowRecord,
  'id' | 'acceptances' | 'cancelledAt' | 'cancelledBy'
>;

/**
 * Where windows are kept. Every write appends its ledger entry in the same transaction
 * (DatabaseWindowStore); the state is derived by windowRules from what is stored.
 */
export interface WindowStore {
  add(window: NewDeployWindow): Promise<DeployWindowRecord>;
  get(id: string): Promise<DeployWindowRecord | undefined>;
  /**
   * An entity's windows, newest start first: those of one environment, and those still open
   * or ahead at `endingAfter` when given.
   */
  list(
    entityRef: string,
    options?: { environment?: string; endingAfter?: Date; limit?: number },
  ): Promise<DeployWindowRecord[]>;
  /**
   * Records `by` accepting for each of `roles` that has no acceptance yet, under the chain's
   * lock; a cancelled window is refused (409). Returns the window as it then is.
   */
  accept(
    id: string,
    roles: DeployWindowRole[],
    by: string,
    at: Date,
  ): Promise<DeployWindowRecord>;
  /** Cancels the window (409 when it is already). */
  cancel(id: string, by: string, at: Date): Promise<DeployWindowRecord>;
}

/** The sign-off roles a deployment window can require. @public */
export type DeployWindowRole = 'po' | 'dpo' | 'security';

/**
 * proposed: waiting for acceptances; accepted: every required role accepted; cancelled: by the
 * proposer or an owner; expired: its end passed while proposed or accepted.
 * @public
 */
export type DeployWindowState =
  | 'proposed'
  | 'accepted'
  | 'cancelled'
  | 'expired';

/** A deployment window an owner proposed for an environment and a release. @public */
export interface DeployWindowView {
  id: string;
  entityRef: string;
  environment: string;
  /** The release the window is for; neither field: any release of the entity. */
  release: { version?: string; digest?: string };
  /** UTC ISO 8601. */
  start: string;
  /** UTC ISO 8601, exclusive. */
  end: string;
  /** The IANA time zone the proposer gave (how people see the window). */
  timeZone: string;
  proposedBy: string;
  proposedAt: string;
  requiredRoles: DeployWindowRole[];
  acceptances: { role: DeployWindowRole; by: string; at: string }[];
  state: DeployWindowState;
  /** Accepted and the clock is within [start, end). */
  openNow: boolean;
}

/** GET /entities/:kind/:namespace/:name/windows @public */
export interface DeployWindowsResponse {
  items: DeployWindowView[];
}

/**
 * POST /entities/:kind/:namespace/:name/windows. start and end are local times in timeZone
 * (`2026-12-14T22:00:00`) or UTC with `Z`.
 * @public
 */
export interface ProposeDeployWindowRequest {
  environment: string;
  version?: string;
  digest?: string;
  start: string;
  end: string;
  /** IANA time zone of start and end; default UTC. */
  timeZone?: string;
}

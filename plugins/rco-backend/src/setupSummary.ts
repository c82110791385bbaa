import { NO_CHECKPOINT_KEY } from './service/LedgerVerifier';
import { RcoConfig } from './config';
import { DecisionGroups } from './gates/fourEyes';

/** What the plugin found configured at start (the parts it runs without). */
export interface SetupFacts {
  environments: number;
  ciSubjects: number;
  checkpointKey: boolean;
  /** The sign-off roles with a group (rco.signoffs.groups.<role>). */
  signoffGroups: Record<'po' | 'dpo' | 'security', boolean>;
  waiverGroup: boolean;
  breakGlassGroup: boolean;
  /** permission.enabled is true in the root config. */
  permissionsEnabled: boolean;
}

/**
 * The group facts of a read configuration: which decisions someone may make. The release
 * service judges decisions with the same facts (a decision under an unset group does not count).
 */
export const groupFacts = (config: RcoConfig): DecisionGroups => ({
  signoffGroups: {
    po: !!config.signoffGroups.po,
    dpo: !!config.signoffGroups.dpo,
    security: !!config.signoffGroups.security,
  },
  waiverGroup: !!config.waiverGroup,
  breakGlassGroup: !!config.breakGlassGroup,
});

export const NO_PERMISSIONS =
  'permission.enabled is off: the permission framework allows every rco permission (anyone signed in may upload evidence, request releases, deploy and roll back; sign-offs, waivers and break-glass still need their groups)';

/** What an unnamed sign-off group means: nobody signs for that role. */
function missingSignoffGroups(groups: SetupFacts['signoffGroups']) {
  const roles = (Object.keys(groups) as Array<keyof typeof groups>).filter(
    role => !groups[role],
  );
  if (!roles.length) return undefined;
  // Every release has the dpo-signoff gate: without a DPO group no deploy passes preflight.
  const dpo = roles.includes('dpo')
    ? ', and without a dpo group no release passes the dpo-signoff gate'
    : '';
  if (roles.length === 3) {
    return `no rco.signoffs.groups: nobody can sign off, so a release that needs sign-offs cannot pass${dpo}`;
  }
  return `no rco.signoffs.groups.${roles.join(
    '/',
  )}: nobody can sign off as ${roles.join(' or ')}, so a release that needs ${
    roles.length > 1 ? 'those sign-offs' : 'that sign-off'
  } cannot pass${dpo}`;
}

/**
 * One line naming what this portal has not configured and what that means, or undefined when
 * nothing is missing. Logged once at start: a portal that adds the plugin with no `rco` section
 * still starts (runbooks, gates and evidence work), and its operators learn from a single line
 * what to add instead of a stack of warnings. Groups have no defaults (a catalog group named
 * `security` must not get power by its name), so an unnamed group is missing here.
 */
export function describeMissingSetup(facts: SetupFacts): string | undefined {
  const missing: string[] = [];
  if (!facts.environments) {
    missing.push(
      'no rco.environments: deploys, rollbacks and dry-runs are off (the Release tab says so)',
    );
  }
  if (!facts.ciSubjects) {
    missing.push(
      'no rco.ci.subjects: only people can upload evidence, CI tokens are refused',
    );
  }
  if (!facts.checkpointKey) missing.push(NO_CHECKPOINT_KEY);
  const signoffs = missingSignoffGroups(facts.signoffGroups);
  if (signoffs) missing.push(signoffs);
  if (!facts.waiverGroup) {
    missing.push('no rco.waivers.group: nobody can waive a gate');
  }
  if (!facts.breakGlassGroup) {
    missing.push('no rco.breakGlass.group: nobody can break glass');
  } else if (!facts.signoffGroups.security) {
    missing.push(
      'no rco.signoffs.groups.security: break-glass overrides are announced only to the break-glass group',
    );
  }
  if (!facts.permissionsEnabled) missing.push(NO_PERMISSIONS);
  if (!missing.length) return undefined;
  return `rco: running without part of its configuration (see the install section of the README): ${missing.join(
    '; ',
  )}`;
}

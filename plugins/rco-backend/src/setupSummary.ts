import { NO_CHECKPOINT_KEY } from './service/LedgerVerifier';

/** What the plugin found configured at start (the parts it runs without). */
export interface SetupFacts {
  environments: number;
  ciSubjects: number;
  checkpointKey: boolean;
}

/**
 * One line naming what this portal has not configured and what that means, or undefined when
 * nothing is missing. Logged once at start: a portal that adds the plugin with no `rco` section
 * still starts (runbooks, gates, evidence and sign-offs work), and its operators learn from a
 * single line what to add instead of a stack of warnings.
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
  if (!missing.length) return undefined;
  return `rco: running without part of its configuration (see the install section of the README): ${missing.join(
    '; ',
  )}`;
}

import {
  EnvironmentView,
  OperationResponse,
} from '@helix-portal/plugin-rco-common';

/** One revision of an environment as the driver reports it (Helm history entry, Rollout revision). */
export type Revision = EnvironmentView['revisions'][number] & {
  /** Helm's app_version, passed through by the backend when the driver knows it. */
  appVersion?: string;
};

const numbered = (r?: string) => (r && /^\d+$/.test(r) ? Number(r) : undefined);

/** Revisions nothing healthy ever served from: a rollback to them is no way back. */
const NOT_SERVED = /fail|abort|pending|unknown|uninstall/i;

/**
 * The release version each revision of an environment runs, from the operations that made the
 * revisions: a succeeded deploy made its revision from its release; a rollback (and a deploy
 * that was rolled back automatically) made a new revision from an older one, so it runs that
 * one's version. A revision no operation made falls back to what the driver says (Helm's
 * app_version).
 */
export function revisionVersions(
  env: EnvironmentView,
  history: OperationResponse[],
): Map<string, string> {
  const versions = new Map<string, string>();
  for (const r of env.revisions as Revision[]) {
    if (r.appVersion) versions.set(r.revision, r.appVersion);
  }
  const ops = history
    .filter(o => o.environment === env.name && o.resultRevision)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const op of ops) {
    const made = op.resultRevision!;
    let version: string | undefined;
    if (op.type === 'deploy' && op.state === 'succeeded') {
      version = op.release.version;
    } else if (op.type === 'deploy' && op.state === 'rolled-back') {
      version = op.baselineRevision && versions.get(op.baselineRevision);
    } else if (op.type === 'rollback' && op.state === 'succeeded') {
      version =
        (op.targetRevision && versions.get(op.targetRevision)) ||
        op.release.version;
    }
    if (version) versions.set(made, version);
  }
  return versions;
}

/** "revision 4 (v1.3.1)", or "revision 4" when its version is not known. */
export function revisionWords(
  revision: string,
  versions: Map<string, string>,
  word = 'revision',
): string {
  const version = versions.get(revision);
  return `${word} ${revision}${version ? ` (v${version})` : ''}`;
}

/**
 * The revision a rollback should go to unless someone picks another: the one the serving
 * revision just replaced. That is the newest revision older than the serving one that actually
 * served (a failed or aborted revision never did), not the oldest in the list and never the
 * serving one itself, whatever order the driver lists them in.
 */
export function previousRevision(env: EnvironmentView): Revision | undefined {
  const current =
    env.revisions.find(r => r.current)?.revision ??
    env.currentRevision?.revision;
  const earlier = (env.revisions as Revision[]).filter(
    r => !r.current && r.revision !== current,
  );
  const served = earlier.filter(r => !NOT_SERVED.test(r.status));
  const pool = served.length ? served : earlier;
  const now = numbered(current);
  const byNumber = pool
    .filter(r => numbered(r.revision) !== undefined)
    .filter(r => now === undefined || numbered(r.revision)! < now)
    .sort((a, b) => numbered(b.revision)! - numbered(a.revision)!);
  if (byNumber.length) return byNumber[0];
  const byTime = [...pool].sort((a, b) =>
    (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''),
  );
  return byTime[0];
}

/** A database migration that ran with a deploy, and the release it came with. */
export interface RanMigration {
  migration: string;
  version?: string;
  operationId: string;
}

const MIGRATION_TITLE = /^Database migration:\s*/;

/**
 * The database migrations a rollback to `target` leaves in place: those of deploys in this
 * environment that ran since the target revision went live (a rollback returns the code, never
 * the schema). When the target's time is not known, every migration counts: a warning too many
 * is safer than one too few.
 */
export function migrationsNotUndone(
  env: EnvironmentView,
  target: Revision | undefined,
  history: OperationResponse[],
): RanMigration[] {
  if (!target) return [];
  const since = target.updatedAt;
  const targetNumber = numbered(target.revision);
  const result: RanMigration[] = [];
  for (const op of history) {
    if (op.type !== 'deploy' || op.environment !== env.name) continue;
    const step = op.steps.find(
      s =>
        (s.id === 'db-migration' || MIGRATION_TITLE.test(s.title)) &&
        s.status === 'done',
    );
    if (!step) continue;
    const ranAt = step.finishedAt ?? op.finishedAt ?? op.createdAt;
    const made = numbered(op.resultRevision);
    const after = since
      ? Date.parse(ranAt) > Date.parse(since)
      : made === undefined || targetNumber === undefined || made > targetNumber;
    if (!after) continue;
    result.push({
      migration: step.title.replace(MIGRATION_TITLE, ''),
      version: op.release.version,
      operationId: op.id,
    });
  }
  return result;
}

/** "The database migration V42__add_call_index of v1.3.2 will not be undone by this rollback." */
export const migrationWarning = (m: RanMigration) =>
  `The database migration ${m.migration}${
    m.version ? ` of v${m.version}` : ''
  } will not be undone by this rollback.`;

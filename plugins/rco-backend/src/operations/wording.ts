/**
 * How operations are named in notifications and reasons: by the service's catalog title and the
 * release version, with a revision number only where a revision is what is meant ("RCO
 * (Remote-Call Orchestrator) 1.3.2 to production", "revision 4 (v1.3.1)"), never "rco 2".
 */
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { OperationResponse } from '@helix-portal/plugin-rco-common';

/** The service as people know it: metadata.title, else its name. */
export function serviceTitle(entity: Entity | undefined, entityRef: string) {
  if (entity?.metadata.title) return entity.metadata.title;
  if (entity?.metadata.name) return entity.metadata.name;
  try {
    return parseEntityRef(entityRef).name;
  } catch {
    return entityRef;
  }
}

type Made = Pick<
  OperationResponse,
  | 'environment'
  | 'type'
  | 'state'
  | 'release'
  | 'resultRevision'
  | 'targetRevision'
  | 'baselineRevision'
  | 'createdAt'
>;

/**
 * The release version a revision of an environment runs, from the operations that made it: a
 * succeeded deploy made it from its release; a rollback (or a deploy rolled back automatically)
 * made it from an older revision, which runs that one's version.
 */
export function versionOfRevision(
  ops: Made[],
  environment: string,
  revision: string | undefined,
): string | undefined {
  if (!revision) return undefined;
  const versions = new Map<string, string>();
  const ordered = ops
    .filter(o => o.environment === environment && o.resultRevision)
    .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  for (const op of ordered) {
    let version: string | undefined;
    if (op.type === 'deploy' && op.state === 'succeeded')
      version = op.release.version;
    else if (op.type === 'deploy' && op.state === 'rolled-back')
      version = op.baselineRevision && versions.get(op.baselineRevision);
    else if (op.type === 'rollback' && op.state === 'succeeded')
      version = op.targetRevision && versions.get(op.targetRevision);
    if (version) versions.set(op.resultRevision!, version);
  }
  return versions.get(revision);
}

/** "revision 4 (v1.3.1)", or "revision 4" when its version is not known. */
export const revisionWords = (revision: string, version?: string) =>
  `revision ${revision}${version ? ` (v${version})` : ''}`;

const OUTCOME: Record<string, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'rolled-back': 'was rolled back',
  aborted: 'was aborted',
  'needs-attention': 'needs attention',
  blocked: 'was blocked',
};

/**
 * "Deploy of RCO (Remote-Call Orchestrator) 1.3.2 to production succeeded", "Rollback of RCO
 * (Remote-Call Orchestrator) in production to revision 4 (v1.3.1) succeeded".
 */
export function outcomeTitle(
  op: Pick<
    OperationResponse,
    'type' | 'state' | 'environment' | 'release' | 'targetRevision'
  >,
  title: string,
  targetVersion?: string,
): string {
  const outcome = OUTCOME[op.state] ?? op.state;
  if (op.type === 'deploy') {
    return `Deploy of ${title} ${op.release.version ?? 'a release'} to ${
      op.environment
    } ${outcome}`;
  }
  const target = op.targetRevision
    ? revisionWords(op.targetRevision, targetVersion)
    : 'the previous revision';
  const what = op.type === 'rollback' ? 'Rollback' : 'Rollback dry-run';
  return `${what} of ${title} in ${op.environment} to ${target} ${outcome}`;
}

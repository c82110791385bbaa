import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CapabilitiesResponse,
  EnvironmentView,
  OperationResponse,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { localTime, relativeTo, RichText, usePortalNow } from '../shared';
import { ConfirmDialog } from './ConfirmDialog';
import { messageOf } from './errors';
import { isActive, newIdempotencyKey } from './model';
import {
  migrationsNotUndone,
  migrationWarning,
  previousRevision,
  Revision,
  revisionWords,
} from './revisions';
import { useWording } from './wording';

/**
 * "Revision 4 (v1.3.1) · superseded · 2 hours ago (29 Nov 2026, 20:15)": an <option> holds text
 * only, so the relative and the local time are both written out.
 */
function revisionLabel(
  r: Revision,
  versions: Map<string, string>,
  now: number,
) {
  const when = r.updatedAt
    ? ` · ${relativeTo(r.updatedAt, now)} (${localTime(r.updatedAt)})`
    : '';
  return `${revisionWords(r.revision, versions, 'Revision')} · ${
    r.status
  }${when}${r.description ? ` · ${r.description}` : ''}`;
}

/**
 * Roll back one environment: pick an earlier revision, dry-run it first (nothing changes, and
 * the result is recorded as migration-controls evidence), then roll back for real through the
 * typed confirmation. Roll back stays disabled until a dry-run of that revision has succeeded
 * since the revision now serving went live.
 */
export function RollbackControls(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  environment: EnvironmentView;
  capabilities?: CapabilitiesResponse;
  /** Another operation holds the environment. */
  busyEnvironment: boolean;
  /** The operation the page follows and the history, to find dry-run outcomes in. */
  operation?: OperationResponse;
  history: OperationResponse[];
  onCreated: (op: OperationResponse) => void;
  onConfirmed: (op: OperationResponse) => void;
  onRefused: () => void;
}) {
  const { api, entityRef, environment: env, capabilities } = props;
  const { title, versions } = useWording();
  const now = usePortalNow()();
  const service = title ?? entityRef.name;
  const earlier = env.revisions.filter(r => !r.current);
  // The revision the serving one just replaced, not the first or oldest listed.
  // Until someone picks one, it follows what serves: after a deploy, the revision that deploy
  // replaced.
  const [picked, setRevision] = useState<string>();
  const revision =
    (picked && earlier.some(r => r.revision === picked) ? picked : undefined) ??
    previousRevision(env)?.revision ??
    earlier[0]?.revision ??
    '';
  const words = revisionWords(revision, versions);
  const [dryRunId, setDryRunId] = useState<string>();
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [rollbackKey, setRollbackKey] = useState(newIdempotencyKey);
  const allowed = !!capabilities?.operations?.rollback;
  const target = earlier.find(r => r.revision === revision);
  const since = env.currentRevision?.updatedAt ?? '';
  // A rollback returns the code, not the schema: say which migrations stay.
  const migrations = migrationsNotUndone(env, target, props.history);

  const find = (id?: string) =>
    id && props.operation?.id === id
      ? props.operation
      : props.history.find(o => o.id === id);
  const dryRun =
    find(dryRunId) ??
    props.history.find(
      o =>
        o.type === 'rollback-dry-run' &&
        o.environment === env.name &&
        o.targetRevision === revision &&
        o.createdAt >= since,
    );
  const dryRunOk =
    dryRun?.targetRevision === revision && dryRun.state === 'succeeded';

  const runDryRun = async () => {
    setError(undefined);
    try {
      const op = await api.createOperation(
        entityRef,
        {
          type: 'rollback-dry-run',
          environment: env.name,
          targetRevision: revision,
        },
        newIdempotencyKey(),
      );
      setDryRunId(op.id);
      props.onCreated(op);
    } catch (e) {
      setError(messageOf(e));
      props.onRefused();
    }
  };

  const rollBack = async (confirmation: string) => {
    let op: OperationResponse;
    try {
      op = await api.createOperation(
        entityRef,
        { type: 'rollback', environment: env.name, targetRevision: revision },
        rollbackKey,
      );
    } catch (e) {
      props.onRefused();
      throw e;
    }
    props.onCreated(op);
    const confirmed = await api.confirmOperation(op.id, { confirmation });
    setConfirming(false);
    props.onConfirmed(confirmed);
  };

  if (!earlier.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No earlier revision in {env.name} to roll back to.
      </Typography>
    );
  }
  let why: string | undefined;
  if (!allowed) {
    why = 'You may not roll back this service: rollbacks are for its owners.';
  } else if (props.busyEnvironment) {
    why = `An operation is active in ${env.name}.`;
  } else if (!dryRunOk) {
    why = `Run a dry-run of ${words} first.`;
  }

  return (
    <Box component="section" aria-label="Roll back" mt={3}>
      <Typography variant="h6" component="h3">
        Roll back {env.name}
      </Typography>
      <Box
        display="flex"
        style={{ gap: 12 }}
        alignItems="center"
        flexWrap="wrap"
      >
        {/* A native select: a combobox named by its label for screen readers and tests. */}
        <TextField
          select
          id="rco-rollback-revision"
          label="Revision to roll back to"
          value={revision}
          onChange={e => setRevision(e.target.value)}
          variant="outlined"
          size="small"
          style={{ minWidth: 320 }}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
        >
          {earlier.map(r => (
            <option key={r.revision} value={r.revision}>
              {revisionLabel(r, versions, now)}
            </option>
          ))}
        </TextField>
        <Button
          variant="outlined"
          disabled={!allowed || props.busyEnvironment || !revision}
          onClick={runDryRun}
        >
          Dry-run rollback
        </Button>
        <Button
          variant="contained"
          color="secondary"
          disabled={!!why}
          aria-describedby={why ? 'rco-rollback-why' : undefined}
          onClick={() => {
            setRollbackKey(newIdempotencyKey());
            setConfirming(true);
          }}
        >
          Roll back
        </Button>
      </Box>
      {why && (
        <Typography id="rco-rollback-why" variant="body2" color="textSecondary">
          {why}
        </Typography>
      )}
      {error && (
        <Alert severity="error">
          <RichText text={error} />
        </Alert>
      )}
      {dryRun && dryRun.targetRevision === revision && (
        <Box mt={1} aria-live="polite">
          {isActive(dryRun) ? (
            <Typography variant="body2">Dry-run of {words} running…</Typography>
          ) : (
            <Alert
              role="note"
              severity={dryRun.state === 'succeeded' ? 'success' : 'error'}
            >
              <RichText
                text={`Dry-run of ${words} ${
                  dryRun.state === 'succeeded' ? 'succeeded' : dryRun.state
                }${
                  dryRun.progress?.message ? `: ${dryRun.progress.message}` : ''
                }${
                  dryRun.state !== 'succeeded' && dryRun.reasons.length
                    ? ` — ${dryRun.reasons.join('; ')}`
                    : ''
                }`}
              />
            </Alert>
          )}
        </Box>
      )}
      {confirming && target && (
        <ConfirmDialog
          title={`Roll back ${service} in ${env.name} to ${revisionWords(
            target.revision,
            versions,
          )}`}
          entityName={entityRef.name}
          facts={[
            ['Environment', `${env.name} (${env.driverLabel})`],
            [
              'Serving now',
              env.currentRevision
                ? revisionLabel(
                    { ...env.currentRevision, current: true },
                    versions,
                    now,
                  )
                : '—',
            ],
            [
              'Roll back to',
              `${revisionLabel(target, versions, now)}${
                target.image ? ` · ${target.image}` : ''
              }`,
            ],
            ['Dry-run', dryRun?.progress?.message ?? 'succeeded'],
          ]}
          steps={[
            { title: 'Preflight (a rollback is not held back by the gates)' },
            {
              title: `Roll back to ${revisionWords(target.revision, versions)}`,
            },
          ]}
          warning={
            migrations.length
              ? migrations.map(migrationWarning).join(' ')
              : undefined
          }
          onConfirm={rollBack}
          onClose={() => setConfirming(false)}
        />
      )}
    </Box>
  );
}

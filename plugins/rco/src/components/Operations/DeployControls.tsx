import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CapabilitiesResponse,
  EnvironmentView,
  OperationResponse,
  OverrideResponse,
  ReleaseStatusResponse,
  RoadStage,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { roadDeployBlockers } from '../Road/format';
import { capitalised, RichText, When } from '../shared';
import { ConfirmDialog, PlanStep } from './ConfirmDialog';
import {
  isPausedForPromote,
  newIdempotencyKey,
  PAUSED_LABEL,
  ROLE_TITLE,
} from './model';
import { STATE_LABEL } from './OutcomeChip';
import { revisionWords } from './revisions';
import { useWording } from './wording';

type Release = { version?: string; digest?: string };

/**
 * Why Deploy is disabled, most fundamental first; empty when it may be pressed. Sign-offs are
 * read from the backend's four-eyes verdict (status.fourEyes, judged for the caller as the one
 * who confirms), never judged here; the backend judges again on every request.
 */
export function deployBlockers(o: {
  capabilities?: CapabilitiesResponse;
  release: Release;
  environment: EnvironmentView;
  status: ReleaseStatusResponse;
  evaluating: boolean;
  activeOperation?: OperationResponse;
  override?: OverrideResponse;
  /** describeOperation with the service's title (an active operation is named, not its id). */
  describe?: (op: OperationResponse) => string;
  /** The environment's stage on the road to production, read for this release. */
  road?: RoadStage;
}): string[] {
  if (!o.capabilities) return ['Your permissions are not known yet.'];
  if (!o.capabilities.operations?.deploy) {
    return [
      'You may not deploy this service: deploys are for its owners (the backend decides).',
    ];
  }
  if (!o.release.version || !o.release.digest) {
    return ['Pick a release with a version and an image digest to deploy it.'];
  }
  const reasons: string[] = [];
  if (o.evaluating)
    reasons.push(`Evaluating the gates for ${o.environment.name}…`);
  const active = o.activeOperation;
  if (active && o.describe) {
    const state = isPausedForPromote(active)
      ? PAUSED_LABEL
      : STATE_LABEL[active.state];
    reasons.push(
      `Another operation holds ${o.environment.name}: ${o.describe(
        active,
      )} (${state}).`,
    );
  } else if (active?.id ?? o.environment.activeOperationId) {
    reasons.push(`Another operation is in progress in ${o.environment.name}.`);
  }
  const roles = o.status.fourEyes?.roles;
  // A break-glass override lifts failing gates, never missing approvals (as the backend does).
  if (!o.override) {
    for (const g of o.status.gates) {
      if (g.status !== 'pass' && g.status !== 'waived') {
        // The status in the chips' words: "Policy Enforcement: Fail".
        reasons.push(`${g.title}: ${capitalised(g.status)}`);
      } else if (
        g.id === 'dpo-signoff' &&
        roles &&
        roles.dpo.status !== 'approved'
      ) {
        // The gate passes on an approval that is the caller's own: it would not count for them.
        reasons.push(`${g.title}: ${roles.dpo.reason ?? ''}`);
      }
    }
  }
  for (const role of o.environment.requiredSignoffs) {
    const verdict = roles?.[role];
    if (verdict?.status === 'approved') continue;
    const why =
      verdict &&
      (verdict.status === 'rejected' ||
        verdict.decisions.some(d => d.notCounted))
        ? ` (${verdict.reason})`
        : '';
    reasons.push(
      `Sign-off missing for ${o.environment.name}: ${ROLE_TITLE[role]}${why}`,
    );
  }
  // Promotion, soak, window, freeze, a marked release: each with when it lifts by itself (the
  // list shows that instant in the viewer's time); break-glass lifts what the backend lifts.
  reasons.push(...roadDeployBlockers(o.road, !!o.override));
  return reasons;
}

/**
 * The Deploy button of one environment, disabled with every reason listed, and its
 * confirmation dialog: the plan, an optional database migration, the typed service name. On
 * confirm it creates the operation (with one idempotency key per dialog, so a double click or a
 * retry cannot deploy twice) and confirms the plan.
 */
export function DeployControls(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  release: Release;
  environment: EnvironmentView;
  blockers: string[];
  /** The operation was created (it holds the environment from now on). */
  onCreated: (op: OperationResponse) => void;
  /** The plan was confirmed: running, or waiting for an irreversible step. */
  onConfirmed: (op: OperationResponse) => void;
  /** The request was refused; a refused deploy is still recorded in the history. */
  onRefused: () => void;
}) {
  const { api, entityRef, release, environment, blockers } = props;
  const [open, setOpen] = useState(false);
  const [migration, setMigration] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const current = environment.currentRevision;
  const { title, versions } = useWording();
  const service = title ?? entityRef.name;

  const openDialog = () => {
    setMigration('');
    setKey(newIdempotencyKey());
    setOpen(true);
  };

  const steps: PlanStep[] = [
    { title: 'Preflight: the gates and sign-offs are checked again' },
    ...(migration.trim()
      ? [
          {
            title: `Database migration: ${migration.trim()}`,
            irreversible: true,
          },
        ]
      : []),
    {
      title: `Roll out v${release.version} with ${environment.driverLabel}`,
    },
  ];

  const confirm = async (confirmation: string) => {
    let op: OperationResponse;
    try {
      op = await api.createOperation(
        entityRef,
        {
          type: 'deploy',
          environment: environment.name,
          release: { version: release.version, digest: release.digest },
          databaseMigration: migration.trim() || undefined,
        },
        key,
      );
    } catch (e) {
      props.onRefused();
      throw e;
    }
    props.onCreated(op);
    const confirmed = await api.confirmOperation(op.id, { confirmation });
    setOpen(false);
    props.onConfirmed(confirmed);
  };

  return (
    <Box>
      <Box
        display="flex"
        alignItems="center"
        style={{ gap: 12 }}
        flexWrap="wrap"
      >
        <Button
          variant="contained"
          color="primary"
          disabled={blockers.length > 0}
          onClick={openDialog}
          aria-describedby={blockers.length ? 'rco-deploy-blockers' : undefined}
        >
          Deploy
        </Button>
        <Typography variant="body2">
          v{release.version ?? '—'} to {environment.name}
        </Typography>
      </Box>
      {blockers.length > 0 && (
        <Box id="rco-deploy-blockers" mt={1}>
          <Typography variant="body2" component="h4">
            Deploy is disabled:
          </Typography>
          <ul aria-label="Why Deploy is disabled" style={{ marginTop: 4 }}>
            {blockers.map(reason => (
              <li key={reason}>
                <Typography variant="body2">
                  <RichText text={reason} />
                </Typography>
              </li>
            ))}
          </ul>
        </Box>
      )}
      {open && (
        <ConfirmDialog
          title={`Deploy ${service} ${release.version} to ${environment.name}`}
          entityName={entityRef.name}
          facts={[
            ['Release', `v${release.version}`],
            ['Image', release.digest],
            ['Environment', `${environment.name} (${environment.driverLabel})`],
            [
              'Serving now',
              current ? (
                <>
                  {revisionWords(current.revision, versions)}
                  {current.image ? ` · ${current.image}` : ''} ·{' '}
                  <When iso={current.updatedAt} />
                </>
              ) : (
                'nothing known'
              ),
            ],
          ]}
          steps={steps}
          onConfirm={confirm}
          onClose={() => setOpen(false)}
        >
          {environment.simulated && (
            <Alert severity="info" role="note">
              Simulated cluster: nothing real is deployed.
            </Alert>
          )}
          <TextField
            id="rco-deploy-migration"
            label="Database migration (optional)"
            fullWidth
            margin="normal"
            value={migration}
            onChange={e => {
              setMigration(e.target.value);
              // Another request body needs another key (the backend answers 422 otherwise).
              setKey(newIdempotencyKey());
            }}
            inputProps={{ maxLength: 200 }}
            helperText="The migration this release runs, e.g. V42__add_call_index. It cannot be undone and waits for its own confirmation."
          />
        </ConfirmDialog>
      )}
    </Box>
  );
}

import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntityPresentation } from '@backstage/plugin-catalog-react';
import {
  CapabilitiesResponse,
  OperationResponse,
  ReleaseStatusResponse,
  RoadResponse,
  SignoffView,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Typography } from '@material-ui/core';
import { useState } from 'react';
import { rcoApiRef } from '../../api/RcoApi';
import { roadStageFor } from '../Road/format';
import { BreakGlassDialog, OverrideBanner } from './BreakGlass';
import { ConfirmOperationDialog } from './ConfirmOperationDialog';
import { DeployControls, deployBlockers } from './DeployControls';
import { DeploysOff } from './DeploysOff';
import { EnvironmentCards } from './EnvironmentCards';
import { HistoryTable } from './HistoryTable';
import {
  activeOverrideFor,
  breakGlassMaxDuration,
  describeOperation,
  isActive,
} from './model';
import { OperationProgress } from './OperationProgress';
import { revisionVersions } from './revisions';
import { RollbackControls } from './RollbackControls';
import { useOperations } from './useOperations';
import { WordingProvider } from './wording';
import { HumanOnly } from '../shared';

/** @public */
export interface OperationsPanelProps {
  entityRef: CompoundEntityRef;
  /** The release picked on the Release tab. */
  release: { version?: string; digest?: string };
  /** The environment picked on the tab; the panel works on it when it is a configured one. */
  environment?: string;
  /** Picks another environment on the tab (the gates are then evaluated for it). */
  onEnvironmentChange: (environment: string) => void;
  /** The tab's evaluation of the release: its failing gates are what blocks Deploy. */
  status: ReleaseStatusResponse;
  /** True while the tab re-evaluates the gates (after a change of environment, say). */
  evaluating?: boolean;
  /**
   * The release's sign-offs. Deploy reads the four-eyes verdict from `status.fourEyes` instead;
   * kept so that callers of this public component need not change.
   */
  signoffs: SignoffView[];
  capabilities?: CapabilitiesResponse;
  /** An operation ended: the gates may have changed (a rollback dry-run is evidence). */
  onOperationFinished?: () => void;
  /** Changes when the tab re-read (a nudge, a poll): the deploy side re-reads its lists too. */
  refreshToken?: unknown;
  /** The road to production for the release: its blockers in an environment block Deploy. */
  road?: RoadResponse;
}

/**
 * The deploy side of the Release tab: the environments and what serves in each, Deploy behind
 * the gates, the live progress of the active operation with Promote and Abort, Roll back with a
 * dry-run first, break-glass and the deploy history. Buttons reflect the caller's capabilities
 * for display only; the backend decides every request.
 *
 * @public
 */
export function OperationsPanel(props: OperationsPanelProps) {
  // An entity kind outside rco.operations.entityKinds operates through no route (ADR 0007):
  // say so instead of offering controls and reading lists that would only answer 403.
  if (props.capabilities?.operations?.kindAllowed === false) {
    return (
      <InfoCard title="Deploy">
        <Typography variant="body2">
          Entities of kind {props.entityRef.kind} do not deploy through the
          console: the portal's operators choose the kinds that do
          (rco.operations.entityKinds).
        </Typography>
      </InfoCard>
    );
  }
  // The backend says deploys are off until rco.environments is configured: no list to read.
  if (props.capabilities?.operations?.environmentsConfigured === false) {
    return (
      <InfoCard title="Deploy">
        <DeploysOff />
      </InfoCard>
    );
  }
  return <DeploySide {...props} />;
}

function DeploySide(props: OperationsPanelProps) {
  const { entityRef, release, environment, capabilities, status } = props;
  const api = useApi(rcoApiRef);
  const data = useOperations({
    api,
    entityRef,
    environment,
    channel: capabilities?.operations?.channel,
    onFinished: () => props.onOperationFinished?.(),
    refreshToken: props.refreshToken,
  });
  const [confirming, setConfirming] = useState<OperationResponse>();
  const [breakingGlass, setBreakingGlass] = useState(false);
  const { environments, history, operation } = data;
  // The service's catalog title for sentences ("RCO (Remote-Call Orchestrator) 1.3.2").
  const { primaryTitle: title } = useEntityPresentation(entityRef);

  const confirmed = (op: OperationResponse) => {
    data.track(op);
    // The plan is confirmed; an irreversible step now waits for its own confirmation.
    if (
      op.state === 'awaiting-confirmation' &&
      op.awaiting &&
      op.awaiting !== 'plan'
    ) {
      setConfirming(op);
    }
  };

  if (!environments.value && !environments.error) {
    return (
      <InfoCard title="Deploy">
        <Progress />
      </InfoCard>
    );
  }
  // Only when nothing was read: a failed re-read keeps the lists (and open dialogs) on screen.
  if (!environments.value) {
    return (
      <InfoCard title="Deploy">
        <ResponseErrorPanel
          error={environments.error ?? new Error('No answer')}
          title="The deploy side could not reach the rco backend"
        />
        <Box mt={2}>
          <Button variant="outlined" onClick={data.reload}>
            Retry
          </Button>
        </Box>
      </InfoCard>
    );
  }
  if (!environments.value.length) {
    return (
      <InfoCard title="Deploy">
        <DeploysOff />
      </InfoCard>
    );
  }

  const target = environments.value.find(e => e.name === environment);
  const active = isActive(operation) ? operation : undefined;
  const override = target
    ? activeOverrideFor(data.overrides.value ?? [], target.name, release)
    : undefined;
  const banners = (data.overrides.value ?? []).filter(
    o => activeOverrideFor([o], target?.name, release) === o,
  );
  const bound = !!release.version && !!release.digest;
  // The followed operation first: it is fresher than its row in the history.
  const known = [
    ...(operation ? [operation] : []),
    ...(history.value ?? []).filter(o => o.id !== operation?.id),
  ];
  const versions = target
    ? revisionVersions(target, known)
    : new Map<string, string>();

  return (
    <WordingProvider title={title} versions={versions}>
      <InfoCard
        title="Deploy"
        subheader="Deploys go through the gates above; rollbacks dry-run first."
      >
        <Box mb={2}>
          <HumanOnly
            what="Deploy, confirm, promote, abort and break-glass"
            verb="are"
          />
        </Box>
        {(environments.error || data.overrides.error) && (
          <Box mb={2} display="flex" alignItems="center" style={{ gap: 8 }}>
            <Typography variant="caption" color="textSecondary" role="status">
              Could not refresh the deploy side:{' '}
              {(environments.error ?? data.overrides.error)?.message}
            </Typography>
            <Button size="small" onClick={data.reload}>
              Retry
            </Button>
          </Box>
        )}
        {banners.map(o => (
          <Box mb={2} key={o.id}>
            <OverrideBanner
              override={o}
              onRevoke={
                capabilities?.operations?.breakGlass
                  ? async revoked => {
                      try {
                        await api.revokeOverride(revoked.id);
                      } finally {
                        // Revoked here or already by someone else: show what holds now.
                        data.reload();
                      }
                    }
                  : undefined
              }
            />
          </Box>
        ))}
        <EnvironmentCards
          environments={environments.value}
          selected={target?.name}
          onSelect={props.onEnvironmentChange}
          fourEyes={status.fourEyes}
          operations={known}
        />
        {!target && (
          <Box mt={2}>
            <Typography variant="body2">
              {environment
                ? `${environment} is not an environment the portal deploys to. `
                : ''}
              Choose the environment to deploy to or roll back ("Work on …").
            </Typography>
          </Box>
        )}
        {target && (
          <Box
            component="section"
            aria-label={`Operations in ${target.name}`}
            mt={3}
          >
            <Box
              display="flex"
              style={{ gap: 16 }}
              alignItems="flex-start"
              flexWrap="wrap"
            >
              <DeployControls
                api={api}
                entityRef={entityRef}
                release={release}
                environment={target}
                blockers={deployBlockers({
                  capabilities,
                  release,
                  environment: target,
                  status,
                  evaluating: !!props.evaluating,
                  activeOperation: active,
                  override,
                  describe: op => describeOperation(op, { title, versions }),
                  road: roadStageFor(props.road, target.name, release),
                })}
                onCreated={data.track}
                onConfirmed={confirmed}
                onRefused={data.reload}
              />
              {capabilities?.operations?.breakGlass && bound && !override && (
                <Button
                  variant="outlined"
                  onClick={() => setBreakingGlass(true)}
                >
                  Break glass
                </Button>
              )}
            </Box>
            {operation && (
              <OperationProgress
                api={api}
                operation={operation}
                capabilities={capabilities}
                liveError={data.liveError}
                onChanged={data.track}
                onReviewConfirmation={() => setConfirming(operation)}
                onDismiss={data.dismiss}
              />
            )}
            <RollbackControls
              key={target.name}
              api={api}
              entityRef={entityRef}
              environment={target}
              capabilities={capabilities}
              busyEnvironment={!!active || !!target.activeOperationId}
              operation={operation}
              history={history.value ?? []}
              onCreated={data.track}
              onConfirmed={confirmed}
              onRefused={data.reload}
            />
          </Box>
        )}
        {history.loading && !history.value && <Progress />}
        {history.error && !history.value && (
          <Box mt={3}>
            <ResponseErrorPanel
              error={history.error}
              title="The deploy history could not be read"
            />
            <Button variant="outlined" onClick={data.reload}>
              Retry
            </Button>
          </Box>
        )}
        {history.value && <HistoryTable operations={history.value} />}
        {confirming && (
          <ConfirmOperationDialog
            // A new dialog per step: the name is typed again for the irreversible step.
            key={`${confirming.id}:${confirming.awaiting}`}
            api={api}
            operation={confirming}
            entityName={entityRef.name}
            onConfirmed={op => {
              setConfirming(undefined);
              confirmed(op);
            }}
            onClose={() => setConfirming(undefined)}
          />
        )}
        {breakingGlass && target && (
          <BreakGlassDialog
            api={api}
            entityRef={entityRef}
            environment={target.name}
            release={release}
            maxDuration={breakGlassMaxDuration(capabilities)}
            onClose={created => {
              setBreakingGlass(false);
              if (created) data.reload();
            }}
          />
        )}
      </InfoCard>
    </WordingProvider>
  );
}

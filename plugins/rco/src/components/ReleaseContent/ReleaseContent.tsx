import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  FormControl,
  Grid,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { WaiverProposalView } from '@helix-portal/plugin-rco-common';
import { ReactNode, useMemo, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { rcoApiRef } from '../../api/RcoApi';
import { EvidenceDrawer } from './EvidenceDrawer';
import { NoEvidenceYet } from './NoEvidenceYet';
import { blockedSentence, pickerLabel, verdictIn } from './format';
import { ActiveExceptions } from './ActiveExceptions';
import { EnvironmentChips } from './EnvironmentChips';
import { DEPLOY_ANCHOR, GATES_ANCHOR, SkipLinks } from './SkipLinks';
import { useGateActions } from './useGateActions';
import { useReleaseReads } from './useReleaseReads';
import { CollectionHealth } from './CollectionHealth';
import { useCollection } from './useCollection';
import { RefreshNote, ReleaseNotFound } from './RefreshNote';
import { WhoMayWaive } from './NextSteps';
import { GateTable } from './GateTable';
import { PillarCards } from './PillarCards';
import { SignoffPanel } from './SignoffPanel';
import { VerdictChip } from './StatusChip';
import { WaiverDialog } from './WaiverDialog';
import { WaiverProposals } from './WaiverProposals';

/** The gate the waiver dialog opens on: a next step's, a proposal's, or the first. */
const initialGateOf = (waiving: boolean | string | WaiverProposalView) => {
  if (typeof waiving === 'string') return waiving;
  return typeof waiving === 'object' ? waiving.gate : undefined;
};
import { OperationsPanel } from '../Operations';
import { LastUpdated, useReleaseUpdates } from '../live';
import { DemoBanner, useDemoClock } from '../demo';
import { ClockProvider } from '../shared';
import { RoadSection, useRcoRead } from '../Road';
import { ReviewsPanel } from '../Reviews';
import { TimelineSection } from '../Timeline';
import { RunbookReviewBanner, reviewCadenceOf } from '../RunbookReview';
import { MetricsSection } from '../Metrics';

/**
 * The Release tab: a release and environment picker, the verdict, the ten gates, the seven
 * pillars, sign-offs and waivers. The chosen release lives in the URL so it can be shared.
 */
export function ReleaseContent() {
  const { entity } = useEntity();
  const api = useApi(rcoApiRef);
  const location = useLocation();
  const [evidenceId, setEvidenceId] = useState<string>();
  // true: the waiver dialog with its first gate; a gate id: opened from that gate's next step;
  // a proposal: opened to review it, filled in as proposed.
  const [waiving, setWaiving] = useState<boolean | string | WaiverProposalView>(
    false,
  );
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const runbookPath = location.pathname.replace(/\/release\/?$/, '/runbook');

  const reads = useReleaseReads(api, entityRef);
  const {
    params,
    setParams,
    chosen,
    environment,
    releases,
    capabilities,
    status,
    release,
    overrides,
    signoffs,
    rereadAll,
  } = reads;

  // Live: every change nudges the release channel; the page re-reads in place (no spinner:
  // the values stay on screen while the reads run, and when a re-read fails). Polling is the
  // fallback.
  const live = useReleaseUpdates({
    channel: capabilities.value?.releaseChannel,
    onChange: rereadAll,
    busy: reads.busy,
    value: reads.current,
  });
  const demoClock = useDemoClock(capabilities.value?.demo, rereadAll);
  // What the console collects itself: re-read with the page; a collection now re-reads it.
  const collection = useCollection(api, entityRef, reads.rereads, rereadAll);
  const withClock = (page: ReactNode) => (
    <ClockProvider offsetMs={demoClock.offsetMs}>{page}</ClockProvider>
  );

  // The road to production (issue 15): read for the release on screen, again with the page.
  const releaseKey = `${entityRef.kind}:${entityRef.namespace}/${
    entityRef.name
  }|${release.version ?? ''}|${release.digest ?? ''}`;
  const bound = !!release.version || !!release.digest;
  const road = useRcoRead(
    api.getRoad && bound ? () => api.getRoad!(entityRef, release) : undefined,
    releaseKey,
    reads.rereads,
  );
  const windows = useRcoRead(
    api.listWindows ? () => api.listWindows!(entityRef) : undefined,
    releaseKey,
    reads.rereads,
  );
  const reviews = useRcoRead(
    api.listReviews ? () => api.listReviews!(entityRef) : undefined,
    releaseKey,
    reads.rereads,
  );
  const proposals = useRcoRead(
    api.listWaiverProposals
      ? () => api.listWaiverProposals!(entityRef)
      : undefined,
    releaseKey.split('|')[0],
    reads.rereads,
  );
  const timeline = useRcoRead(
    api.getTimeline && bound
      ? () => api.getTimeline!(entityRef, release)
      : undefined,
    releaseKey,
    reads.rereads,
  );
  // Only for the overdue review banner; a failed read shows no banner (the Runbook tab says why).
  const runbook = useRcoRead(
    () => api.getCurrentRunbook(entityRef).then(reviewCadenceOf),
    releaseKey.split('|')[0],
  );

  const gateActions = useGateActions({
    api,
    entityRef,
    release,
    onChanged: () => {
      signoffs.retry();
      status.retry();
    },
  });

  if (reads.notFound) {
    return (
      <ReleaseNotFound
        version={chosen.version}
        digest={chosen.digest}
        onNewest={() => {
          const next = new URLSearchParams(params);
          next.delete('version');
          next.delete('digest');
          setParams(next);
        }}
      />
    );
  }
  // The full error panel only when nothing was ever read; after that a failed re-read is a
  // note over the page as it was (its dialogs and the live progress stay open).
  const error = reads.error;
  if (!error && !reads.everRead) return <Progress />;
  if (error && !reads.everRead) {
    return (
      <Box>
        <ResponseErrorPanel
          error={error}
          title="The release console could not reach the rco backend"
        />
        <Box mt={2}>
          <Button
            variant="outlined"
            onClick={() => {
              releases.retry();
              status.retry();
            }}
          >
            Try again
          </Button>
        </Box>
      </Box>
    );
  }
  if (!releases.value?.items.length) {
    return (
      <NoEvidenceYet entityRef={entityRef} capabilities={capabilities.value} />
    );
  }
  const current = reads.current!;
  const choose = (updates: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(updates)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  const selectedKey = `${release.version ?? ''}|${release.digest ?? ''}`;
  const ready = current.summary.ready;
  const judgedIn = current.release.environment ?? environment;
  const verdict = verdictIn(current.summary, judgedIn);
  const goSign = (role: 'po' | 'dpo' | 'security') => {
    const button = document.getElementById(`rco-sign-${role}`);
    button?.scrollIntoView?.({ block: 'center' });
    button?.focus();
  };

  // Relative times read against the portal's clock (the demo clock may run ahead).
  return withClock(
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SkipLinks />
      </Grid>
      {runbook.value?.overdue && (
        <Grid item xs={12}>
          <RunbookReviewBanner
            review={runbook.value}
            runbookPath={runbookPath}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <InfoCard
          title={
            <Box
              display="flex"
              alignItems="center"
              style={{ gap: 12 }}
              flexWrap="wrap"
            >
              <span>Release readiness</span>
              <VerdictChip
                summary={current.summary}
                label={verdict}
                detail={blockedSentence(current.summary, current.gates)}
              />
              <LastUpdated at={live.lastUpdated} />
            </Box>
          }
          subheader={`${blockedSentence(current.summary, current.gates)}. ${
            current.summary.passing
          } of ${current.summary.total} gates pass. Runbook v${
            current.runbookVersion ?? '—'
          }.`}
        >
          <DemoBanner clock={demoClock} />
          {error && (
            <Box mb={2}>
              <RefreshNote
                error={error}
                readAt={reads.readAt}
                onRetry={rereadAll}
              />
            </Box>
          )}
          <Box mb={2}>
            <EnvironmentChips
              environments={current.environments ?? []}
              selected={judgedIn}
              onSelect={env => choose({ environment: env })}
            />
            <ActiveExceptions
              gates={current.gates}
              overrides={overrides.value ?? []}
            />
          </Box>
          <Box
            display="flex"
            style={{ gap: 16 }}
            flexWrap="wrap"
            alignItems="center"
          >
            <FormControl
              variant="outlined"
              size="small"
              style={{ minWidth: 320 }}
            >
              <InputLabel id="rco-release-label">Release</InputLabel>
              <Select
                labelId="rco-release-label"
                label="Release"
                value={selectedKey}
                onChange={e => {
                  const [version, digest] = String(e.target.value).split('|');
                  choose({ version, digest });
                }}
              >
                {!releases.value.items.some(
                  r => `${r.version ?? ''}|${r.digest ?? ''}` === selectedKey,
                ) && (
                  <MenuItem value={selectedKey}>
                    {pickerLabel(release)}
                  </MenuItem>
                )}
                {releases.value.items.map(r => (
                  <MenuItem
                    key={`${r.version}|${r.digest}`}
                    value={`${r.version ?? ''}|${r.digest ?? ''}`}
                  >
                    {pickerLabel(r)}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <FormControl
              variant="outlined"
              size="small"
              style={{ minWidth: 200 }}
            >
              <InputLabel id="rco-env-label">Environment</InputLabel>
              <Select
                labelId="rco-env-label"
                label="Environment"
                value={environment ?? ''}
                onChange={e =>
                  choose({ environment: String(e.target.value) || undefined })
                }
              >
                {/* Judged in no particular environment only when the portal knows none. */}
                {!releases.value.environments.length && (
                  <MenuItem value="">Any environment</MenuItem>
                )}
                {chosen.environment &&
                  !releases.value.environments.includes(chosen.environment) && (
                    <MenuItem value={chosen.environment}>
                      {chosen.environment}
                    </MenuItem>
                  )}
                {releases.value.environments.map(env => (
                  <MenuItem key={env} value={env}>
                    {env}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            {capabilities.value?.waive ? (
              <Button
                variant="outlined"
                onClick={() => setWaiving(true)}
                disabled={ready}
              >
                Waive a gate
              </Button>
            ) : (
              <Typography variant="caption" color="textSecondary">
                <WhoMayWaive gates={current.gates} />
              </Typography>
            )}
          </Box>
          <WaiverProposals
            proposals={proposals.value ?? []}
            gates={current.gates}
            environment={environment}
            canWaive={!!capabilities.value?.waive}
            onReview={setWaiving}
          />
        </InfoCard>
      </Grid>
      {road.supported && (
        <Grid item xs={12}>
          <RoadSection
            api={api}
            entityRef={entityRef}
            release={release}
            environment={environment}
            environments={releases.value.environments}
            capabilities={capabilities.value}
            road={road}
            windows={windows}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        {/* The skip link's target: focusable by script only, so Tab continues inside it. */}
        <div
          id={GATES_ANCHOR}
          tabIndex={-1}
          role="region"
          aria-label="Gate checklist"
        >
          <GateTable
            gates={current.gates}
            runbookPath={runbookPath}
            onOpenEvidence={setEvidenceId}
            simulatedClusters={collection.simulatedClusters}
            nextSteps={{
              capabilities: capabilities.value,
              runbookPath,
              actions: gateActions,
              goSign,
              waive: capabilities.value?.waive
                ? gate => setWaiving(gate)
                : undefined,
            }}
          />
        </div>
      </Grid>
      <Grid item xs={12}>
        <CollectionHealth collection={collection} />
      </Grid>
      <Grid item xs={12}>
        <div id={DEPLOY_ANCHOR} tabIndex={-1} role="region" aria-label="Deploy">
          <OperationsPanel
            entityRef={entityRef}
            release={release}
            environment={environment}
            onEnvironmentChange={env => choose({ environment: env })}
            status={current}
            evaluating={reads.evaluating}
            refreshToken={reads.rereads}
            signoffs={signoffs.value ?? []}
            capabilities={capabilities.value}
            onOperationFinished={() => {
              status.retry();
              road.reload();
              reviews.reload();
            }}
            road={road.value}
          />
        </div>
      </Grid>
      {reviews.supported && (
        <Grid item xs={12}>
          <ReviewsPanel
            api={api}
            capabilities={capabilities.value}
            reviews={reviews.value}
            error={reviews.error}
            onChanged={() => {
              reviews.reload();
              timeline.reload();
            }}
          />
        </Grid>
      )}
      <Grid item xs={12} lg={8}>
        <Typography variant="h5" component="h2" gutterBottom>
          Helix Core Ethos pillars
        </Typography>
        <PillarCards pillars={current.pillars} />
      </Grid>
      <Grid item xs={12} lg={4}>
        <SignoffPanel
          api={api}
          entityRef={entityRef}
          release={release}
          fourEyes={current.fourEyes}
          capabilities={capabilities.value}
          onChange={() => {
            signoffs.retry();
            status.retry();
          }}
        />
      </Grid>
      {(timeline.supported || api.downloadDossier) && (
        <Grid item xs={12}>
          <TimelineSection
            api={api}
            entityRef={entityRef}
            release={release}
            timeline={timeline}
            onOpenEvidence={setEvidenceId}
          />
        </Grid>
      )}
      {api.getMetrics && (
        <Grid item xs={12}>
          {/* Issue 17: the service's delivery history; read only when opened. */}
          <MetricsSection
            entityRef={entityRef}
            environments={releases.value.environments}
            environment={environment}
          />
        </Grid>
      )}
      <EvidenceDrawer
        id={evidenceId}
        onClose={() => setEvidenceId(undefined)}
        evidence={current.gates
          .flatMap(g => g.evidence)
          .find(e => e.id === evidenceId)}
        simulatedClusters={collection.simulatedClusters}
      />
      {waiving && (
        <WaiverDialog
          api={api}
          entityRef={entityRef}
          gates={current.gates}
          environment={environment}
          initialGate={initialGateOf(waiving)}
          proposal={typeof waiving === 'object' ? waiving : undefined}
          open={!!waiving}
          onClose={changed => {
            setWaiving(false);
            if (changed) {
              status.retry();
              proposals.reload();
            }
          }}
        />
      )}
    </Grid>,
  );
}

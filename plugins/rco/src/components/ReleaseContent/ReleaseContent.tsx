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
import { Alert } from '@material-ui/lab';
import { useMemo, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rcoApiRef } from '../../api/RcoApi';
import { EvidenceDrawer } from './EvidenceDrawer';
import { NoEvidenceYet } from './NoEvidenceYet';
import { releaseLabel } from './format';
import { GateTable } from './GateTable';
import { PillarCards } from './PillarCards';
import { SignoffPanel } from './SignoffPanel';
import { VerdictChip } from './StatusChip';
import { WaiverDialog } from './WaiverDialog';
import { OperationsPanel } from '../Operations';

/**
 * The Release tab: a release and environment picker, the verdict, the ten gates, the seven
 * pillars, sign-offs and waivers. The chosen release lives in the URL so it can be shared.
 */
export function ReleaseContent() {
  const { entity } = useEntity();
  const api = useApi(rcoApiRef);
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const [evidenceId, setEvidenceId] = useState<string>();
  const [waiving, setWaiving] = useState(false);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const key = `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}`;
  const runbookPath = location.pathname.replace(/\/release\/?$/, '/runbook');

  const releases = useAsyncRetry(() => api.listReleases(entityRef), [api, key]);
  const capabilities = useAsync(
    () => api.getCapabilities(entityRef),
    [api, key],
  );
  const chosen = {
    version: params.get('version') ?? undefined,
    digest: params.get('digest') ?? undefined,
    environment: params.get('environment') ?? undefined,
  };
  const status = useAsyncRetry(
    () => api.getStatus(entityRef, chosen),
    [api, key, chosen.version, chosen.digest, chosen.environment],
  );
  const release = status.value?.release ?? {};
  const signoffs = useAsyncRetry(
    async () =>
      release.version && release.digest
        ? // Sign-offs bind to version and digest; the status's release also names the
          // environment and the requester, which the sign-off list does not take.
          api.listSignoffs(entityRef, {
            version: release.version,
            digest: release.digest,
          })
        : [],
    [api, key, release.version, release.digest],
  );

  // A reload keeps the page (and the deploy panel's dialogs and live progress) on screen.
  if (
    (releases.loading && !releases.value) ||
    (status.loading && !status.value)
  )
    return <Progress />;
  const error = releases.error ?? status.error;
  if (error) {
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
  const current = status.value!;
  const choose = (updates: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(updates)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  const selectedKey = `${release.version ?? ''}|${release.digest ?? ''}`;
  const waivers = current.gates.filter(g => g.waiver);
  const ready = current.summary.ready;

  return (
    <Grid container spacing={3}>
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
              <VerdictChip summary={current.summary} />
            </Box>
          }
          subheader={`${current.summary.text}. Runbook v${
            current.runbookVersion ?? '—'
          }.`}
        >
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
                    {releaseLabel(release)}
                  </MenuItem>
                )}
                {releases.value.items.map(r => (
                  <MenuItem
                    key={`${r.version}|${r.digest}`}
                    value={`${r.version ?? ''}|${r.digest ?? ''}`}
                  >
                    {releaseLabel(r)}
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
                value={chosen.environment ?? ''}
                onChange={e =>
                  choose({ environment: String(e.target.value) || undefined })
                }
              >
                <MenuItem value="">Any environment</MenuItem>
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
                Waivers are granted by the waiver group.
              </Typography>
            )}
          </Box>
        </InfoCard>
      </Grid>
      {waivers.map(g => (
        <Grid item xs={12} key={g.id}>
          <Alert severity="warning" role="status">
            {g.title} is waived by {g.waiver!.grantedBy} until{' '}
            {g.waiver!.expiresAt}: {g.waiver!.justification}
          </Alert>
        </Grid>
      ))}
      <Grid item xs={12}>
        <GateTable
          gates={current.gates}
          runbookPath={runbookPath}
          onOpenEvidence={setEvidenceId}
        />
      </Grid>
      <Grid item xs={12}>
        <OperationsPanel
          entityRef={entityRef}
          release={release}
          environment={chosen.environment}
          onEnvironmentChange={environment => choose({ environment })}
          status={current}
          evaluating={status.loading}
          signoffs={signoffs.value ?? []}
          capabilities={capabilities.value}
          onOperationFinished={status.retry}
        />
      </Grid>
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
      <EvidenceDrawer
        id={evidenceId}
        onClose={() => setEvidenceId(undefined)}
      />
      {waiving && (
        <WaiverDialog
          api={api}
          entityRef={entityRef}
          gates={current.gates}
          environment={chosen.environment}
          open={waiving}
          onClose={changed => {
            setWaiving(false);
            if (changed) status.retry();
          }}
        />
      )}
    </Grid>
  );
}

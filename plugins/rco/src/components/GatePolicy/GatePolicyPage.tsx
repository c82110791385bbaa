import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { ReplayChange } from '@helix-portal/plugin-rco-common';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rcoApiRef } from '../../api/RcoApi';
import { ReplayTables } from '../Metrics';
import { Refusal } from '../shared';
import { PolicyTable } from './PolicyTable';
import { ReplayForm } from './ReplayForm';

/**
 * The Gate policy page for platform leads: the thresholds in force, and what a change of one
 * would have done, replayed over the stored judgements (past deploys and releases in flight).
 * It changes nothing: the thresholds live in app-config, changed by the platform team.
 * `header={false}` when the app frame already shows the page's title (the new frontend system).
 */
/** Whether two changes ask the same thing (severities in any order). */
function sameChange(a?: ReplayChange, b?: ReplayChange) {
  const words = (c: ReplayChange) =>
    JSON.stringify([
      c.gate,
      c.maxAge ?? null,
      c.blockingSeverities ? [...c.blockingSeverities].sort() : null,
    ]);
  return !!a && !!b && words(a) === words(b);
}

export function GatePolicyPage(props: { header?: boolean } = {}) {
  const api = useApi(rcoApiRef);
  const policy = useAsyncRetry(
    async () => (api.getGatePolicy ? api.getGatePolicy() : undefined),
    [api],
  );
  const [selected, setSelected] = useState<string>();
  // What the form says now: a result is shown only beside the change it was asked for.
  const [editing, setEditing] = useState<ReplayChange>();
  // The change last replayed (useAsyncFn keeps only the latest call's outcome).
  const [asked, setAsked] = useState<ReplayChange>();
  const [replayed, replay] = useAsyncFn(
    async (change: ReplayChange) => {
      setAsked(change);
      return api.replay!(undefined, { change });
    },
    [api],
  );
  const gate = policy.value?.gates.find(g => g.gate === selected);
  const current =
    !!gate && asked?.gate === gate.gate && sameChange(asked, editing);

  let body;
  if (!api.getGatePolicy || !api.replay) {
    body = (
      <Typography>This portal's release console offers no replay.</Typography>
    );
  } else if (policy.loading) {
    body = <Progress />;
  } else if (policy.error || !policy.value) {
    body = (
      <Box>
        <ResponseErrorPanel
          error={policy.error ?? new Error('No policy')}
          title="The gate policy could not be read"
        />
        <Button variant="outlined" onClick={policy.retry}>
          Try again
        </Button>
      </Box>
    );
  } else {
    body = (
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Alert
            severity="info"
            role="note"
            data-testid="rco-gate-policy-changes-nothing"
          >
            This page changes nothing. A replay judges the stored deploy
            judgements again with the proposed threshold and writes nothing. The
            thresholds are set in app-config (rco.gates.maxAge,
            rco.gates.blockingSeverities) by the platform team.
          </Alert>
        </Grid>
        <Grid item xs={12}>
          <InfoCard title="Gate thresholds in force">
            <PolicyTable
              policy={policy.value}
              selected={selected}
              onSelect={setSelected}
            />
          </InfoCard>
        </Grid>
        {gate && (
          <Grid item xs={12}>
            <InfoCard>
              {/* Keyed by gate: another gate's form starts from its own thresholds. */}
              <ReplayForm
                key={gate.gate}
                gate={gate}
                busy={replayed.loading}
                onReplay={replay}
                onEdit={setEditing}
              />
              <Box mt={3} aria-live="polite">
                {replayed.error && current && !replayed.loading && (
                  <Refusal title="The replay failed" error={replayed.error} />
                )}
                {replayed.value && current && !replayed.loading && (
                  <ReplayTables
                    result={replayed.value}
                    change={asked}
                    gateTitle={gate.title}
                    name="policy"
                  />
                )}
              </Box>
            </InfoCard>
          </Grid>
        )}
      </Grid>
    );
  }

  if (props.header === false) return <Content>{body}</Content>;
  return (
    <Page themeId="tool">
      <Header
        title="Gate policy"
        subtitle="What a change of a gate's threshold would have done. Nothing is changed here."
      />
      <Content>{body}</Content>
    </Page>
  );
}

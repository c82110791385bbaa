import {
  EmptyState,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { RUNBOOK_ANNOTATION } from '@helix-portal/plugin-rco-common';
import { Box, Button, Grid, Tab, Tabs } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rcoApiRef } from '../../api/RcoApi';
import { isRcoAvailable } from '../../conditions';
import { RunbookChangelog } from './RunbookChangelog';
import { RunbookCompare } from './RunbookCompare';
import { RunbookHeader, VersionPicker } from './RunbookHeader';
import { RunbookSections } from './RunbookSections';
import { RunbookToc } from './RunbookToc';
import { useReleaseChannel, useReleaseUpdates } from '../live';
import { RunbookReviewBanner, reviewCadenceOf } from '../RunbookReview';

/**
 * The Runbook tab: the entity's runbook with a table of contents, a version picker, the
 * changelog and a compare view. State lives in the URL (`?version=`, `?compare=from..to`,
 * `#section-…`) so every view can be linked to.
 */
export function RunbookContent() {
  const { entity } = useEntity();
  const api = useApi(rcoApiRef);
  const alertApi = useApi(alertApiRef);
  const [params, setParams] = useSearchParams();
  const [refreshing, setRefreshing] = useState(false);
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const refKey = `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}`;
  const available = isRcoAvailable(entity);

  const versions = useAsyncRetry(
    async () => (available ? api.listRunbookVersions(entityRef) : []),
    [api, refKey, available],
  );
  const selected = params.get('version') ?? undefined;
  const compare = params.get('compare');
  const doc = useAsyncRetry(async () => {
    if (!available) return undefined;
    return selected
      ? api.getRunbookVersion(entityRef, selected)
      : api.getCurrentRunbook(entityRef);
  }, [api, refKey, selected, available]);
  // A refreshed runbook (by anyone, or the scheduled read) shows in every open tab.
  const live = useReleaseUpdates({
    channel: useReleaseChannel(entityRef, available),
    only: ['runbook'],
    pollMs: 0,
    busy: doc.loading || versions.loading,
    onChange: () => {
      doc.retry();
      versions.retry();
    },
  });

  // Deep links (`#section-…`) are followed by RunbookSections once the sections are rendered:
  // here the document may be loaded while the versions still show a spinner.

  if (!available) {
    return <MissingAnnotationEmptyState annotation={RUNBOOK_ANNOTATION} />;
  }
  if ((doc.loading || versions.loading) && !live.rereading) {
    return <Progress />;
  }
  if (doc.error) {
    return (
      <Box>
        <Alert severity="info" role="status">
          The Runbook tab shows the file that the {RUNBOOK_ANNOTATION}{' '}
          annotation names ({entity.metadata.annotations?.[RUNBOOK_ANNOTATION]}
          ), next to the entity's catalog-info.yaml. If it cannot be read, check
          that the file exists at that path, is a valid runbook and that the
          portal can read its repository (the integrations section of
          app-config), then try again.
        </Alert>
        <ResponseErrorPanel error={doc.error} />
        <Box mt={2}>
          <Button variant="outlined" onClick={doc.retry}>
            Try again
          </Button>
        </Box>
      </Box>
    );
  }
  if (!doc.value) {
    return (
      <EmptyState
        missing="data"
        title="No runbook yet"
        description="The runbook has not been read yet. Refresh to read it now."
      />
    );
  }

  const current = doc.value;
  const allVersions = versions.value ?? [];
  const setParam = (updates: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(updates)) {
      if (value === undefined) next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };
  const [compareFrom, compareTo] = (compare ?? '').split('..');
  const previous = allVersions.find(v => v.version !== current.version);
  const review = reviewCadenceOf(current);

  const refresh = async () => {
    setRefreshing(true);
    try {
      const outcome = await api.refreshRunbook(entityRef);
      alertApi.post({
        message:
          outcome.status === 'ok'
            ? `Runbook refreshed: v${outcome.current}, ${outcome.versions} versions kept`
            : `The runbook could not be read; the last good version keeps serving`,
        severity: outcome.status === 'ok' ? 'success' : 'warning',
        display: 'transient',
      });
      doc.retry();
      versions.retry();
    } catch (e) {
      alertApi.post({ message: `Refresh failed: ${e}`, severity: 'error' });
    } finally {
      setRefreshing(false);
    }
  };

  return (
    <Grid container spacing={3}>
      {current.lastError && (
        <Grid item xs={12}>
          <Alert severity="warning" role="alert">
            The newest runbook at {current.lastError.source} is invalid, so the
            last good version (v{current.version}) is shown.{' '}
            {current.lastError.problems
              .map(p => `${p.path}: ${p.message}`)
              .join('; ')}
          </Alert>
        </Grid>
      )}
      {review?.overdue && (
        <Grid item xs={12}>
          <RunbookReviewBanner review={review} />
        </Grid>
      )}
      <Grid item xs={12}>
        <RunbookHeader
          doc={current}
          actions={
            <Box display="flex" style={{ gap: 8 }} alignItems="center" mt={1}>
              <VersionPicker
                versions={allVersions}
                value={current.version}
                onChange={v => setParam({ version: v, compare: undefined })}
              />
              <Button
                variant="outlined"
                onClick={refresh}
                disabled={refreshing}
              >
                {refreshing ? 'Refreshing…' : 'Refresh'}
              </Button>
            </Box>
          }
        />
      </Grid>
      <Grid item xs={12}>
        <Tabs
          value={compare ? 'compare' : 'read'}
          onChange={(_, tab) =>
            setParam({
              compare:
                tab === 'compare'
                  ? `${previous?.version ?? current.version}..${
                      current.version
                    }`
                  : undefined,
            })
          }
          indicatorColor="primary"
          aria-label="Runbook views"
        >
          <Tab value="read" label="Read" />
          <Tab
            value="compare"
            label="Compare versions"
            disabled={allVersions.length < 2}
          />
        </Tabs>
      </Grid>
      {compare ? (
        <Grid item xs={12}>
          <RunbookCompare
            entityRef={entityRef}
            versions={allVersions}
            from={compareFrom}
            to={compareTo || current.version}
            onChange={(from, to) => setParam({ compare: `${from}..${to}` })}
          />
        </Grid>
      ) : (
        <>
          <Grid item xs={12} md={3}>
            <RunbookToc runbook={current.runbook} />
          </Grid>
          <Grid item xs={12} md={9}>
            <RunbookSections runbook={current.runbook} />
            <RunbookChangelog runbook={current.runbook} />
          </Grid>
        </>
      )}
    </Grid>
  );
}

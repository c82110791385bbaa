import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Box, Button, Typography } from '@material-ui/core';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { rcoApiRef } from '../../api/RcoApi';
import { browserTimeZone } from '../Windows/timeZones';
import { MetricsBody } from './MetricsBody';
import { MetricsPickers, MetricsScope } from './MetricsPickers';
import { useMetrics } from './useMetrics';

/**
 * Delivery metrics and gate effectiveness of one entity (or the portfolio: no entityRef) with
 * pickers for the environment, the period and the weeks' time zone. The environments are the
 * page's, or the gate policy's when the page has none (the portfolio).
 */
export default function MetricsView(props: {
  entityRef?: CompoundEntityRef;
  environments?: string[];
  environment?: string;
}) {
  const api = useApi(rcoApiRef);
  const [scope, setScope] = useState<MetricsScope>(() => ({
    // None until the user picks one: the backend knows which environments are configured.
    environment: props.environment || undefined,
    days: 90,
    timeZone: browserTimeZone(),
  }));
  const policy = useAsync(
    async () =>
      props.environments?.length ? undefined : api.getGatePolicy?.(),
    [api],
  );
  const environments = props.environments?.length
    ? props.environments
    : policy.value?.environments ?? [];
  const metrics = useMetrics(api, props.entityRef, scope);
  if (!api.getMetrics) {
    return (
      <Typography variant="body2">
        This portal's release console serves no metrics.
      </Typography>
    );
  }
  return (
    <Box aria-busy={metrics.loading}>
      <MetricsPickers
        scope={scope}
        environments={environments}
        answered={metrics.value?.scope.environment}
        onChange={setScope}
        idPrefix={props.entityRef ? 'rco-metrics' : 'rco-portfolio-metrics'}
      />
      {metrics.loading && <Progress />}
      {metrics.error && (
        <Box>
          <ResponseErrorPanel
            error={metrics.error}
            title="The metrics could not be read"
          />
          <Button variant="outlined" onClick={metrics.retry}>
            Try again
          </Button>
        </Box>
      )}
      {metrics.value && !metrics.loading && (
        <MetricsBody metrics={metrics.value} />
      )}
    </Box>
  );
}

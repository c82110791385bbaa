import { CompoundEntityRef } from '@backstage/catalog-model';
import { MetricsResponse } from '@helix-portal/plugin-rco-common';
import { useMemo } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { RcoApi } from '../../api/RcoApi';
import { MetricsScope } from './MetricsPickers';

const DAY = 86_400_000;

/**
 * Reads the metrics of an entity (or the portfolio without one) for a scope. The period ends
 * when the scope was chosen, not at each re-render: a retry asks for the same figures.
 */
export function useMetrics(
  api: RcoApi,
  entityRef: CompoundEntityRef | undefined,
  scope: MetricsScope | undefined,
) {
  const key = JSON.stringify([entityRef, scope]);
  const query = useMemo(() => {
    if (!scope) return undefined;
    const to = new Date();
    return {
      environment: scope.environment,
      from: new Date(to.getTime() - scope.days * DAY).toISOString(),
      to: to.toISOString(),
      tz: scope.timeZone,
    };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return useAsyncRetry(async (): Promise<MetricsResponse | undefined> => {
    if (!query || !api.getMetrics) return undefined;
    return api.getMetrics(entityRef, query);
  }, [api, query]);
}

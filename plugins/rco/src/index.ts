/**
 * Frontend of the RCO Release Console: the service's runbook, compliance pillars and release
 * gates on the catalog entity page.
 *
 * @packageDocumentation
 */
export {
  rcoPlugin,
  EntityRcoRunbookContent,
  EntityRcoReleaseContent,
  EntityRcoReleaseOverviewCard,
  RcoPortfolioPage,
  RcoGatePolicyPage,
} from './plugin';
export { isRcoAvailable } from './conditions';
export { rcoApiRef } from './api/RcoApi';
export type {
  RcoApi,
  RcoMetricsQuery,
  RcoPortfolioQuery,
  RcoReleaseRef,
} from './api/RcoApi';
export { RcoClient } from './api/RcoClient';

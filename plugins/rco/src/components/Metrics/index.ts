export { MetricsSection } from './MetricsSection';
export { OverrideHistory, OUTCOME } from './OverrideHistory';
export { ReplayTables } from './ReplayTables';
export { tableCaption } from './DataTable';
export { csvOf, csvField, tableOf } from './csv';
export type { TableData, Column } from './csv';

export { OperationsPanel } from './OperationsPanel';
export type { OperationsPanelProps } from './OperationsPanel';

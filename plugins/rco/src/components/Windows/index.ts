export { WindowsPanel } from './WindowsPanel';

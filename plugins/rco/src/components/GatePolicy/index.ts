export { GatePolicyPage } from './GatePolicyPage';

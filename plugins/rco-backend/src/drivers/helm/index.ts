export { HelmDriver } from './HelmDriver';
export type { HelmDriverOptions } from './HelmDriver';
export { HelmNotInstalledError } from './runHelm';
export { imageValues, kubeconfigFor, mergeReleaseValues } from './helmFiles';
export type { HelmImageValues } from './helmFiles';

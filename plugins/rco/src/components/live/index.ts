export { useReleaseUpdates, RELEASE_POLL_MS } from './useReleaseUpdates';
export type { ReleaseNudge } from './useReleaseUpdates';
export { LastUpdated, agoText } from './LastUpdated';

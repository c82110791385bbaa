export { useReleaseUpdates, RELEASE_POLL_MS } from './useReleaseUpdates';
export type { ReleaseNudge } from './useReleaseUpdates';
export { useReleaseChannel } from './useReleaseChannel';
export { LastUpdated, agoText } from './LastUpdated';
export { useKept, useLastGood } from './useLastGood';

export { ReleaseOverviewCard } from './ReleaseOverviewCard';

export { ReleaseTimeline } from './ReleaseTimeline';
export { TimelineSection } from './TimelineSection';

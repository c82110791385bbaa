export { DemoBanner, CLOCK_STEPS, aheadText } from './DemoBanner';
export { useDemoClock } from './useDemoClock';
export type { DemoClockState } from './useDemoClock';

export { RoadView } from './RoadView';
export { RoadSection } from './RoadSection';
export { roadDeployBlockers, roadStageFor } from './format';
export { useRcoRead } from './useRcoRead';

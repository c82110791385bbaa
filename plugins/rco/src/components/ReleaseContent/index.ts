export { ReleaseContent } from './ReleaseContent';
export { verdictOf } from './format';

export { ReleaseContent, verdictOf } from './ReleaseContent';

export { RunbookReviewBanner, reviewCadenceOf } from './RunbookReviewBanner';

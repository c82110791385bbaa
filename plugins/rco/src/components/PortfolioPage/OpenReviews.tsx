import { Typography } from '@material-ui/core';

/**
 * Finished production deploys and rollbacks whose owner has not written the review yet (issue
 * 15): shown beside the service's name in the table and the heat map, in words.
 */
export function OpenReviews(props: { count?: number; inline?: boolean }) {
  if (!props.count) return null;
  const words = `${props.count} review${
    props.count === 1 ? '' : 's'
  } after a production deploy open`;
  return (
    <Typography
      component="span"
      variant="caption"
      color="textSecondary"
      title={words}
      aria-label={words}
      style={{ display: props.inline ? 'inline' : 'block' }}
    >
      {props.inline ? ' · ' : ''}
      {props.count} review{props.count === 1 ? '' : 's'} open
    </Typography>
  );
}

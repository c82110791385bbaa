import { Typography } from '@material-ui/core';
import { useEffect, useState } from 'react';
import { localTime } from '../shared';

/** "just now", "3 s ago", "2 min ago", "1 h ago": how long ago the page read its data. */
export function agoText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.floor(m / 60)} h ago`;
}

/**
 * "Updated 3 s ago", ticking every second, with the local time on hover. Measured against the
 * browser's clock: it says when this page last read, not a time of the portal's.
 */
export function LastUpdated(props: { at?: Date }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!props.at) return null;
  const iso = props.at.toISOString();
  return (
    <Typography
      variant="caption"
      color="textSecondary"
      component="span"
      role="status"
      aria-live="off"
    >
      <time dateTime={iso} title={localTime(iso)}>
        Updated {agoText(now - props.at.getTime())}
      </time>
    </Typography>
  );
}

import { GateStatus } from '@helix-portal/plugin-rco-common';
import { makeStyles, Theme } from '@material-ui/core';
import { chipTone } from '../ReleaseContent/StatusChip';

/**
 * A glyph beside each status word, so a status reads by shape and word as well as colour. Plain
 * text, not icon components or chips: the heat map mounts hundreds of cells per scroll step and
 * the table dozens per page, and each MUI Chip or SvgIcon brings its own styles.
 */
export const GLYPH: Record<GateStatus, string> = {
  pass: '✓',
  fail: '✕',
  missing: '?',
  stale: '◷',
  waived: '‖',
};

/** The status colours of the chips (StatusChip), with black or white text, whichever reads better. */
export const useStatusStyles = makeStyles((theme: Theme) => ({
  pass: chipTone(theme, theme.palette.success.main),
  fail: chipTone(theme, theme.palette.error.main),
  missing: chipTone(theme, theme.palette.grey[700]),
  stale: chipTone(theme, theme.palette.warning.main),
  waived: chipTone(theme, theme.palette.info.main),
  glyph: { display: 'inline-block', width: 14, textAlign: 'center' },
  badge: {
    display: 'inline-block',
    borderRadius: 10,
    padding: '0 8px 0 4px',
    lineHeight: '20px',
    fontSize: 12,
    flexShrink: 0,
  },
  // A router link without MUI's Link and Typography around it: many mount at once.
  link: {
    color: theme.palette.link ?? theme.palette.primary.main,
    textDecoration: 'none',
    '&:hover, &:focus': { textDecoration: 'underline' },
  },
}));

/**
 * A moment as "2026-12-01 10:00 UTC": unambiguous in every locale, and cheap. Intl's formatters
 * cost more than the rest of a heat map row together, paid for every row scrolled into view.
 */
export const dateTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
};

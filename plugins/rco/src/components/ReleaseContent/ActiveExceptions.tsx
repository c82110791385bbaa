import { GateResult, OverrideResponse } from '@helix-portal/plugin-rco-common';
import { Box } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Person, RichText, usePortalNow, When } from '../shared';
import { pickerLabel } from './format';

/** Overrides in force now: not revoked and not expired (against the portal's clock). */
export const activeOverrides = (overrides: OverrideResponse[], now: number) =>
  overrides.filter(o => !o.revokedAt && Date.parse(o.expiresAt) > now);

/**
 * What lets this release past its gates right now, said in the page header: each waiver of a
 * gate and each active break-glass override, by whom and until when. They change what Deploy may
 * do, so they must not hide in the Deploy section.
 */
export function ActiveExceptions(props: {
  gates: GateResult[];
  overrides: OverrideResponse[];
}) {
  const now = usePortalNow();
  const waived = props.gates.filter(g => g.waiver);
  const overrides = activeOverrides(props.overrides, now());
  if (!waived.length && !overrides.length) return null;
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 8 }} mt={2}>
      {overrides.map(o => (
        <Alert
          key={o.id}
          severity="error"
          role="status"
          aria-label={`Break-glass override active in ${o.environment}`}
        >
          Break-glass override active in {o.environment} for{' '}
          {pickerLabel(o.release)}, granted by <Person actor={o.createdBy} />{' '}
          <When iso={o.createdAt} />, ends <When iso={o.expiresAt} />:{' '}
          <RichText text={o.justification} />
        </Alert>
      ))}
      {waived.map(g => (
        <Alert
          key={g.id}
          severity="warning"
          role="status"
          aria-label={`${g.title} is waived`}
        >
          {g.title} is waived by <Person actor={g.waiver!.grantedBy} /> until{' '}
          <When iso={g.waiver!.expiresAt} local />:{' '}
          <RichText text={g.waiver!.justification} />
        </Alert>
      ))}
    </Box>
  );
}

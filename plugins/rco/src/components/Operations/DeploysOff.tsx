import { Link } from '@backstage/core-components';
import { Alert } from '@material-ui/lab';

/** Where an operator reads what to configure (the README's install section). */
export const INSTALL_GUIDE_URL =
  'https://github.com/helix-portal/rco-release-console#install-into-your-backstage';

/**
 * Said wherever the deploy side would be while the portal configures no rco.environments: the
 * backend refuses deploys, rollbacks and dry-runs then (409), and the gates and evidence above
 * still work, so this is information for the reader, not an error.
 */
export function DeploysOff() {
  return (
    <Alert severity="info" role="status" aria-label="Deploys are off">
      <strong>
        Deploys are off: this portal has no rco.environments configured.
      </strong>{' '}
      Gates, evidence and sign-offs work without them; the portal's operators
      add environments under rco.environments in app-config (see the{' '}
      <Link to={INSTALL_GUIDE_URL}>install guide</Link>).
    </Alert>
  );
}

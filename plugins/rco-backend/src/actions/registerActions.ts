import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { Duration } from 'luxon';
import { pageLinks } from './links';
import { RcoApiClient } from './RcoApiClient';
import { registerReadActions } from './readActions';
import { registerStatusActions } from './statusActions';
import { registerWriteActions } from './writeActions';

/**
 * Registers the RCO actions (issue 16) with the actions registry, served to AI clients by
 * @backstage/plugin-mcp-actions-backend when backend.actions.pluginSources lists `rco`. Each
 * action calls the plugin's own HTTP API on behalf of the caller, so the routes' permission,
 * catalog visibility, audit and ledger apply to agents exactly as to the page.
 */
export function registerRcoActions(o: {
  actionsRegistry: ActionsRegistryService;
  auth: AuthService;
  discovery: DiscoveryService;
  /** The app's base URL (app.baseUrl), for links to the pages. */
  appBaseUrl?: string;
  /** rco.waivers.maxDuration: a proposal without an expiry asks for this long. */
  waiverMaxDuration: Duration;
  /** Tests count the requests made. */
  fetch?: typeof fetch;
}) {
  const deps = {
    client: new RcoApiClient({
      auth: o.auth,
      discovery: o.discovery,
      fetch: o.fetch,
    }),
    links: pageLinks(o.appBaseUrl),
  };
  registerStatusActions(o.actionsRegistry, deps);
  registerReadActions(o.actionsRegistry, deps);
  registerWriteActions(o.actionsRegistry, deps, {
    waiverMaxDuration: o.waiverMaxDuration,
  });
}

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
// Under NODE_ENV=production the backend does not start with a demo identity or demo evidence.
backend.add(import('./productionGuard'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Local portal only: act as a person of the example org. Not even registered outside
// NODE_ENV=development (and it refuses to sign anyone in there too).
if (process.env.NODE_ENV === 'development') {
  backend.add(import('./demoUsers'));
}

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
// The rco policy: owners upload evidence and deploy, role groups sign off, Security waives;
// everything else allowed. A portal with its own policy calls rcoPolicyDecision in it instead.
backend.add(
  import('@helix-portal/plugin-permission-backend-module-rco-policy'),
);

backend.add(import('@backstage/plugin-kubernetes-backend'));

backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@helix-portal/plugin-rco-backend'));
// The rco actions to AI clients over MCP (backend.actions.pluginSources), with the caller's token.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// A backend whose startup failed (the production guard refusing demo configuration, a plugin that
// could not boot) must stop, not keep serving the plugins that did start.
backend.start().catch(error => {
  process.stderr.write(`Backend startup failed: ${error}\n`);
  process.exit(1);
});

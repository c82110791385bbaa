import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/**
 * Configuration that only the local portal may carry: sign-in without an identity provider (the
 * guest, the demo users) and invented evidence. Each of them lets whoever reaches the portal act
 * as somebody or believe something, so a production backend that finds one must not start, even
 * though the providers also refuse to sign anyone in outside development: a configuration that
 * says otherwise is a mistake someone should see at once, not a silent no-op.
 */
const DEMO_ONLY: Array<{ key: string; what: string }> = [
  { key: 'auth.providers.guest', what: 'guest sign-in' },
  { key: 'auth.providers.demoUsers', what: 'the demo users sign-in' },
  { key: 'rco.demoEvidence', what: 'the demo evidence' },
  { key: 'rco.demoClusters', what: 'the simulated clusters' },
  {
    key: 'rco.sigstore.trustedRootFile',
    what: "the demo Sigstore root, whose CA's keys were thrown away: nothing real verifies against it",
  },
];

/** The local portal's Sigstore root (examples/rco/sigstore), under whatever folder it is read from. */
const DEMO_ROOT = /(^|[\\/])demo-trusted-root\.json$/;

/** What makes this configuration unfit for production; empty when it is fit. */
export function productionConfigProblems(config: Config): string[] {
  return DEMO_ONLY.filter(({ key }) => {
    if (key === 'rco.demoEvidence')
      return config.getOptionalBoolean(key) === true;
    if (key === 'rco.sigstore.trustedRootFile')
      return DEMO_ROOT.test(config.getOptionalString(key) ?? '');
    return config.has(key);
  }).map(
    ({ key, what }) =>
      `${key} is configured (${what}): it belongs in app-config.development.yaml only`,
  );
}

/**
 * Refuses to start a backend outside development and tests (NODE_ENV) whose configuration holds a demo identity
 * or demo evidence. Registered as a module of the auth plugin, which every portal runs, so the
 * whole backend fails to start.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'production-guard',
  register(reg) {
    reg.registerInit({
      deps: { config: coreServices.rootConfig },
      async init({ config }) {
        // Anything but the local portal and the tests counts as production: a deployment
        // that forgot NODE_ENV (or calls it staging) must not run demo identities either.
        const env = process.env.NODE_ENV;
        if (env === 'development' || env === 'test') return;
        const problems = productionConfigProblems(config);
        if (problems.length) {
          throw new Error(
            `Refusing to start in production: ${problems.join('; ')}`,
          );
        }
      },
    });
  },
});

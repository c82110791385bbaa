import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { NotAllowedError } from '@backstage/errors';

/**
 * Local portal only: lets a demo or an end-to-end test act as one of the example organisation's
 * people (`x-rco-demo-user: lena.vogel` on `GET /api/auth/demo-users/refresh`), so the four-eyes
 * rule can be shown with a requester and separate signers. Like the guest provider it refuses to
 * work outside `NODE_ENV=development`, and only the users listed in
 * `auth.providers.demoUsers.users` can be chosen. Production configuration has no such entry.
 */
const demoUsersAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async (result: { name: string }) => ({
    profile: { displayName: result.name },
  }),
  initialize({ config }) {
    return {
      enabled: process.env.NODE_ENV === 'development',
      users: config.getOptionalStringArray('users') ?? [],
    };
  },
  async authenticate({ req }, ctx) {
    if (!ctx.enabled) {
      throw new NotAllowedError(
        'Demo users exist in the local development portal only',
      );
    }
    const name = req.header('x-rco-demo-user') ?? '';
    if (!ctx.users.includes(name)) {
      throw new NotAllowedError(
        `"${name}" is not one of the demo users (auth.providers.demoUsers.users)`,
      );
    }
    return { result: { name } };
  },
});

export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'rco-demo-users',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        if (!config.has('auth.providers.demoUsers')) return;
        providers.registerProvider({
          providerId: 'demoUsers',
          factory: createProxyAuthProviderFactory({
            authenticator: demoUsersAuthenticator,
            signInResolver: async ({ result }, ctx) =>
              ctx.signInWithCatalogUser({
                entityRef: {
                  kind: 'User',
                  namespace: 'default',
                  name: result.name,
                },
              }),
          }),
        });
      },
    });
  },
});

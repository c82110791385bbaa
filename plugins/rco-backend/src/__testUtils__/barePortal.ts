import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { rcoPlugin } from '../plugin';
import { governedEntity } from './fixtures';

/** The catalog's user info in tests: a user owns their own ref and the groups `groupsOf` names. */
export const userInfoFrom = (groupsOf: (userEntityRef: string) => string[]) =>
  createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      getUserInfo: async (credentials: any) => ({
        userEntityRef: credentials.principal.userEntityRef,
        ownershipEntityRefs: [
          credentials.principal.userEntityRef,
          ...groupsOf(credentials.principal.userEntityRef),
        ],
      }),
    }),
  });

/** The one governed entity of a bare portal. */
export const SVC = '/api/rco/entities/component/default/svc';

/**
 * A portal that adds the rco backend plugin and nothing else of it (issue 11): only the `rco`
 * section given (none by default), no `kubernetes` section, no signals or notifications backend
 * (their service refs' default factories), a permission framework that allows everything, so
 * the plugin's own rules are what refuse, and one governed component `svc`. Each user's groups
 * come from `groupsOf`.
 */
export async function startBarePortal(options: {
  knex: Knex;
  rco?: object;
  groupsOf: (userEntityRef: string) => string[];
  logger?: ReturnType<typeof mockServices.logger.mock>;
}) {
  const backend = await startTestBackend({
    features: [
      rcoPlugin,
      mockServices.database.factory({ knex: options.knex }),
      options.logger?.factory ?? mockServices.logger.factory(),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          rco: options.rco,
        },
      }),
      catalogServiceMock.factory({
        entities: [
          governedEntity('svc', 'url:https://example.test/c.yaml', {}),
        ],
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      userInfoFrom(options.groupsOf),
    ],
  });
  return { app: backend.server, backend };
}

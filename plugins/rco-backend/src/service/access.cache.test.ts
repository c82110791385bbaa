import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { readRcoConfig } from '../config';
import { Access } from './access';

/**
 * Issue 14, point 4: the capabilities of one page ask the permission framework and the user
 * info service once per request (not once per action), and a page's next requests, within the
 * TTL, not at all; never with another caller's answers.
 */
const ENTITY: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'rco', namespace: 'default' },
  spec: { owner: 'group:default/rco-team' },
};
const config = readRcoConfig(
  new ConfigReader({
    rco: {
      signoffs: { groups: { po: 'group:default/po' } },
      waivers: { group: 'group:default/security' },
      breakGlass: { group: 'group:default/break-glass' },
    },
  }),
);
const groups: Record<string, string[]> = {
  'user:default/alice': ['group:default/rco-team', 'group:default/po'],
  'user:default/bob': ['group:default/break-glass'],
};

function counting() {
  let now = 1_000_000;
  let failPermissions = false;
  const userInfo = {
    getUserInfo: jest.fn(async (c: any) => ({
      userEntityRef: c.principal.userEntityRef,
      ownershipEntityRefs: groups[c.principal.userEntityRef] ?? [],
    })),
  };
  const permissions = {
    authorize: jest.fn(async (requests: any[], { credentials }: any) => {
      if (failPermissions) throw new Error('permission backend down');
      const mine = groups[credentials.principal.userEntityRef] ?? [];
      return requests.map(r => ({
        result:
          (r.resourceRef && mine.includes('group:default/rco-team')) ||
          (r.permission.name === 'rco.override.create' &&
            mine.includes('group:default/break-glass')) ||
          (r.permission.name === 'rco.signoff.create' &&
            mine.includes('group:default/po'))
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    }),
    authorizeConditional: jest.fn(),
  };
  const access = new Access(userInfo as any, permissions as any, config, {
    ttlMs: 5_000,
    now: () => now,
  });
  return {
    access,
    userInfo,
    permissions,
    advance: (ms: number) => {
      now += ms;
    },
    failPermissions: (v: boolean) => {
      failPermissions = v;
    },
  };
}

/** What the capabilities route asks for one request. */
const page = (access: Access, credentials: any) =>
  Promise.all([
    access.capabilities(ENTITY, credentials),
    access.operationCapabilities(ENTITY, credentials),
  ]);

describe('Access: lookups once per request, briefly shared per caller', () => {
  it('refuses: one capabilities request asks the user info twice and the policy five times', async () => {
    const { access, userInfo, permissions } = counting();
    const [base, ops] = await page(
      access,
      mockCredentials.user('user:default/alice'),
    );
    expect(base.signoff.po).toBe(true);
    expect(base.uploadEvidence).toBe(true);
    expect(ops).toMatchObject({ deploy: true, breakGlass: false });
    expect(userInfo.getUserInfo).toHaveBeenCalledTimes(1);
    // capabilities' five decisions, operationCapabilities' four: one round trip each.
    expect(permissions.authorize).toHaveBeenCalledTimes(2);
  });

  it("answers the same caller's next requests within the TTL from the cache, then asks again", async () => {
    const { access, userInfo, permissions, advance } = counting();
    await page(access, mockCredentials.user('user:default/alice'));
    advance(4_000);
    // A new request: a new credentials object for the same user.
    await page(access, mockCredentials.user('user:default/alice'));
    await access.assertCanOperate(
      ENTITY,
      mockCredentials.user('user:default/alice'),
      'deploy',
    );
    expect(userInfo.getUserInfo).toHaveBeenCalledTimes(1);
    expect(permissions.authorize).toHaveBeenCalledTimes(2);
    advance(1_001);
    await page(access, mockCredentials.user('user:default/alice'));
    expect(userInfo.getUserInfo).toHaveBeenCalledTimes(2);
    expect(permissions.authorize).toHaveBeenCalledTimes(4);
  });

  it("never answers one caller with another's decisions or groups", async () => {
    const { access, permissions } = counting();
    const alice = mockCredentials.user('user:default/alice');
    const bob = mockCredentials.user('user:default/bob');
    await page(access, alice);
    const [base, ops] = await page(access, bob);
    expect(base).toMatchObject({
      uploadEvidence: false,
      signoff: { po: false },
    });
    expect(ops).toMatchObject({ deploy: false, breakGlass: true });
    await expect(
      access.assertCanOperate(ENTITY, bob, 'deploy'),
    ).rejects.toThrow('Only owners');
    await expect(access.assertCanBreakGlass(alice)).rejects.toThrow(
      'Only members of group:default/break-glass',
    );
    await expect(access.assertCanBreakGlass(bob)).resolves.toBe(
      'user:default/bob',
    );
    expect(permissions.authorize).toHaveBeenCalledTimes(4);
  });

  it('keeps no failed decision: the next request asks the policy again', async () => {
    const { access, permissions, failPermissions } = counting();
    const alice = mockCredentials.user('user:default/alice');
    failPermissions(true);
    await expect(
      access.assertCanOperate(ENTITY, alice, 'deploy'),
    ).rejects.toThrow('permission backend down');
    const ops = await access.operationCapabilities(
      ENTITY,
      mockCredentials.user('user:default/alice'),
    );
    expect(ops.deploy).toBe(false);
    failPermissions(false);
    await expect(
      access.assertCanOperate(ENTITY, alice, 'deploy'),
    ).resolves.toBe('user:default/alice');
    expect(permissions.authorize.mock.calls.length).toBeGreaterThan(2);
  });
});

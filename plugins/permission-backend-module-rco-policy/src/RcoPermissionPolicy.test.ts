import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { permissionModuleRcoPolicy } from './module';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  rcoDeployPermission,
  rcoOperationControlPermission,
  rcoOverrideCreatePermission,
  rcoRollbackPermission,
  rcoEvidenceCreatePermission,
  rcoSignoffCreatePermission,
  rcoSignoffRevokePermission,
  rcoWaiverCreatePermission,
} from '@helix-portal/plugin-rco-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { RcoPermissionPolicy } from './RcoPermissionPolicy';

const policy = new RcoPermissionPolicy({
  signoff: [
    'group:default/product-owners',
    'group:default/dpo',
    'group:default/security',
  ],
  waiver: 'group:default/security',
  breakGlass: 'group:default/break-glass',
});

const user = (ref: string, groups: string[]): PolicyQueryUser =>
  ({
    identity: {
      type: 'user',
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...groups],
    },
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
    credentials: {} as any,
    token: 'token',
  } as unknown as PolicyQueryUser);

const guest = user('user:default/guest', ['group:default/rco-team']);
const dana = user('user:default/lena.vogel', ['group:default/dpo']);
const samir = user('user:default/samir.haddad', ['group:default/security']);

const mei = user('user:default/mei.tanaka', ['group:default/break-glass']);

describe('RcoPermissionPolicy', () => {
  it.each([
    rcoDeployPermission,
    rcoRollbackPermission,
    rcoOperationControlPermission,
  ])(
    'grants %s to the entity owners only, through a catalog condition',
    async permission => {
      const decision = await policy.handle({ permission }, guest);
      expect(decision).toMatchObject({
        result: AuthorizeResult.CONDITIONAL,
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          params: { claims: ['user:default/guest', 'group:default/rco-team'] },
        },
      });
    },
  );

  it.each([
    ['the break-glass group', mei, AuthorizeResult.ALLOW],
    ['Security', samir, AuthorizeResult.DENY],
    ['an owner', guest, AuthorizeResult.DENY],
  ])('break-glass by %s', async (_who, who, result) => {
    expect(
      await policy.handle({ permission: rcoOverrideCreatePermission }, who),
    ).toEqual({ result });
  });

  it('grants evidence uploads to the entity owners only, through a catalog condition', async () => {
    const decision = await policy.handle(
      { permission: rcoEvidenceCreatePermission },
      guest,
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/guest', 'group:default/rco-team'] },
      },
    });
  });

  it.each([
    [
      'a DPO member signs off',
      rcoSignoffCreatePermission,
      dana,
      AuthorizeResult.ALLOW,
    ],
    [
      'an owner without a role signs off',
      rcoSignoffCreatePermission,
      guest,
      AuthorizeResult.DENY,
    ],
    [
      'Security waives a gate',
      rcoWaiverCreatePermission,
      samir,
      AuthorizeResult.ALLOW,
    ],
    [
      'a DPO member waives a gate',
      rcoWaiverCreatePermission,
      dana,
      AuthorizeResult.DENY,
    ],
    [
      'an owner waives a gate',
      rcoWaiverCreatePermission,
      guest,
      AuthorizeResult.DENY,
    ],
  ])('%s', async (_name, permission, who, expected) => {
    expect(await policy.handle({ permission }, who)).toEqual({
      result: expected,
    });
  });

  it.each([
    ['a DPO member', dana, AuthorizeResult.DENY],
    ['Security', samir, AuthorizeResult.DENY],
    ['the break-glass group', mei, AuthorizeResult.DENY],
  ])(
    "grants revoking other people's sign-offs to nobody by default: %s",
    async (_who, who, result) => {
      expect(
        await policy.handle({ permission: rcoSignoffRevokePermission }, who),
      ).toEqual({ result });
    },
  );

  it("grants revoking other people's sign-offs to the configured admin group only", async () => {
    const withAdmins = new RcoPermissionPolicy({
      signoff: ['group:default/dpo'],
      signoffRevoke: 'group:default/release-admins',
      waiver: 'group:default/security',
      breakGlass: 'group:default/break-glass',
    });
    const admin = user('user:default/ada', ['group:default/release-admins']);
    expect(
      await withAdmins.handle(
        { permission: rcoSignoffRevokePermission },
        admin,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await withAdmins.handle({ permission: rcoSignoffRevokePermission }, dana),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('leaves the rest of the portal as it was', async () => {
    expect(
      await policy.handle({ permission: catalogEntityReadPermission }, guest),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});

describe('the permission module', () => {
  it('sets the rco policy with the groups of the rco configuration', async () => {
    let installed: PermissionPolicy | undefined;
    await startTestBackend({
      extensionPoints: [
        [policyExtensionPoint, { setPolicy: (p: any) => (installed = p) }],
      ],
      features: [
        permissionModuleRcoPolicy,
        mockServices.rootConfig.factory({
          data: { rco: { waivers: { group: 'group:default/risk' } } },
        }),
      ],
    });
    expect(installed).toBeInstanceOf(RcoPermissionPolicy);
    const risk = user('user:default/ria', ['group:default/risk']);
    expect(
      await installed!.handle({ permission: rcoWaiverCreatePermission }, risk),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await installed!.handle({ permission: rcoWaiverCreatePermission }, samir),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('starts without any rco configuration, and then lets nobody sign off, waive or break glass: no catalog group gets power by its name', async () => {
    let installed: PermissionPolicy | undefined;
    await startTestBackend({
      extensionPoints: [
        [policyExtensionPoint, { setPolicy: (p: any) => (installed = p) }],
      ],
      features: [permissionModuleRcoPolicy],
    });
    for (const [permission, who] of [
      [rcoWaiverCreatePermission, samir],
      [rcoSignoffCreatePermission, samir],
      [rcoSignoffCreatePermission, dana],
      [rcoOverrideCreatePermission, mei],
    ] as const) {
      expect(await installed!.handle({ permission }, who)).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
    expect(
      await installed!.handle({ permission: catalogEntityReadPermission }),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});

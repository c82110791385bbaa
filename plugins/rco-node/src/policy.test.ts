import { ConfigReader } from '@backstage/config';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityReadPermission,
  catalogEntityDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  rcoCollectionRefreshPermission,
  rcoDeployPermission,
  rcoEvidenceCreatePermission,
  rcoOperationControlPermission,
  rcoOverrideCreatePermission,
  rcoPermissions,
  rcoReleaseRequestPermission,
  rcoRollbackPermission,
  rcoSignoffCreatePermission,
  rcoSignoffRevokePermission,
  rcoWaiverCreatePermission,
} from '@helix-portal/plugin-rco-common';
import {
  RcoPolicyGroups,
  rcoPolicyDecision,
  readRcoPolicyGroups,
} from './policy';

const groups: RcoPolicyGroups = {
  signoff: [
    'group:default/product-owners',
    'group:default/dpo',
    'group:default/security',
  ],
  waiver: 'group:default/security',
  breakGlass: 'group:default/break-glass',
};

const user = (ref: string, memberOf: string[]): PolicyQueryUser =>
  ({
    identity: {
      type: 'user',
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...memberOf],
    },
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...memberOf] },
    credentials: {} as any,
    token: 'token',
  } as unknown as PolicyQueryUser);

const owner = user('user:default/guest', ['group:default/rco-team']);
const dana = user('user:default/lena.vogel', ['group:default/dpo']);
const samir = user('user:default/samir.haddad', ['group:default/security']);
const mei = user('user:default/mei.tanaka', ['group:default/break-glass']);

const decide = (permission: any, who?: PolicyQueryUser, g = groups) =>
  rcoPolicyDecision({ permission }, who, g);

describe('rcoPolicyDecision', () => {
  it.each([
    rcoEvidenceCreatePermission,
    rcoReleaseRequestPermission,
    rcoDeployPermission,
    rcoRollbackPermission,
    rcoOperationControlPermission,
    rcoCollectionRefreshPermission,
  ])(
    'grants $name to the entity owners only: the catalog IS_ENTITY_OWNER condition, as catalog-backend builds it',
    permission => {
      const claims = ['user:default/guest', 'group:default/rco-team'];
      expect(decide(permission, owner)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: { claims },
        },
      });
      // The same object the catalog backend's own helpers build (without depending on them).
      expect(decide(permission, owner)).toEqual(
        createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({ claims }),
        ),
      );
    },
  );

  it('claims are lowercased, and nobody signed in claims nothing', () => {
    const shouting = user('user:default/Guest', ['group:default/RCO-Team']);
    expect(decide(rcoDeployPermission, shouting)).toMatchObject({
      conditions: {
        params: { claims: ['user:default/guest', 'group:default/rco-team'] },
      },
    });
    expect(decide(rcoDeployPermission, undefined)).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { params: { claims: [] } },
    });
  });

  it.each([
    ['the break-glass group', mei, AuthorizeResult.ALLOW],
    ['Security', samir, AuthorizeResult.DENY],
    ['an owner', owner, AuthorizeResult.DENY],
  ])('break-glass by %s', (_who, who, result) => {
    expect(decide(rcoOverrideCreatePermission, who)).toEqual({ result });
  });

  it.each([
    ['a DPO member signs off', rcoSignoffCreatePermission, dana, 'ALLOW'],
    ['Security signs off', rcoSignoffCreatePermission, samir, 'ALLOW'],
    [
      'an owner without a role signs off',
      rcoSignoffCreatePermission,
      owner,
      'DENY',
    ],
    ['Security waives a gate', rcoWaiverCreatePermission, samir, 'ALLOW'],
    ['a DPO member waives a gate', rcoWaiverCreatePermission, dana, 'DENY'],
    ['an owner waives a gate', rcoWaiverCreatePermission, owner, 'DENY'],
  ] as const)('%s', (_name, permission, who, expected) => {
    expect(decide(permission, who)).toEqual({
      result: AuthorizeResult[expected],
    });
  });

  it.each([
    ['a DPO member', dana],
    ['Security', samir],
    ['the break-glass group', mei],
  ])(
    "grants revoking other people's sign-offs to nobody by default: %s",
    (_who, who) => {
      expect(decide(rcoSignoffRevokePermission, who)).toEqual({
        result: AuthorizeResult.DENY,
      });
    },
  );

  it("grants revoking other people's sign-offs to the configured admin group only", () => {
    const withAdmins = {
      ...groups,
      signoffRevoke: 'group:default/release-admins',
    };
    const admin = user('user:default/ada', ['group:default/release-admins']);
    expect(decide(rcoSignoffRevokePermission, admin, withAdmins)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(decide(rcoSignoffRevokePermission, dana, withAdmins)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('compares group refs case-insensitively', () => {
    const mixed = { ...groups, waiver: 'group:default/Security' };
    expect(decide(rcoWaiverCreatePermission, samir, mixed)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it.each([
    ['sign off', rcoSignoffCreatePermission, samir],
    ['waive a gate', rcoWaiverCreatePermission, samir],
    ['break glass', rcoOverrideCreatePermission, mei],
    ["revoke other people's sign-offs", rcoSignoffRevokePermission, samir],
  ] as const)(
    'refuses: with no rco config, members of group:default/security or /break-glass %s',
    (_what, permission, who) => {
      const unconfigured = readRcoPolicyGroups(new ConfigReader({}));
      expect(decide(permission, who, unconfigured)).toEqual({
        result: AuthorizeResult.DENY,
      });
      // Nobody at all: not even someone who claims every group of the example organisation.
      const everyone = user('user:default/root', [
        'group:default/product-owners',
        'group:default/dpo',
        'group:default/security',
        'group:default/break-glass',
      ]);
      expect(decide(permission, everyone, unconfigured)).toEqual({
        result: AuthorizeResult.DENY,
      });
    },
  );

  it('decides every permission the rco plugin registers', () => {
    for (const permission of rcoPermissions) {
      expect(decide(permission, owner)).toBeDefined();
    }
  });

  it.each([
    ['catalog.entity.read', catalogEntityReadPermission],
    ['catalog.entity.delete', catalogEntityDeletePermission],
    [
      'a permission of another plugin that starts with rco.',
      createPermission({ name: 'rco.something.else', attributes: {} }),
    ],
  ])('leaves %s to the portal (undefined)', (_name, permission) => {
    expect(decide(permission, owner)).toBeUndefined();
    expect(decide(permission, undefined)).toBeUndefined();
  });
});

describe('readRcoPolicyGroups', () => {
  it('names no group without an rco section: no catalog group gets power by its name', () => {
    expect(readRcoPolicyGroups(new ConfigReader({}))).toEqual({
      signoff: [],
      signoffRevoke: undefined,
      waiver: undefined,
      breakGlass: undefined,
    });
  });

  it('names only the sign-off roles that are configured', () => {
    expect(
      readRcoPolicyGroups(
        new ConfigReader({
          rco: { signoffs: { groups: { dpo: 'group:default/privacy' } } },
        }),
      ).signoff,
    ).toEqual(['group:default/privacy']);
  });

  it.each([
    ['signoffs.groups.dpo', { signoffs: { groups: { dpo: '   ' } } }, '   '],
    ['waivers.group', { waivers: { group: 'security' } }, 'security'],
    [
      'breakGlass.group',
      { breakGlass: { group: 'default/security' } },
      'default/security',
    ],
    [
      'signoffs.revokeGroup',
      { signoffs: { revokeGroup: 'component:default/security' } },
      'component:default/security',
    ],
  ])(
    'refuses a malformed rco.%s at start instead of granting nobody silently',
    (key, rco, value) => {
      expect(() => readRcoPolicyGroups(new ConfigReader({ rco }))).toThrow(
        `rco.${key}: "${value}" is not a full entity ref of a group or user such as group:default/security`,
      );
    },
  );

  it('trims group refs and accepts users', () => {
    expect(
      readRcoPolicyGroups(
        new ConfigReader({
          rco: {
            waivers: { group: '  group:default/risk ' },
            breakGlass: { group: 'user:default/oncall-lead' },
          },
        }),
      ),
    ).toMatchObject({
      waiver: 'group:default/risk',
      breakGlass: 'user:default/oncall-lead',
    });
  });

  it('reads the same keys as the rco plugin', () => {
    expect(
      readRcoPolicyGroups(
        new ConfigReader({
          rco: {
            signoffs: {
              groups: {
                po: 'group:default/po',
                dpo: 'group:default/privacy',
                security: 'group:default/sec',
              },
              revokeGroup: 'group:default/release-admins',
            },
            waivers: { group: 'group:default/risk' },
            breakGlass: { group: 'group:default/oncall' },
          },
        }),
      ),
    ).toEqual({
      signoff: [
        'group:default/po',
        'group:default/privacy',
        'group:default/sec',
      ],
      signoffRevoke: 'group:default/release-admins',
      waiver: 'group:default/risk',
      breakGlass: 'group:default/oncall',
    });
  });
});

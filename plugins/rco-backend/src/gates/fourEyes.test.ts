import { fourEyes, standingDecisions, unapprovedRoles } from './fourEyes';
import { SignoffRecord } from './types';

const RELEASE = { version: '1.5.0', digest: 'sha256:aaa' };
const ALICE = 'user:default/alice';
const DANA = 'user:default/dana';
const OMAR = 'user:default/omar';
const MEI = 'user:default/mei';

let clock = 0;
const s = (
  id: string,
  signer: string,
  decision: SignoffRecord['decision'],
  extra: Partial<SignoffRecord> = {},
): SignoffRecord => ({
  id,
  role: 'dpo',
  decision,
  release: RELEASE,
  signer,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, ++clock)),
  ...extra,
});

describe('standingDecisions', () => {
  it.each<[string, () => SignoffRecord[], string[]]>([
    ['an approval stands', () => [s('a', DANA, 'approved')], ['a']],
    [
      "a signer's newer rejection replaces their approval",
      () => [s('a', DANA, 'approved'), s('r', DANA, 'rejected')],
      ['r'],
    ],
    [
      'revoking the newest decision leaves no decision (the older approval does not come back)',
      () => [
        s('a', DANA, 'approved'),
        s('r', DANA, 'rejected'),
        s('x', MEI, 'revoked', { revokes: 'r' }),
      ],
      [],
    ],
    [
      'revoking an older decision leaves the newer one standing',
      () => [
        s('a', DANA, 'approved'),
        s('r', DANA, 'rejected'),
        s('x', DANA, 'revoked', { revokes: 'a' }),
      ],
      ['r'],
    ],
    [
      'a decision after a revocation stands',
      () => [
        s('a', DANA, 'approved'),
        s('x', DANA, 'revoked', { revokes: 'a' }),
        s('b', DANA, 'approved'),
      ],
      ['b'],
    ],
    [
      'each signer and role stands on its own',
      () => [s('a', DANA, 'approved'), s('b', OMAR, 'rejected')],
      ['a', 'b'],
    ],
    [
      'decisions about another digest do not stand for this release',
      () => [
        s('a', DANA, 'approved', {
          release: { version: '1.5.0', digest: 'sha256:bbb' },
        }),
      ],
      [],
    ],
  ])('%s', (_name, signoffs, ids) => {
    expect(
      standingDecisions(signoffs(), RELEASE)
        .map(d => d.id)
        .sort(),
    ).toEqual(ids);
  });
});

describe('fourEyes', () => {
  it.each<
    [
      string,
      {
        signoffs: () => SignoffRecord[];
        requester?: string;
        confirmer?: string;
      },
      'approved' | 'rejected' | 'missing',
      RegExp | undefined,
    ]
  >([
    [
      'an approval by someone else than the requester counts',
      { signoffs: () => [s('a', DANA, 'approved')], requester: ALICE },
      'approved',
      undefined,
    ],
    [
      "the requester's approval never counts",
      { signoffs: () => [s('a', ALICE, 'approved')], requester: ALICE },
      'missing',
      /alice requested the release and cannot approve it too/,
    ],
    [
      "the deployer's approval never counts",
      {
        signoffs: () => [s('a', DANA, 'approved')],
        requester: ALICE,
        confirmer: DANA,
      },
      'missing',
      /dana confirms the deploy and cannot approve it too/,
    ],
    [
      "another signer's approval counts when the deployer signed too",
      {
        signoffs: () => [s('a', DANA, 'approved'), s('b', OMAR, 'approved')],
        requester: ALICE,
        confirmer: DANA,
      },
      'approved',
      undefined,
    ],
    [
      'without a release request on record no approval counts',
      { signoffs: () => [s('a', DANA, 'approved')] },
      'missing',
      /no release request is on record/,
    ],
    [
      'a standing rejection holds the role whoever else approved',
      {
        signoffs: () => [s('a', DANA, 'approved'), s('r', OMAR, 'rejected')],
        requester: ALICE,
      },
      'rejected',
      /omar rejected 1.5.0/,
    ],
    [
      "a revoked rejection does not bring back the rejecter's older approval",
      {
        signoffs: () => [
          s('a', OMAR, 'approved'),
          s('r', OMAR, 'rejected'),
          s('x', OMAR, 'revoked', { revokes: 'r' }),
        ],
        requester: ALICE,
      },
      'missing',
      /No DPO approval of 1.5.0$/,
    ],
    [
      "the requester's approval does not count under another spelling of their ref",
      {
        signoffs: () => [s('a', 'user:default/Alice', 'approved')],
        requester: ALICE,
      },
      'missing',
      /requested the release and cannot approve it too/,
    ],
    [
      'nothing signed',
      { signoffs: () => [], requester: ALICE },
      'missing',
      /No DPO approval/,
    ],
  ])('%s', (_name, input, status, reason) => {
    const verdict = fourEyes({
      signoffs: input.signoffs(),
      release: RELEASE,
      requester: input.requester,
      confirmer: input.confirmer,
    });
    expect(verdict.roles.dpo.status).toBe(status);
    // No reason at all when the role is approved.
    expect(verdict.roles.dpo.reason ?? '').toMatch(reason ?? /^$/);
  });

  it('counts no decision of a role whose group is not configured, shows them and says why', () => {
    const verdict = fourEyes({
      signoffs: [s('a', DANA, 'approved'), s('r', OMAR, 'rejected')],
      release: RELEASE,
      requester: ALICE,
      groups: {
        signoffGroups: { po: true, dpo: false, security: true },
        waiverGroup: true,
        breakGlassGroup: true,
      },
    });
    expect(verdict.roles.dpo).toMatchObject({
      status: 'missing',
      reason:
        'Nobody may sign off as DPO: rco.signoffs.groups.dpo is not configured',
      approvals: [],
      rejections: [],
    });
    expect(verdict.roles.dpo.notCounted.map(n => n.id).sort()).toEqual([
      'a',
      'r',
    ]);
    expect(verdict.roles.dpo.notCounted[0].why).toMatch(
      /rco\.signoffs\.groups\.dpo is not configured/,
    );
  });

  it('is missing for a release without version or digest', () => {
    const verdict = fourEyes({
      signoffs: [s('a', DANA, 'approved')],
      release: { version: '1.5.0' },
      requester: ALICE,
    });
    expect(verdict.roles.dpo).toMatchObject({
      status: 'missing',
      reason: expect.stringMatching(/version and digest/),
    });
  });

  it('lists the required roles that are not approved, with their reasons', () => {
    const verdict = fourEyes({
      signoffs: [
        s('a', DANA, 'approved'),
        s('p', ALICE, 'approved', { role: 'po' }),
      ],
      release: RELEASE,
      requester: ALICE,
    });
    expect(unapprovedRoles(verdict, ['po', 'dpo', 'security'])).toEqual([
      { role: 'po', reason: expect.stringMatching(/cannot approve it too/) },
      { role: 'security', reason: 'No Security approval of 1.5.0' },
    ]);
  });
});

import {
  GATE_IDS,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import { OverrideRecord } from '../database/OverrideStore';
import { SignoffRecord } from '../gates/types';
import { preflight } from './preflight';
import { DecisionGroups } from '../gates/fourEyes';

/** Every group configured but the ones named. */
const groupsWithout = (
  ...unset: Array<'po' | 'dpo' | 'security' | 'waiver' | 'breakGlass'>
): DecisionGroups => ({
  signoffGroups: {
    po: !unset.includes('po'),
    dpo: !unset.includes('dpo'),
    security: !unset.includes('security'),
  },
  waiverGroup: !unset.includes('waiver'),
  breakGlassGroup: !unset.includes('breakGlass'),
});

const RELEASE = { version: '1.5.0', digest: 'sha256:aaa' };
const ALICE = 'user:default/alice';
const PAULA = 'user:default/paula';
const DANA = 'user:default/dana';
const SAM = 'user:default/sam';
const MEI = 'user:default/mei';
const NOW = new Date('2026-01-01T12:00:00Z');

const status = (
  failing: Record<string, 'fail' | 'missing' | 'waived'> = {},
): ReleaseStatusResponse =>
  ({
    entityRef: 'component:default/rco',
    release: RELEASE,
    gates: GATE_IDS.map(id => ({ id, status: failing[id] ?? 'pass' })),
  } as unknown as ReleaseStatusResponse);

let n = 0;
const approve = (
  role: SignoffRecord['role'],
  signer: string,
  decision: SignoffRecord['decision'] = 'approved',
): SignoffRecord => ({
  id: `s${++n}`,
  role,
  decision,
  release: RELEASE,
  signer,
  createdAt: new Date(NOW.getTime() - 60_000 + n),
});
const all = () => [
  approve('po', PAULA),
  approve('dpo', DANA),
  approve('security', SAM),
];
const override = (createdBy = MEI): OverrideRecord => ({
  id: 'o1',
  entityRef: 'component:default/rco',
  environment: 'production',
  release: RELEASE,
  justification: 'Hotfix',
  createdBy,
  createdAt: NOW,
  expiresAt: new Date(NOW.getTime() + 3_600_000),
});

type Case = {
  failing?: Record<string, 'fail' | 'missing' | 'waived'>;
  signoffs: () => SignoffRecord[];
  requester?: string;
  confirmer?: string;
  required?: Array<'po' | 'dpo' | 'security'>;
  override?: OverrideRecord;
  groups?: DecisionGroups;
  allowed: boolean;
  missing?: string[];
  reason?: RegExp;
};

describe('preflight', () => {
  it.each<[string, Case]>([
    [
      'passes with every gate and every required sign-off',
      {
        signoffs: all,
        requester: ALICE,
        confirmer: ALICE,
        required: ['po', 'dpo', 'security'],
        allowed: true,
        missing: [],
      },
    ],
    [
      'blocks on a failing gate',
      {
        failing: { 'image-scanning': 'fail' },
        signoffs: all,
        requester: ALICE,
        allowed: false,
        reason: /Blocked by 1 gate: image-scanning \(fail\)/,
      },
    ],
    [
      'lets a waived gate through',
      {
        failing: { 'image-scanning': 'waived' },
        signoffs: all,
        requester: ALICE,
        allowed: true,
      },
    ],
    [
      'a break-glass override lifts a failing gate',
      {
        failing: { 'image-scanning': 'fail' },
        signoffs: all,
        requester: ALICE,
        override: override(),
        allowed: true,
        reason: /allowed by break-glass override o1 of user:default\/mei/,
      },
    ],
    [
      'a break-glass override recorded by the requester lifts nothing',
      {
        failing: { 'image-scanning': 'fail' },
        signoffs: all,
        requester: MEI,
        override: override(MEI),
        allowed: false,
        reason:
          /recorded by user:default\/mei, who requested the release: it does not count/,
      },
    ],
    [
      'a break-glass override never stands in for missing sign-offs',
      {
        signoffs: () => [approve('po', PAULA)],
        requester: ALICE,
        required: ['po', 'dpo', 'security'],
        override: override(),
        allowed: false,
        missing: ['dpo', 'security'],
      },
    ],
    [
      "the requester's approval does not count",
      {
        signoffs: () => [
          approve('po', PAULA),
          approve('dpo', DANA),
          approve('security', ALICE),
        ],
        requester: ALICE,
        required: ['po', 'dpo', 'security'],
        allowed: false,
        missing: ['security'],
        reason: /alice requested the release and cannot approve it too/,
      },
    ],
    [
      "the deployer's own approval does not count for a required role",
      {
        signoffs: all,
        requester: ALICE,
        confirmer: SAM,
        required: ['po', 'dpo', 'security'],
        allowed: false,
        missing: ['security'],
        reason: /sam confirms the deploy and cannot approve it too/,
      },
    ],
    [
      "the deployer's own DPO approval does not pass the sign-off gate",
      {
        signoffs: all,
        requester: ALICE,
        confirmer: DANA,
        allowed: false,
        reason: /Blocked by 1 gate: dpo-signoff \(missing\)/,
      },
    ],
    [
      'another signer in the role makes up for the deployer',
      {
        signoffs: () => [...all(), approve('security', 'user:default/omar')],
        requester: ALICE,
        confirmer: SAM,
        required: ['po', 'dpo', 'security'],
        allowed: true,
      },
    ],
    [
      'without a release request on record no approval counts',
      {
        signoffs: all,
        required: ['po'],
        allowed: false,
        missing: ['po'],
        reason: /no release request is on record/,
      },
    ],
    [
      'a standing rejection holds a required role',
      {
        signoffs: () => [
          ...all(),
          approve('po', 'user:default/pia', 'rejected'),
        ],
        requester: ALICE,
        required: ['po'],
        allowed: false,
        missing: ['po'],
        reason: /PO user:default\/pia rejected 1.5.0/,
      },
    ],
    [
      'an environment without required sign-offs needs only the sign-off gate (DPO)',
      {
        signoffs: () => [approve('dpo', DANA)],
        requester: ALICE,
        required: [],
        allowed: true,
        missing: [],
      },
    ],
    [
      'a break-glass override lifts nothing once rco.breakGlass.group is unset',
      {
        failing: { 'image-scanning': 'fail' },
        signoffs: all,
        requester: ALICE,
        override: override(),
        groups: groupsWithout('breakGlass'),
        allowed: false,
        reason:
          /Break-glass override o1 by user:default\/mei does not count: rco\.breakGlass\.group is not configured/,
      },
    ],
    [
      'sign-offs of a role whose group is unset do not count, and the reason says nobody may sign',
      {
        signoffs: all,
        requester: ALICE,
        required: ['security'],
        groups: groupsWithout('security'),
        allowed: false,
        missing: ['security'],
        reason:
          /Nobody may sign off as Security: rco\.signoffs\.groups\.security is not configured/,
      },
    ],
    [
      'a blocking dpo-signoff gate without a DPO group says nobody may sign off as DPO',
      {
        failing: { 'dpo-signoff': 'missing' },
        signoffs: all,
        requester: ALICE,
        groups: groupsWithout('dpo'),
        allowed: false,
        reason:
          /Nobody may sign off as DPO: rco\.signoffs\.groups\.dpo is not configured/,
      },
    ],
  ])('%s', (_name, c) => {
    const result = preflight({
      status: status(c.failing),
      signoffs: c.signoffs(),
      requester: c.requester,
      confirmer: c.confirmer,
      requiredSignoffs: c.required ?? [],
      override: c.override,
      groups: c.groups,
      now: NOW,
    });
    expect(result.allowed).toBe(c.allowed);
    expect(result.missingSignoffs).toEqual(c.missing ?? []);
    expect(result.reasons.join('\n')).toMatch(c.reason ?? /^/);
  });

  it('snapshots only the approvals that count, and changes hash when they change', () => {
    const base = {
      status: status(),
      requester: ALICE,
      requiredSignoffs: ['po', 'dpo', 'security'] as const,
      now: NOW,
    };
    const signoffs = all();
    const one = preflight({
      ...base,
      requiredSignoffs: [...base.requiredSignoffs],
      signoffs,
    });
    const asSam = preflight({
      ...base,
      requiredSignoffs: [...base.requiredSignoffs],
      signoffs,
      confirmer: SAM,
    });
    expect(one.snapshot.signoffs.map(s => s.role)).toEqual([
      'po',
      'dpo',
      'security',
    ]);
    expect(asSam.snapshot.signoffs.map(s => s.role)).toEqual(['po', 'dpo']);
    expect(asSam.snapshot.hash).not.toBe(one.snapshot.hash);
  });
});

describe('preflight: the road (issue 15)', () => {
  const freeze = {
    kind: 'freeze' as const,
    message:
      'Freeze weekend-freeze holds deploys to production: deploying to production resumes at 2026-01-04T23:00:00.000Z',
    until: '2026-01-04T23:00:00.000Z',
  };
  const soak = {
    kind: 'soak' as const,
    message: '1.5.0 has soaked in staging for 2 hours of PT24H',
  };
  const base = {
    status: status(),
    signoffs: all(),
    requester: ALICE,
    requiredSignoffs: [] as Array<'po' | 'dpo' | 'security'>,
    groups: groupsWithout(),
    now: NOW,
  };

  it.each([
    ['no road blockers: allowed, nothing said', [], undefined, true, []],
    [
      'a freeze refuses, with its sentence',
      [freeze],
      undefined,
      false,
      [freeze.message],
    ],
    [
      'a freeze and a soak: both said',
      [freeze, soak],
      undefined,
      false,
      [freeze.message, soak.message],
    ],
    [
      'a break-glass override lifts them, saying which',
      [freeze, soak],
      override(),
      true,
      [
        /^Road blockers lifted by break-glass override o1 of user:default\/mei: Freeze weekend-freeze .*; 1\.5\.0 has soaked/,
      ],
    ],
    [
      'an override recorded by the requester lifts nothing',
      [freeze],
      override(ALICE),
      false,
      [
        /recorded by user:default\/alice, who requested the release: it does not count/,
        freeze.message,
      ],
    ],
  ] as const)('%s', (_what, road, o, allowed, reasons) => {
    const result = preflight({ ...base, road: [...road], override: o });
    expect(result.allowed).toBe(allowed);
    expect(result.reasons).toHaveLength(reasons.length);
    // Each sentence as said, or matching its pattern.
    reasons.forEach((r, i) => expect(result.reasons[i]).toMatch(r));
  });

  it('marks lifted blockers with the override and records the override on the operation', () => {
    const result = preflight({ ...base, road: [freeze], override: override() });
    expect(result.road).toEqual([{ ...freeze, overriddenBy: 'o1' }]);
    expect(result.override?.id).toBe('o1');
  });

  it('keeps the snapshot hash of a deploy the road does not hold, and changes it when it does', () => {
    const without = preflight(base);
    const empty = preflight({ ...base, road: [] });
    const held = preflight({ ...base, road: [freeze], override: override() });
    expect(empty.snapshot.hash).toBe(without.snapshot.hash);
    expect(held.snapshot.hash).not.toBe(without.snapshot.hash);
  });

  it('still refuses for missing sign-offs when an override lifts the road', () => {
    const result = preflight({
      ...base,
      signoffs: [],
      requiredSignoffs: ['po'],
      road: [freeze],
      override: override(),
    });
    expect(result.allowed).toBe(false);
    expect(result.missingSignoffs).toEqual(['po']);
  });
});

import { context, DIGEST, NOW } from '../__testUtils__/context';
import { SignoffRecord } from '../types';
import { dpoSignoff } from './dpoSignoff';

const RELEASE = { version: '1.3.2', digest: DIGEST };
const ALICE = 'user:default/alice';
const DANA = 'user:default/dana';
const OMAR = 'user:default/omar';

let n = 0;
const s = (
  signer: string,
  decision: SignoffRecord['decision'],
  extra: Partial<SignoffRecord> = {},
): SignoffRecord => ({
  id: `s${++n}`,
  role: 'dpo',
  decision,
  release: RELEASE,
  signer,
  comment: decision,
  createdAt: new Date(NOW.getTime() - 3_600_000 + n * 1000),
  ...extra,
});

describe('dpo-signoff', () => {
  it.each<{
    name: string;
    signoffs: () => SignoffRecord[];
    requester?: string;
    release?: { version?: string; digest?: string };
    status: string;
    reason: RegExp;
  }>([
    {
      name: 'no release request on record: missing (four eyes needs the requester)',
      signoffs: () => [s(DANA, 'approved')],
      status: 'missing',
      reason: /No release request on record for 1.3.2: the four-eyes rule/,
    },
    {
      name: 'a release without its digest: missing',
      signoffs: () => [s(DANA, 'approved')],
      requester: ALICE,
      release: { version: '1.3.2' },
      status: 'missing',
      reason: /bind to a release/,
    },
    {
      name: 'an approval by someone else than the requester: pass',
      signoffs: () => [s(DANA, 'approved')],
      requester: ALICE,
      status: 'pass',
      reason: /Approved by DPO user:default\/dana/,
    },
    {
      name: "the requester's own approval: missing, saying why",
      signoffs: () => [s(ALICE, 'approved')],
      requester: ALICE,
      status: 'missing',
      reason: /alice requested the release and cannot approve it too/,
    },
    {
      name: 'a standing rejection: fail, whoever else approved',
      signoffs: () => [s(OMAR, 'approved'), s(DANA, 'rejected')],
      requester: ALICE,
      status: 'fail',
      reason: /DPO user:default\/dana rejected 1.3.2/,
    },
    {
      name: "a revoked rejection: missing, the signer's older approval does not come back",
      signoffs: () => {
        const approval = s(DANA, 'approved');
        const rejection = s(DANA, 'rejected');
        return [
          approval,
          rejection,
          s(DANA, 'revoked', { revokes: rejection.id }),
        ];
      },
      requester: ALICE,
      status: 'missing',
      reason: /No DPO approval of 1.3.2/,
    },
    {
      name: 'a revoked approval: missing',
      signoffs: () => {
        const approval = s(DANA, 'approved');
        return [approval, s(DANA, 'revoked', { revokes: approval.id })];
      },
      requester: ALICE,
      status: 'missing',
      reason: /No DPO approval/,
    },
    {
      name: 'an approval of another digest: missing',
      signoffs: () => [
        s(DANA, 'approved', {
          release: { version: '1.3.2', digest: `sha256:${'b'.repeat(64)}` },
        }),
      ],
      requester: ALICE,
      status: 'missing',
      reason: /No DPO approval/,
    },
  ])('$name', c => {
    const outcome = dpoSignoff(
      context([], {
        signoffs: c.signoffs(),
        requester: c.requester,
        release: c.release ?? RELEASE,
      }),
    );
    expect(outcome.status).toBe(c.status);
    expect(outcome.reasons.join('\n')).toMatch(c.reason);
  });
});

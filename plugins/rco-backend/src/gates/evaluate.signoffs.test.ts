import { context, DAY, DIGEST, NOW } from './__testUtils__/context';
import { evaluateRelease } from './evaluate';
import { SignoffRecord, WaiverRecord } from './types';

const RELEASE = { version: '1.3.2', digest: DIGEST, environment: 'production' };
const ALICE = 'user:default/alice';

let n = 0;
const approval = (
  role: SignoffRecord['role'],
  signer: string,
): SignoffRecord => ({
  id: `s${++n}`,
  role,
  decision: 'approved',
  release: { version: RELEASE.version, digest: RELEASE.digest },
  signer,
  createdAt: new Date(NOW.getTime() - DAY + n),
});
const dpoWaiver: WaiverRecord = {
  id: 'w-dpo',
  gate: 'dpo-signoff',
  justification: 'inserted straight into the table',
  grantedBy: 'user:default/sam',
  createdAt: new Date(NOW.getTime() - DAY),
  expiresAt: new Date(NOW.getTime() + DAY),
};

describe('evaluateRelease: the sign-off gate and the human-first pillar', () => {
  it('ignores a waiver of the sign-off gate: only people signing pass it', () => {
    const status = evaluateRelease(
      context([], { release: RELEASE, requester: ALICE, waivers: [dpoWaiver] }),
    );
    const g = status.gates.find(x => x.id === 'dpo-signoff')!;
    expect(g.status).toBe('missing');
    expect(g.waiver).toBeUndefined();
    expect(status.summary.waived).not.toContain('dpo-signoff');
  });

  it.each([
    {
      name: 'PO, DPO and Security approved by others than the requester: met',
      signoffs: () => [
        approval('po', 'user:default/paula'),
        approval('dpo', 'user:default/dana'),
        approval('security', 'user:default/sam'),
      ],
      met: true,
      basis: 'PO, DPO and Security approved',
    },
    {
      name: "the requester's own approval in one role: not met",
      signoffs: () => [
        approval('po', ALICE),
        approval('dpo', 'user:default/dana'),
        approval('security', 'user:default/sam'),
      ],
      met: false,
      basis: 'DPO and Security approved; missing: PO',
    },
    {
      name: 'nobody signed: not met',
      signoffs: () => [],
      met: false,
      basis: 'Missing: PO, DPO and Security',
    },
  ])('human-first: $name', ({ signoffs, met, basis }) => {
    const status = evaluateRelease(
      context([], { release: RELEASE, requester: ALICE, signoffs: signoffs() }),
    );
    const requirement = status.pillars
      .find(p => p.id === 'human-first')!
      .requirements.find(r => r.gates.includes('dpo-signoff'))!;
    expect(requirement.met).toBe(met);
    // In words, not "po true, dpo true, security false" (issue 12 review, point 6).
    expect(requirement.basis).toBe(basis);
  });
});

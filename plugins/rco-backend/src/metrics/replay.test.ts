import {
  bundleRecord,
  context,
  DAY,
  DIGEST,
  record,
  runbook,
  trivy,
  VERIFIED,
} from '../gates/__testUtils__/context';
import { evaluateGate } from '../gates/evaluate';
import { underSigningPolicy } from '../evidence/sigstore/signatureState';
import { captureInputs, LoadedRecords } from './inputs';
import {
  changedConfig,
  decisionAfter,
  parseChange,
  ReplayMemo,
  replayOne,
} from './replay';

/** A judgement as recorded from a context, and the records the replay loads for it (raw rows). */
function recorded(ctx: ReturnType<typeof context>, raw = ctx.evidence) {
  const inputs = captureInputs({ ...ctx, runbookHash: 'h' }, ctx.now);
  const loaded: LoadedRecords = {
    evidence: new Map(raw.map(r => [r.id, r])),
    signoffs: new Map(ctx.signoffs.map(s => [s.id, s])),
    waivers: new Map(ctx.waivers.map(w => [w.id, w])),
    otherWaivers: new Set(),
    runbooks: new Map([[`${ctx.entityRef} h`, ctx.runbook]]),
  };
  const judgement = {
    entityRef: ctx.entityRef,
    environment: '',
    release: ctx.release,
    at: ctx.now,
    inputs,
  };
  return { judgement, loaded };
}

const policy = (ctx: ReturnType<typeof context>, signing?: string) => ({
  config: ctx.config,
  groups: ctx.groups,
  signing: () => signing,
});

describe('replayOne', () => {
  it('judges a bundle under the signing policy in force, as the verdict did (review: replayed pass)', () => {
    const bundle = bundleRecord(VERIFIED);
    (bundle.summary as any).signingPolicy = 'old-policy';
    const raw = [
      record('trivy', trivy([]), { subject: { digest: DIGEST } }),
      bundle,
    ];
    const ctx = context(underSigningPolicy(raw, 'new-policy'));
    const stored = evaluateGate(ctx, 'image-scanning').status;
    const { judgement, loaded } = recorded(ctx, raw);
    const base = policy(ctx, 'new-policy');
    const { before } = replayOne(judgement, loaded, {
      base,
      changed: base,
      change: { gate: 'image-scanning' },
    });
    expect(before.get('image-scanning')).toBe(stored);
    expect(stored).not.toBe('pass');
  });

  it('reproduces every gate of a context under the unchanged policy', () => {
    const ctx = context([
      record('trivy', trivy([{ id: 'CVE-1', severity: 'HIGH' }]), {
        subject: { digest: DIGEST },
      }),
    ]);
    const { judgement, loaded } = recorded(ctx);
    const base = policy(ctx);
    const { before, after } = replayOne(judgement, loaded, {
      base,
      changed: base,
      change: { gate: 'image-scanning' },
    });
    expect(after).toBeUndefined();
    for (const [gate, status] of before)
      expect([gate, status]).toEqual([gate, evaluateGate(ctx, gate).status]);
    expect(before.size).toBe(10);
  });

  it('a tightened maximum age makes old evidence stale; a proposed waiver waives a failing gate', () => {
    const ctx = context([
      record('trivy', trivy([{ id: 'CVE-1', severity: 'HIGH' }]), {
        subject: { digest: DIGEST },
        age: 2 * DAY,
      }),
    ]);
    expect(ctx.runbook).toEqual(runbook());
    const { judgement, loaded } = recorded(ctx);
    const base = policy(ctx);
    const waiver = {
      gate: 'image-scanning' as const,
      waiver: { duration: 'P1D' },
    };
    const waived = replayOne(judgement, loaded, {
      base,
      changed: base,
      change: waiver,
    });
    expect([waived.before.get('image-scanning'), waived.after]).toEqual([
      'fail',
      'waived',
    ]);
    const another = replayOne(judgement, loaded, {
      base,
      changed: base,
      change: { ...waiver, waiver: { releaseVersion: '9.9.9' } },
    });
    expect(another.after).toBe('fail');
  });

  it('applies a configuration change as app-config would', () => {
    const config = {
      maxAge: { 'image-scanning': 'P7D' },
      blockingSeverities: ['CRITICAL', 'HIGH'],
      helixCoreRepository: 'x',
    };
    expect(
      changedConfig(config, { gate: 'rto-rpo-verification', maxAge: 'PT1H' })
        .maxAge,
    ).toEqual({
      'image-scanning': 'P7D',
      'rto-rpo-verification': 'PT1H',
    });
    expect(
      changedConfig(config, {
        gate: 'image-scanning',
        blockingSeverities: ['CRITICAL'],
      }).blockingSeverities,
    ).toEqual(['CRITICAL']);
  });
});

describe('ReplayMemo', () => {
  // listWithInputs parses identical inputs text once, so entities can share one inputs object:
  // what the memo keeps for one entity must not be another's answer.
  const raw = () => {
    const bundle = bundleRecord(VERIFIED);
    (bundle.summary as any).signingPolicy = 'old-policy';
    return [
      record('trivy', trivy([]), { subject: { digest: DIGEST } }),
      bundle,
    ];
  };
  const OTHER = 'component:default/other';

  it('answers each entity on its own for inputs they share: its runbook and its signing policy', () => {
    const records = raw();
    const ctx = context(underSigningPolicy(records, 'new-policy'));
    const { judgement, loaded } = recorded(ctx, records);
    const shared = judgement.inputs;
    // The other entity has no stored version of that runbook, and signs under the old policy.
    const base = {
      config: ctx.config,
      groups: ctx.groups,
      signing: (ref: string) =>
        ref === ctx.entityRef ? 'new-policy' : 'old-policy',
    };
    const change = { gate: 'image-scanning' as const };
    const alone = (ref: string) =>
      new ReplayMemo(loaded, base, change).evidence(ref, shared);
    expect(alone(ctx.entityRef)).not.toEqual(alone(OTHER));

    const memo = new ReplayMemo(loaded, base, change);
    expect(memo.missing(ctx.entityRef, shared)).toBeUndefined();
    expect(memo.missing(OTHER, shared)).toMatch(
      /^runbook .* no longer stored$/,
    );
    expect(memo.missing(ctx.entityRef, shared)).toBeUndefined();
    expect(memo.evidence(ctx.entityRef, shared)).toEqual(alone(ctx.entityRef));
    expect(memo.evidence(OTHER, shared)).toEqual(alone(OTHER));
    expect(memo.evidence(ctx.entityRef, shared)).toEqual(alone(ctx.entityRef));
  });
});

describe('decisionAfter', () => {
  const gates = (status: string) => [
    { id: 'image-scanning' as const, status: status as any },
    { id: 'secret-hygiene' as const, status: 'pass' as const },
  ];
  it('keeps the recorded outcome when the gate keeps its blocking state', () => {
    const j = { allowed: false, heldOtherwise: false, gates: gates('fail') };
    expect(decisionAfter(j, 'image-scanning', 'fail', 'stale')).toBe('blocked');
  });
  it('lets a deploy through a tightened gate when an override was active, used or not', () => {
    const j = {
      allowed: true,
      heldOtherwise: false,
      overrideAvailable: true,
      gates: gates('pass'),
    };
    expect(decisionAfter(j, 'image-scanning', 'pass', 'fail')).toBe('allowed');
    expect(
      decisionAfter(
        { ...j, overrideAvailable: false },
        'image-scanning',
        'pass',
        'fail',
      ),
    ).toBe('blocked');
  });
  it('never lets through what sign-offs, the road or the re-judged DPO gate held', () => {
    const j = { allowed: false, heldOtherwise: true, gates: gates('fail') };
    expect(decisionAfter(j, 'image-scanning', 'fail', 'waived')).toBe(
      'blocked',
    );
    expect(
      decisionAfter(
        { ...j, heldOtherwise: false },
        'image-scanning',
        'fail',
        'waived',
      ),
    ).toBe('allowed');
  });
});

describe('parseChange', () => {
  const o = { entityScope: true, waiverMaxMs: 7 * DAY };
  it('keeps what it understood and nothing else', () => {
    expect(
      parseChange(
        {
          change: {
            gate: 'image-scanning',
            blockingSeverities: ['HIGH', 'HIGH'],
            extra: 1,
          },
        },
        o,
      ),
    ).toEqual({ gate: 'image-scanning', blockingSeverities: ['HIGH'] });
    expect(
      parseChange({ change: { gate: 'image-scanning', waiver: {} } }, o),
    ).toEqual({
      gate: 'image-scanning',
      waiver: { duration: 'P7D' },
    });
  });
});

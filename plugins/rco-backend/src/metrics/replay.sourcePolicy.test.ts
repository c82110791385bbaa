import { context, DIGEST, record } from '../gates/__testUtils__/context';
import { EvidenceRecord } from '../database/EvidenceStore';
import { evaluateGate } from '../gates/evaluate';
import { captureInputs, LoadedRecords } from './inputs';
import { replayOne } from './replay';

const MINUTE = 60_000;

/**
 * A replay of one gate reads that gate's evidence kinds, and every collected object besides: the
 * gate's source policy reads collected objects of any kind (what the cluster runs) to decide
 * whether a CI upload is set aside, so dropping them judges a different context.
 */
describe('replayOne of one gate: what its source policy reads', () => {
  it('replays one gate with what its source policy reads beyond its own kinds (the workload that says what the cluster runs)', () => {
    // Staging's cluster reports policy-enforcement itself (a collected PolicyReport, passing)
    // and runs this release (a collected workload naming its digest). CI uploads a failing
    // report about the same release: the gates set it aside (R3 M2: the cluster's own state is
    // read for the release it runs), so the gate passed. The workload is not a policy-enforcement
    // kind (GATE_KINDS), so a replay of that gate alone drops it, and CI's upload counts.
    const collected = (r: EvidenceRecord): EvidenceRecord => ({
      ...r,
      provenance: {
        collector: 'kubernetes',
        cluster: 'staging-eu',
        kind: 'PolicyReport',
        name: 'rco',
        uid: `u-${r.id}`,
        resourceVersion: '1',
        firstObservedAt: r.collectedAt,
        observedAt: r.collectedAt,
      } as any,
    });
    const report = (source: 'cluster' | 'ci', fail: number, age: number) => {
      const r = record(
        'policy-report',
        'kyverno-policyreport-pod-v1alpha2.yaml',
        {
          // A PolicyReport names no release; CI's upload names the one it is about.
          subject:
            source === 'cluster'
              ? { environment: 'staging' }
              : { environment: 'staging', digest: DIGEST },
          source,
          age,
          submitter:
            source === 'cluster' ? 'collector:kubernetes' : 'service:ci-rco',
        },
      );
      const summary = r.summary as any;
      const withCounts = {
        ...r,
        summary: {
          ...summary,
          // CI's copy is of the report CI itself reads (another report name).
          ...(source === 'ci' ? { name: `${summary.name}-ci` } : {}),
          counts: { ...summary.counts, fail, error: 0 },
          unlistedFailures: 0,
          failures: fail ? [{ policy: 'require-run-as-nonroot' }] : [],
        },
      } as EvidenceRecord;
      return source === 'cluster' ? collected(withCounts) : withCounts;
    };
    const cluster = report('cluster', 0, 2 * 60 * MINUTE);
    const workload = collected({
      ...cluster,
      id: 'workload-1',
      kind: 'workload',
      subject: { environment: 'staging', digest: DIGEST },
    } as EvidenceRecord);
    const upload = report('ci', 1, MINUTE);
    const ctx = context([cluster, workload, upload], {
      release: { version: '1.3.2', digest: DIGEST, environment: 'staging' },
    });
    const stored = evaluateGate(ctx, 'policy-enforcement').status;
    expect(stored).toBe('pass');
    const raw = [cluster, workload, upload];
    const loaded: LoadedRecords = {
      evidence: new Map(raw.map(r => [r.id, r])),
      signoffs: new Map(),
      waivers: new Map(),
      otherWaivers: new Set(),
      runbooks: new Map([[`${ctx.entityRef} h`, ctx.runbook]]),
    };
    const judgement = {
      entityRef: ctx.entityRef,
      environment: 'staging',
      release: { version: '1.3.2', digest: DIGEST },
      at: ctx.now,
      inputs: captureInputs({ ...ctx, runbookHash: 'h' }, ctx.now),
    };
    const policy = { config: ctx.config, groups: ctx.groups };
    // The Gate policy page: "what if policy-enforcement's evidence could be 30 days old?"
    const change = { gate: 'policy-enforcement' as const, maxAge: 'P30D' };
    const { before } = replayOne(judgement, loaded, {
      base: policy,
      changed: { ...policy, config: { ...policy.config } },
      change,
    });
    // The baseline must reproduce the stored status (today: fail, listed as a "mismatch", which
    // the README reads as a row edited, and the change's "after" is judged on the wrong context).
    expect(before.get('policy-enforcement')).toBe(stored);
  });
});

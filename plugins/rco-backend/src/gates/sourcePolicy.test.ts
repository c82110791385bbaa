import { context, DIGEST, record, trivy } from './__testUtils__/context';
import { applySourcePolicy } from './sourcePolicy';
import { EvidenceRecord } from '../database/EvidenceStore';

const forRelease = { digest: DIGEST };
const ciScan = () =>
  record('trivy', trivy([{ id: 'CVE-1', severity: 'CRITICAL' }]), {
    subject: forRelease,
    age: 1000,
  });
const personScan = () =>
  record('trivy', trivy([]), {
    subject: forRelease,
    source: 'human',
    submitter: 'user:default/x',
  });

describe('applySourcePolicy', () => {
  it("by default, drops a person's upload and says why", () => {
    const { ctx, notes } = applySourcePolicy(
      context([ciScan(), personScan()]),
      'image-scanning',
    );
    expect(ctx.evidence.map(r => r.source)).toEqual(['ci']);
    expect(notes).toEqual([
      expect.stringMatching(
        /^ignored: uploaded by a person \(user:default\/x\); image-scanning accepts ci, cluster, monitoring, system/,
      ),
    ]);
  });

  it("where people may attest, puts a person's upload after every machine record", () => {
    const { ctx, notes } = applySourcePolicy(
      context([ciScan(), personScan()], {
        config: {
          maxAge: {},
          blockingSeverities: ['CRITICAL'],
          helixCoreRepository: 'helix-core',
          sources: { 'image-scanning': ['ci', 'human'] },
        },
      }),
      'image-scanning',
    );
    expect(ctx.evidence.map(r => r.source)).toEqual(['ci', 'human']);
    expect(notes).toEqual([]);
  });

  it('names only ignored evidence the gate reads', () => {
    const { notes } = applySourcePolicy(
      context([personScan()]),
      'monitoring-alerting',
    );
    expect(notes).toEqual([]);
  });

  describe('uploads of a kind the console collects there', () => {
    const report = (
      source: 'ci' | 'human' | 'cluster',
      environment: string,
    ) => {
      const r = record(
        'policy-report',
        'kyverno-policyreport-pod-v1alpha2.yaml',
        {
          subject: { environment },
          source,
          submitter:
            source === 'cluster' ? 'collector:kubernetes' : `${source}:x`,
        },
      );
      return source === 'cluster'
        ? {
            ...r,
            provenance: {
              collector: 'kubernetes',
              cluster: 'staging-eu',
              kind: 'PolicyReport',
              name: 'rco',
              uid: 'u',
              resourceVersion: '1',
              firstObservedAt: r.collectedAt,
              observedAt: r.collectedAt,
            },
          }
        : r;
    };

    it("are set aside where the cluster's state is read, with the reason; elsewhere they count", () => {
      const evidence = [
        report('ci', 'staging'),
        report('cluster', 'staging'),
        report('ci', 'production'),
      ];
      const staging = applySourcePolicy(
        context(evidence, { release: { environment: 'staging' } as any }),
        'policy-enforcement',
      );
      // Judged for staging, every upload of the kind is set aside (production's is not about
      // staging anyway: matchesRelease leaves it out).
      expect(staging.ctx.evidence.map(r => r.source)).toEqual(['cluster']);
      expect(staging.notes).toEqual([
        "ignored: policy-report uploaded by CI (ci:x) — the cluster's own state is read for this in staging",
      ]);
      const production = applySourcePolicy(
        context(evidence, { release: { environment: 'production' } as any }),
        'policy-enforcement',
      );
      // The cluster's staging state says nothing about production: CI's production upload counts.
      expect(production.notes).toEqual([]);
      expect(production.ctx.evidence.map(r => r.source)).toEqual([
        'cluster',
        'ci',
        'ci',
      ]);
    });

    it('set aside only when they name no release, or the one the cluster runs (R3 M2)', () => {
      const NEXT = `sha256:${'2'.repeat(64)}`;
      const RUNNING = `sha256:${'1'.repeat(64)}`;
      const about = (r: EvidenceRecord, digest: string) => ({
        ...r,
        subject: { ...r.subject, digest },
      });
      const cluster = report('cluster', 'staging');
      const workload = {
        ...about(cluster, RUNNING),
        kind: 'workload' as const,
      };
      const judge = (digest: string, evidence: EvidenceRecord[]) =>
        applySourcePolicy(
          context(evidence, {
            release: { digest, environment: 'staging' } as any,
          }),
          'policy-enforcement',
        )
          .ctx.evidence.filter(r => r.kind === 'policy-report')
          .map(r => `${r.source}:${r.subject.digest ?? '-'}`);
      const upload = (digest?: string) => {
        const r = report('ci', 'staging');
        return digest ? about(r, digest) : r;
      };
      // CI's report for the next release counts; the cluster runs (and reports on) another one.
      expect(judge(NEXT, [cluster, workload, upload(NEXT)])).toEqual([
        'cluster:-',
        `ci:${NEXT}`,
      ]);
      // Nothing collected names what runs: an upload naming a release counts.
      expect(judge(NEXT, [cluster, upload(NEXT)])).toEqual([
        'cluster:-',
        `ci:${NEXT}`,
      ]);
      // About the release the cluster runs, or about none: set aside.
      expect(judge(RUNNING, [cluster, workload, upload(RUNNING)])).toEqual([
        'cluster:-',
      ]);
      expect(judge(NEXT, [cluster, workload, upload()])).toEqual(['cluster:-']);
    });

    it('puts collected evidence before every upload', () => {
      const { ctx } = applySourcePolicy(
        context([report('ci', 'staging'), report('cluster', 'staging')]),
        'policy-enforcement',
      );
      expect(ctx.evidence[0].source).toBe('cluster');
    });
  });
});

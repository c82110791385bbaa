import { context, DIGEST, record, trivy } from './__testUtils__/context';
import { applySourcePolicy } from './sourcePolicy';

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
});

import { GATE_IDS, GateId } from '@helix-portal/plugin-rco-common';
import { context, DIGEST, runbook } from './__testUtils__/context';
import { ConditionContext, gateCondition } from './conditions';

const ctx = (overrides: Partial<ConditionContext> = {}): ConditionContext => ({
  runbook: runbook(),
  config: context([]).config,
  entityName: 'rco',
  signoffGroups: {
    po: 'group:default/product-owners',
    dpo: 'group:default/dpo',
    security: 'group:default/security',
  },
  release: { version: '1.3.2', digest: DIGEST },
  ...overrides,
});

describe('gateCondition', () => {
  it.each(GATE_IDS)('says the condition of %s in words', id =>
    expect(gateCondition(id, 'P7D', ctx()).length).toBeGreaterThan(40),
  );

  it.each<[GateId, RegExp]>([
    [
      'rto-rpo-verification',
      /^Completed Velero backups no more than RPO \(PT\w+\) apart, the newest younger than RPO \(PT\w+\), and the newest restore drill completed within RTO \(PT\w+\); evidence no older than P7D\./,
    ],
    [
      'migration-controls',
      /RTO \(PT\w+\) and RPO \(PT\w+\).*no longer ago than P7D/,
    ],
    [
      'image-scanning',
      /no CRITICAL or HIGH finding.*Sigstore bundle signing the same digest verified by the console.*cosign verify report is only CI's claim.*SBOM.*counts in every environment/,
    ],
    ['acronym-clarity', /canonical name "rco" and none labelled "rcot"/],
    ['documentation-completeness', /artefact repository is in helix-core/],
    [
      'dpo-signoff',
      /A member of group:default\/dpo approved version 1\.3\.2.*four eyes/,
    ],
    [
      'monitoring-alerting',
      /availability, latency and error-rate.*critical or page/,
    ],
    ['policy-enforcement', /no fail or error.*Gatekeeper.*no violation/],
    ['progressive-delivery', /canary.*latency and error rate/],
    ['secret-hygiene', /gitleaks and trufflehog.*Vault/],
  ])('%s: fills in the thresholds in force', (id, expected) =>
    expect(gateCondition(id, 'P7D', ctx())).toMatch(expected),
  );

  it('uses the runbook targets in force', () => {
    const rb = runbook();
    const tightened = {
      ...rb,
      targets: { ...rb.targets, rpo: 'PT2M', rto: 'PT9M' },
    };
    expect(
      gateCondition('rto-rpo-verification', 'P1D', ctx({ runbook: tightened })),
    ).toContain(
      'no more than RPO (PT2M) apart, the newest younger than RPO (PT2M), and the newest restore drill completed within RTO (PT9M)',
    );
  });

  it('names the blocking severities configured', () => {
    const config = { ...context([]).config, blockingSeverities: ['CRITICAL'] };
    expect(gateCondition('image-scanning', 'P7D', ctx({ config }))).toContain(
      'no CRITICAL finding',
    );
  });

  it('names the sources a gate accepts when configured', () => {
    const config = {
      ...context([]).config,
      sources: { 'image-scanning': ['ci' as const] },
    };
    expect(gateCondition('image-scanning', 'P7D', ctx({ config }))).toMatch(
      /Counted from CI\.$/,
    );
  });

  it('says nobody can sign when the DPO group is unset', () => {
    expect(
      gateCondition(
        'dpo-signoff',
        undefined,
        ctx({
          signoffGroups: { po: undefined, dpo: undefined, security: undefined },
        }),
      ),
    ).toContain('rco.signoffs.groups.dpo is not configured');
  });

  it('speaks of the runbook without one', () => {
    expect(
      gateCondition('rto-rpo-verification', 'P1D', ctx({ runbook: undefined })),
    ).toContain('the RPO the runbook declares');
  });
});

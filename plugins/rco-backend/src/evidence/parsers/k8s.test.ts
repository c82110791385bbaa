import fs from 'node:fs';
import { parse } from 'yaml';
import { readSample, samplesDir } from '../../__testUtils__/fixtures';
import {
  argoAnalysisRunParser,
  argoAnalysisTemplateParser,
  argoRolloutParser,
} from './argo';
import {
  namingReportParser,
  rollbackDryRunParser,
  vaultAttestationParser,
} from './attestation';
import { gatekeeperParser } from './gatekeeper';
import { helmHistoryParser, helmStatusParser } from './helm';
import { imageDigest, isKubernetesKind, stripNoise } from './k8s';
import { networkPolicyParser } from './networkPolicy';
import { policyReportParser } from './policyReport';
import { prometheusRuleParser } from './prometheusRule';
import { veleroBackupParser, veleroRestoreParser } from './velero';
import { workloadParser } from './workload';

/** Every Kubernetes / operations parser in this folder. */
const parsers = [
  policyReportParser,
  gatekeeperParser,
  veleroBackupParser,
  veleroRestoreParser,
  prometheusRuleParser,
  argoRolloutParser,
  argoAnalysisTemplateParser,
  argoAnalysisRunParser,
  helmHistoryParser,
  helmStatusParser,
  workloadParser,
  networkPolicyParser,
  vaultAttestationParser,
  rollbackDryRunParser,
  namingReportParser,
];

/** Each shared sample these parsers own, with the parser that must claim it. */
const owned: Record<string, string> = {
  'kyverno-policyreport-pod-v1alpha2.yaml': 'policy-report',
  'gatekeeper-constraint-with-violations.yaml': 'gatekeeper-constraint',
  'velero-backup-completed.yaml': 'velero-backup',
  'prometheusrule-alertmanager-kube-prometheus.yaml': 'prometheus-rule',
  'argo-rollouts-rollout-aborted-canary.yaml': 'argo-rollout',
  'argo-rollouts-analysisrun-failed.yaml': 'argo-analysis-run',
  'helm-v3-history.json': 'helm-history',
  'helm-v3-status.json': 'helm-status',
  'deployment-hardened-securitycontext-kube-prometheus.yaml': 'workload',
  'networkpolicy-alertmanager-kube-prometheus.yaml': 'network-policy',
};

const load = (file: string): unknown =>
  file.endsWith('.json')
    ? JSON.parse(readSample(file))
    : parse(readSample(file));

describe('Kubernetes / operations parser detection', () => {
  it('has one parser per evidence kind', () => {
    const kinds = parsers.map(p => p.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it.each(Object.entries(owned))(
    '%s is detected by exactly one parser: %s',
    (file, kind) => {
      const doc = load(file);
      expect(parsers.filter(p => p.detect(doc)).map(p => p.kind)).toEqual([
        kind,
      ]);
    },
  );

  it('claims none of the scanner samples', () => {
    const others = fs
      .readdirSync(samplesDir)
      .filter(f => /\.(json|ya?ml)$/.test(f) && !(f in owned));
    expect(others.length).toBeGreaterThan(0);
    for (const file of others) {
      const doc = load(file);
      expect({
        file,
        claimedBy: parsers.filter(p => p.detect(doc)).map(p => p.kind),
      }).toEqual({
        file,
        claimedBy: [],
      });
    }
  });

  it('claims nothing that is not a document', () => {
    for (const doc of [null, undefined, 'PolicyReport', 42, [], {}]) {
      expect(parsers.filter(p => p.detect(doc))).toEqual([]);
    }
  });
});

describe('k8s helpers', () => {
  it('matches group, version and kind, with the core group as ""', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod' };
    expect(isKubernetesKind(pod, '', ['v1'], ['Pod'])).toBe(true);
    expect(isKubernetesKind(pod, 'apps', ['v1'], ['Pod'])).toBe(false);
    expect(
      isKubernetesKind(
        { apiVersion: 'apps/v1', kind: 'Pod' },
        '',
        ['v1'],
        ['Pod'],
      ),
    ).toBe(false);
  });

  it('strips managedFields and the last-applied annotation from a copy', () => {
    const doc = {
      kind: 'Deployment',
      metadata: {
        name: 'api',
        managedFields: [{ manager: 'kubectl' }],
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}',
          'deployment.kubernetes.io/revision': '3',
        },
      },
    };
    expect(stripNoise(doc)).toEqual({
      kind: 'Deployment',
      metadata: {
        name: 'api',
        annotations: { 'deployment.kubernetes.io/revision': '3' },
      },
    });
    expect(doc.metadata.managedFields).toHaveLength(1);
    expect(Object.keys(doc.metadata.annotations)).toHaveLength(2);
  });

  it('reads a digest only from a pinned image', () => {
    const hex = 'a'.repeat(64);
    expect(imageDigest(`ghcr.io/acme/api:1.2@sha256:${hex}`)).toBe(
      `sha256:${hex}`,
    );
    expect(imageDigest('ghcr.io/acme/api:1.2')).toBeUndefined();
    expect(imageDigest(undefined)).toBeUndefined();
  });
});

import { InputError } from '@backstage/errors';
import { NetworkPolicySummary } from '@helix-portal/plugin-rco-common';
import { parse } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { networkPolicyParser } from './networkPolicy';

type Raw = {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress: unknown[];
    egress: unknown[];
  };
};

const sample = () =>
  parse(readSample('networkpolicy-alertmanager-kube-prometheus.yaml')) as Raw;
const summaryOf = (doc: unknown) =>
  networkPolicyParser.parse(doc).summary as NetworkPolicySummary;

const policy = (spec: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api', namespace: 'shop' },
  spec,
});

describe('networkPolicyParser', () => {
  it('reads the kube-prometheus Alertmanager policy', () => {
    const raw = sample();
    expect(networkPolicyParser.detect(raw)).toBe(true);
    const summary = summaryOf(raw);
    expect(summary).toEqual({
      type: 'network-policy',
      name: 'alertmanager-main',
      namespace: 'monitoring',
      podSelector: raw.spec.podSelector.matchLabels,
      policyTypes: raw.spec.policyTypes,
      ingressRules: raw.spec.ingress.length,
      egressRules: raw.spec.egress.length,
    });
    expect(summary.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(summary.ingressRules).toBe(2);
    expect(networkPolicyParser.parse(raw).sanitized).toEqual(sample());
    expect(networkPolicyParser.parse(raw).subject).toEqual({
      version: '0.33.1',
    });
  });

  it("applies Kubernetes' policyTypes defaulting when the field is unset", () => {
    expect(summaryOf(policy({ podSelector: {} })).policyTypes).toEqual([
      'Ingress',
    ]);
    expect(
      summaryOf(policy({ podSelector: {}, egress: [] })).policyTypes,
    ).toEqual(['Ingress', 'Egress']);
  });

  it('reports matchExpressions so an empty matchLabels is not read as "all pods"', () => {
    const summary = summaryOf(
      policy({
        podSelector: {
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['web', 'api'] },
            { key: 'canary', operator: 'DoesNotExist' },
          ],
        },
        policyTypes: ['Ingress'],
      }),
    );
    expect(summary.podSelector).toEqual({});
    expect(summary.podSelectorExpressions).toEqual([
      { key: 'tier', operator: 'In', values: ['web', 'api'] },
      { key: 'canary', operator: 'DoesNotExist' },
    ]);
    expect(summary.ingressRules).toBe(0);
  });

  it('rejects policies without spec or podSelector, or with broken rules', () => {
    const noSpec = { ...policy({}), spec: undefined };
    expect(() => networkPolicyParser.parse(noSpec)).toThrow(InputError);
    expect(() => networkPolicyParser.parse(noSpec)).toThrow(
      'NetworkPolicy has no spec',
    );
    expect(() =>
      networkPolicyParser.parse(policy({ policyTypes: ['Ingress'] })),
    ).toThrow('NetworkPolicy has no spec.podSelector');
    expect(() =>
      networkPolicyParser.parse(policy({ podSelector: {}, ingress: {} })),
    ).toThrow('spec.ingress is not a list');
    expect(() =>
      networkPolicyParser.parse(
        policy({ podSelector: { matchExpressions: [{ key: 'x' }] } }),
      ),
    ).toThrow(
      'spec.podSelector.matchExpressions[0] needs a key and an operator',
    );
  });

  it('detects only networking.k8s.io/v1 NetworkPolicy', () => {
    expect(
      networkPolicyParser.detect({
        ...policy({}),
        apiVersion: 'extensions/v1beta1',
      }),
    ).toBe(false);
    expect(
      networkPolicyParser.detect({
        ...policy({}),
        apiVersion: 'crd.projectcalico.org/v1',
      }),
    ).toBe(false);
  });
});

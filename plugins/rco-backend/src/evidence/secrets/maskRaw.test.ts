import { parse as parseYaml } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { rawTextHoldsSecret, serialiseMasked } from './maskRaw';

const AWS_ID = 'AKIA2E0A8F3B244C9986';
const PASSWORD = 'hunter2-Zq9';

describe('rawTextHoldsSecret', () => {
  it.each<[string, string, 'json' | 'ndjson' | 'yaml']>([
    [
      'a YAML comment',
      `# AWS_ACCESS_KEY_ID=${AWS_ID} DB_PASSWORD=${PASSWORD}\nkind: Backup\n`,
      'yaml',
    ],
    [
      'a YAML directive',
      `%TAG !x! tag:${AWS_ID}:\n---\nkind: Backup\n`,
      'yaml',
    ],
    [
      'the first value of a repeated JSON key',
      `{"Note":"DB_PASSWORD=${PASSWORD}","Note":"n"}`,
      'json',
    ],
    [
      'a JSON string that spells the secret with escapes',
      `{"Note":"\\u0041${AWS_ID.slice(1)}","Note":"n"}`,
      'json',
    ],
    [
      'a secret name spelled with an escape, its value under a repeated key',
      `{"db\\u0050assword":"${PASSWORD}","dbPassword":""}`,
      'json',
    ],
    [
      'a repeated key on an NDJSON line',
      `{"a":1}\n{"Note":"token=${PASSWORD}","Note":"n"}`,
      'ndjson',
    ],
  ])('finds %s', async (_what, text, format) => {
    expect(await rawTextHoldsSecret(text, format)).toBe(true);
  });

  it.each([
    'trivy-image-alpine310.json',
    'grype-json-image.json',
    'cyclonedx-1.7-trivy-pom-with-vulns.json',
    'cosign-verify-key-based.json',
    'helm-v3-history.json',
    'helm-v3-status.json',
    'velero-backup-completed.yaml',
    'kyverno-policyreport-pod-v1alpha2.yaml',
    'gatekeeper-constraint-with-violations.yaml',
    'argo-rollouts-rollout-aborted-canary.yaml',
    'argo-rollouts-analysisrun-failed.yaml',
    'deployment-hardened-securitycontext-kube-prometheus.yaml',
    'networkpolicy-alertmanager-kube-prometheus.yaml',
    'prometheusrule-alertmanager-kube-prometheus.yaml',
  ])(
    'finds nothing in the secret-free sample %s (kept verbatim)',
    async file => {
      expect(
        await rawTextHoldsSecret(
          readSample(file),
          file.endsWith('.yaml') ? 'yaml' : 'json',
        ),
      ).toBe(false);
    },
  );

  it('stays linear on hostile escapes', async () => {
    const text = `{"a":"${'\\\\'.repeat(500_000)}"}`;
    const started = Date.now();
    await rawTextHoldsSecret(text, 'json');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('serialiseMasked', () => {
  const doc = { kind: 'Backup', spec: { list: ['a', 'a'] } };

  it('keeps YAML as YAML', () => {
    const { raw, rawFormat } = serialiseMasked(doc, 'yaml');
    expect(rawFormat).toBe('yaml');
    expect(raw).toMatch(/^kind: Backup$/m);
    expect(parseYaml(raw)).toEqual(doc);
  });

  it.each<['json' | 'ndjson']>([['json'], ['ndjson']])(
    'writes %s as indented JSON',
    format => {
      const { raw, rawFormat } = serialiseMasked(doc, format);
      expect(rawFormat).toBe('json');
      expect(JSON.parse(raw)).toEqual(doc);
    },
  );
});

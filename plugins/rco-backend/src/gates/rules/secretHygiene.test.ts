import {
  context,
  DAY,
  DIGEST,
  NOW,
  record,
  trivy,
} from '../__testUtils__/context';
import { secretHygiene } from './secretHygiene';

const vault = (leastPrivilege: boolean) =>
  record('vault-attestation', {
    apiVersion: 'rco.helix.dev/v1',
    kind: 'VaultPolicyAttestation',
    metadata: { name: 'rco-vault' },
    spec: {
      policy: 'rco-read',
      leastPrivilege,
      verifiedAt: NOW.toISOString(),
      paths: ['secret/data/rco/*'],
    },
  });
const COMMIT = '0000000000000000';
const gitleaksClean = (age = 0) =>
  record('gitleaks', [], { subject: { commit: COMMIT }, age });
const gitleaksSample = (age = 0) =>
  record('gitleaks', 'gitleaks-report-json-simple.json', {
    age,
    subject: { commit: COMMIT },
  });

describe('secret-hygiene', () => {
  it.each([
    {
      name: 'nothing uploaded: missing',
      evidence: () => [],
      status: 'missing',
      reason: 'No secret scan',
    },
    {
      name: 'a clean gitleaks report and a least-privilege Vault attestation: pass',
      evidence: () => [gitleaksClean(), vault(true)],
      status: 'pass',
      reason: 'gitleaks: no secrets',
    },
    {
      name: 'a clean scan without the Vault attestation: missing',
      evidence: () => [gitleaksClean()],
      status: 'missing',
      reason: 'No Vault least-privilege attestation',
    },
    {
      name: 'the real gitleaks sample (findings): fail, naming rule and file',
      evidence: () => [gitleaksSample(), vault(true)],
      status: 'fail',
      reason: 'gitleaks found 1 secret',
    },
    {
      name: 'a later clean scan of the same commit does not erase a finding',
      evidence: () => [gitleaksClean(), gitleaksSample(DAY), vault(true)],
      status: 'fail',
      reason: 'gitleaks found',
    },
    {
      name: 'a Vault attestation that is not least-privilege: fail',
      evidence: () => [gitleaksClean(), vault(false)],
      status: 'fail',
      reason: 'is not least-privilege',
    },
    {
      name: 'secrets in the newest Trivy report of the release: fail',
      evidence: () => [
        record(
          'trivy',
          trivy([], [{ rule: 'aws-access-key-id', file: 'app/config' }]),
          { subject: { digest: DIGEST } },
        ),
        vault(true),
      ],
      status: 'fail',
      reason: 'Trivy found 1 secrets',
    },
  ])('$name', ({ evidence, status, reason }) => {
    const outcome = secretHygiene(context(evidence(), { maxAge: 'P7D' }));
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });

  it('a clean Trivy report of the same image under another version label does not erase its secrets', () => {
    const withSecrets = record(
      'trivy',
      trivy([], [{ rule: 'aws-access-key-id', file: 'app/config' }]),
      { subject: { digest: DIGEST, version: '1.5.0' }, age: DAY },
    );
    const clean = record('trivy', trivy([]), {
      subject: { digest: DIGEST, version: '9.9.9' },
    });
    const outcome = secretHygiene(
      context([clean, withSecrets, vault(true)], {
        maxAge: 'P7D',
        release: { version: '9.9.9', digest: DIGEST },
      }),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons.join('\n')).toContain('Trivy found 1 secrets');
  });
});

import request from 'supertest';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
} from '../../__testUtils__/operationsBackend';

/** A Trivy report of one finding of `severity` in the image `digest`. */
export const scan = (digest: string, severity: string) => {
  const image = `registry.example/rco@${digest}`;
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: image,
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [image] },
    Results: [
      {
        Target: image,
        Vulnerabilities: [
          {
            VulnerabilityID: 'CVE-2026-0001',
            PkgName: 'openssl',
            InstalledVersion: '1.0',
            Severity: severity,
          },
        ],
      },
    ],
  });
};

/** One blocked deploy of rco 1.5.0 to staging: one recorded judgement. */
export async function oneDecision(app: any) {
  await request(app)
    .post(`${RCO}/evidence?digest=${DIGEST}&version=1.5.0`)
    .set('Authorization', asService('external:ci-rco'))
    .set('Content-Type', 'application/json')
    .send(scan(DIGEST, 'HIGH'))
    .expect(201);
  const created = await request(app)
    .post(`${RCO}/operations`)
    .set('Authorization', asUser('alice'))
    .send({
      type: 'deploy',
      environment: 'staging',
      release: { version: '1.5.0', digest: DIGEST },
    });
  expect(created.status).toBe(409);
}

/** A failed Argo AnalysisRun of rco, as `kubectl get analysisrun -o yaml` writes it. */
export const FAILED_RUN = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata: { name: rco-canary-1, namespace: rco-staging, labels: { app.kubernetes.io/version: 1.5.0 } }
spec:
  metrics:
    - name: error-rate
      successCondition: result[0] < 0.01
      provider: { prometheus: { query: rco_error_ratio } }
status:
  phase: Failed
  metricResults:
    - name: error-rate
      phase: Failed
      count: 3
      failed: 3
      measurements:
        - { phase: Failed, value: '[0.4]' }
`;

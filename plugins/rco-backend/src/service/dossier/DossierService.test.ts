import { Entity } from '@backstage/catalog-model';
import { generateKeyPairSync } from 'node:crypto';
import { DossierService } from './DossierService';
import { readAttestationKey } from './dsse';

/**
 * The VSA's verdict (issue 15, point 4): an admission controller admits an image on PASSED, so
 * PASSED must mean the release passes its gates where it is deployed, not only when judged
 * without an environment (where evidence about any place counts, e.g. staging's backups for a
 * production question).
 */

const DIGEST = `sha256:${'c'.repeat(64)}`;
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'rco', namespace: 'default' },
};
const key = readAttestationKey(
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
  'test',
);

const verdict = (environment: string, ready: boolean) => ({
  environment,
  ready,
  passing: ready ? 10 : 9,
  total: 10,
  blockedBy: ready ? [] : ['rto-rpo-verification'],
  waived: [],
  text: ready ? 'ready' : 'blocked by rto-rpo-verification',
});

function service(
  environments: Array<{ environment: string; ready: boolean }>,
  subject: object = { version: '1.5.0', digest: DIGEST },
) {
  const record = {
    id: 'ev-1',
    entityRef: 'component:default/rco',
    kind: 'trivy-report',
    sha256: 'a'.repeat(64),
    subject,
    source: 'ci',
    submitter: 'service:ci',
    collectedAt: new Date('2026-11-30T10:00:00Z'),
    summary: {},
    rawSize: 2,
  };
  return new DossierService({
    releases: {
      clock: { now: () => new Date('2026-11-30T12:00:00Z') },
      latestRelease: async () => ({ version: '1.5.0', digest: DIGEST }),
      judge: async () => ({
        // Judged without an environment: every gate passes.
        status: { summary: { ready: true, passing: 10, total: 10 } },
        environments: environments.map(e => verdict(e.environment, e.ready)),
        evidence: [record],
        runbook: undefined,
      }),
    } as any,
    evidenceStore: {
      environments: async () => [],
      get: async () => ({ ...record, raw: '{}', rawFormat: 'json' }),
    } as any,
    ledger: { list: async () => [] } as any,
    configDigest: 'd'.repeat(64),
    environments: [{ name: 'staging' }, { name: 'production' }],
    key,
    verifierId: 'https://portal.example',
  });
}

const resultOf = async (dossiers: DossierService) => {
  const envelope = await dossiers.attestation(entity, {
    version: '1.5.0',
    digest: DIGEST,
  });
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString())
    .predicate;
};

describe('the VSA verdict of a release', () => {
  it.each([
    ['ready everywhere', [true, true], 'PASSED'],
    ['its production gates fail', [true, false], 'FAILED'],
    ['its staging gates fail', [false, true], 'FAILED'],
  ])('%s: %s', async (_, [staging, production], expected) => {
    const predicate = await resultOf(
      service([
        { environment: 'staging', ready: staging as boolean },
        { environment: 'production', ready: production as boolean },
      ]),
    );
    expect(predicate.verificationResult).toBe(expected);
    expect(predicate.verifiedLevels).toEqual(
      expected === 'PASSED' ? ['RCO_RELEASE_READY'] : ['FAILED'],
    );
  });

  it('says FAILED when a configured environment was not judged at all', async () => {
    const predicate = await resultOf(
      service([{ environment: 'staging', ready: true }]),
    );
    expect(predicate.verificationResult).toBe('FAILED');
  });
});

describe('an attestation for an image the entity has no evidence of', () => {
  const everywhere = [
    { environment: 'staging', ready: true },
    { environment: 'production', ready: true },
  ];

  it('is refused: only evidence about the place (a backup) names no image, and a digest never seen is not attested', async () => {
    const dossiers = service(everywhere, { environment: 'production' });
    await expect(
      dossiers.attestation(entity, {
        version: '1.5.0',
        digest: `sha256:${'0'.repeat(64)}`,
      }),
    ).rejects.toThrow(/No evidence of .* names image sha256:0{64}/);
    // The dossier is still made (it is what the release was judged on), without a signature.
    const dossier = await dossiers.collect(entity, {
      version: '1.5.0',
      digest: `sha256:${'0'.repeat(64)}`,
    });
    expect(dossiers.attest(dossier, entity, new Map())).toBeUndefined();
  });

  it('is made once evidence names the image', async () => {
    await expect(resultOf(service(everywhere))).resolves.toMatchObject({
      verificationResult: 'PASSED',
    });
  });
});

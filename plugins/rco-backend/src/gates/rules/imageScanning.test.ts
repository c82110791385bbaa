import {
  bundleRecord,
  context,
  DAY,
  DIGEST,
  record,
  trivy,
  VERIFIED,
} from '../__testUtils__/context';
import { imageScanning } from './imageScanning';
import { fixture } from '../../evidence/sigstore/__fixtures__/fixtures';

const OTHER = `sha256:${'b'.repeat(64)}`;
const sigstoreFixtureDoc = () => fixture('bundle-dsse-release.json');
const forRelease = { digest: DIGEST };
const cosign = [
  {
    critical: {
      identity: { 'docker-reference': 'registry.example/rco' },
      image: { 'docker-manifest-digest': DIGEST },
      type: 'cosign container image signature',
    },
    optional: null,
  },
];
const sbom = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  metadata: { component: { type: 'container', name: 'registry.example/rco' } },
  components: [],
};
const clean = () => record('trivy', trivy([]), { subject: forRelease });
const critical = (age = 0) =>
  record('trivy', trivy([{ id: 'CVE-1', severity: 'CRITICAL' }]), {
    subject: forRelease,
    age,
  });
/** A Sigstore bundle of the digest the console verified (issue 13: the only thing that signs). */
const signed = (age = 0) => bundleRecord(VERIFIED, { age });
/** CI's `cosign verify` report: a claim the console cannot check. */
const claim = () => record('cosign', cosign);
const sbomOf = () => record('cyclonedx', sbom, { subject: forRelease });
/** A bundle of the digest whose verification failed, with the reason the console gave. */
const failedBundle = (age = 0) =>
  bundleRecord(
    {
      verifiedBy: 'console',
      ok: false,
      reason: `signed by https://github.com/evil/x (issue https://token.actions.githubusercontent.com), not an identity component:default/rco allows`,
    },
    { age },
  );

describe('image-scanning', () => {
  it.each([
    {
      name: 'no digest for the release: missing',
      ctx: context([clean(), signed(), sbomOf()], { release: {} }),
      status: 'missing',
      reason: 'No image digest given',
    },
    {
      name: 'a clean scan alone: missing (signature and SBOM)',
      ctx: context([clean()]),
      status: 'missing',
      reason: 'has no CRITICAL or HIGH findings',
    },
    {
      name: 'clean scan, verified signature and SBOM: pass',
      ctx: context([clean(), signed(), sbomOf()]),
      status: 'pass',
      reason:
        'Signature of sha256:aaaaaaaaaaaa… verified by the console: signed by https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/main (https://token.actions.githubusercontent.com)',
    },
    {
      name: 'a CRITICAL finding: fail',
      ctx: context([critical(), signed(), sbomOf()]),
      status: 'fail',
      reason: 'has 1 CRITICAL and 0 HIGH: CVE-1',
    },
    {
      name: 'a later clean scan does not erase an in-age finding',
      ctx: context([clean(), critical(DAY), signed(), sbomOf()], {
        maxAge: 'P7D',
      }),
      status: 'fail',
      reason: 'does not erase these findings',
    },
    {
      name: 'a finding older than the maximum age is superseded by a newer clean scan',
      ctx: context([clean(), critical(8 * DAY), signed(), sbomOf()], {
        maxAge: 'P7D',
      }),
      status: 'pass',
      reason: 'has no CRITICAL or HIGH findings',
    },
    {
      name: 'the real Grype sample (HIGH findings) filed for the release: fail',
      ctx: context([
        record('grype', 'grype-json-image.json', { subject: forRelease }),
      ]),
      status: 'fail',
      reason: 'Grype report',
    },
    {
      name: 'scans of another image do not count: missing',
      ctx: context([
        record('trivy', trivy([]), { subject: { digest: OTHER } }),
        signed(),
        sbomOf(),
      ]),
      status: 'missing',
      reason: 'No Trivy or Grype report',
    },
    {
      // Issue 13: this passed before, on CI's word alone (the hole closed).
      name: "a cosign verify report alone is CI's claim: missing, asking for the bundle",
      ctx: context([clean(), claim(), sbomOf()]),
      status: 'missing',
      reason:
        "Only CI's claim that sha256:aaaaaaaaaaaa… is signed (cosign verify output): the console verifies Sigstore bundles, not reports; upload the bundle",
    },
    {
      name: 'a bundle that failed verification does not sign: missing, with its reason',
      ctx: context([clean(), claim(), failedBundle(), sbomOf()]),
      status: 'missing',
      reason:
        'Sigstore bundle for sha256:aaaaaaaaaaaa… did not verify: signed by https://github.com/evil/x',
    },
    {
      name: 'a verified bundle signs even beside a later failed one (a broken upload says nothing bad about the image)',
      ctx: context([clean(), signed(DAY), failedBundle(), sbomOf()]),
      status: 'pass',
      reason: 'Signature of sha256:aaaaaaaaaaaa… verified by the console',
    },
    {
      name: 'a bundle uploaded before the console verified bundles does not sign',
      ctx: context([
        clean(),
        record('sigstore-bundle', sigstoreFixtureDoc(), {
          subject: forRelease,
        }),
        sbomOf(),
      ]),
      status: 'missing',
      reason: 'uploaded before the console verified Sigstore bundles',
    },
  ])('$name', ({ ctx, status, reason }) => {
    const outcome = imageScanning(ctx);
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});

import { context, DAY, DIGEST, record, trivy } from '../__testUtils__/context';
import { imageScanning } from './imageScanning';

const OTHER = `sha256:${'b'.repeat(64)}`;
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
const signed = () => record('cosign', cosign);
const sbomOf = () => record('cyclonedx', sbom, { subject: forRelease });
/** A cosign verification of the digest that did not succeed (as a collector would record it). */
const failedVerification = (age = 0) => {
  const r = record('cosign', cosign, { age });
  return { ...r, summary: { ...r.summary, verified: false, signatures: 0 } };
};

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
      reason: 'Cosign verified 1 signature(s)',
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
      name: 'a failed cosign verification within the maximum age is not erased by a later verified one',
      ctx: context([clean(), signed(), failedVerification(DAY), sbomOf()], {
        maxAge: 'P7D',
      }),
      status: 'fail',
      reason: 'Cosign verification of sha256:aaaaaaaaaaaa… did not succeed',
    },
    {
      name: 'a failed cosign verification older than the maximum age is superseded by a verified one',
      ctx: context([clean(), signed(), failedVerification(8 * DAY), sbomOf()], {
        maxAge: 'P7D',
      }),
      status: 'pass',
      reason: 'Cosign verified 1 signature(s)',
    },
  ])('$name', ({ ctx, status, reason }) => {
    const outcome = imageScanning(ctx);
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});

import { InputError } from '@backstage/errors';
import { SbomSummary } from '@helix-portal/plugin-rco-common';
import { readSample } from '../../__testUtils__/fixtures';
import { cyclonedxParser } from './cyclonedx';

type Component = { name: string; components?: Component[] };

const sampleText = readSample('cyclonedx-1.7-trivy-pom-with-vulns.json');
const sample = () => JSON.parse(sampleText);

const countAll = (components: Component[] = []): number =>
  components.reduce((n, c) => n + 1 + countAll(c.components), 0);

const sbom = (doc: unknown) =>
  cyclonedxParser.parse(doc).summary as SbomSummary;

const digest = `sha256:${'9f'.repeat(32)}`;

/** The root of a container-image BOM as Trivy and Syft write it. */
const imageBom = () => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  metadata: {
    component: {
      'bom-ref': 'pkg:oci/app@sha256%3A...',
      type: 'container',
      name: 'ghcr.io/acme/app:1.4.2',
      purl: `pkg:oci/app@${digest.replace(
        ':',
        '%3A',
      )}?repository_url=ghcr.io%2Facme%2Fapp`,
    },
  },
  components: [
    {
      type: 'library',
      name: 'express',
      version: '4.21.0',
      components: [{ type: 'library', name: 'body-parser', version: '1.20.3' }],
    },
  ],
});

describe('cyclonedxParser', () => {
  it('summarises the real Trivy CycloneDX 1.7 BOM', () => {
    const raw = sample();
    const parsed = cyclonedxParser.parse(raw);
    expect(parsed.summary).toEqual({
      type: 'sbom',
      format: 'cyclonedx',
      specVersion: raw.specVersion,
      components: countAll(raw.components),
      name: raw.metadata.component.name,
    });
    // A source-repository BOM names no image and no version.
    expect(parsed.subject).toEqual({});
    expect(parsed.sanitized).toEqual(raw);
    expect(parsed.sanitized).not.toBe(raw);
  });

  it('counts nested components and reads the image digest from an OCI purl', () => {
    const doc = imageBom();
    const parsed = cyclonedxParser.parse(doc);
    expect((parsed.summary as SbomSummary).components).toBe(2);
    expect(parsed.subject).toEqual({ digest });
  });

  it('reads the application version, but never a digest as a version', () => {
    const app = imageBom();
    Object.assign(app.metadata.component, {
      type: 'application',
      purl: 'pkg:npm/acme-app@1.4.2',
      version: '1.4.2',
    });
    expect(cyclonedxParser.parse(app).subject).toEqual({ version: '1.4.2' });

    const syft = imageBom();
    Object.assign(syft.metadata.component, { version: digest });
    expect(cyclonedxParser.parse(syft).subject).toEqual({ digest });
  });

  it('accepts a BOM without components', () => {
    const empty: Record<string, unknown> = imageBom();
    delete empty.components;
    expect(sbom(empty).components).toBe(0);
  });

  it('rejects malformed BOMs with an InputError naming the problem', () => {
    const noSpec = sample();
    delete noSpec.specVersion;
    expect(() => cyclonedxParser.parse(noSpec)).toThrow(InputError);
    expect(() => cyclonedxParser.parse(noSpec)).toThrow(
      'CycloneDX BOM has no specVersion',
    );

    const badComponents = sample();
    badComponents.components = 'none';
    expect(() => cyclonedxParser.parse(badComponents)).toThrow(
      'CycloneDX components is not an array',
    );
    expect(() => cyclonedxParser.parse({ spdxVersion: 'SPDX-2.3' })).toThrow(
      InputError,
    );
  });
});

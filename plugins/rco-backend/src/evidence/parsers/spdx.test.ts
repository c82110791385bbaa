import { InputError } from '@backstage/errors';
import { SbomSummary } from '@helix-portal/plugin-rco-common';
import { spdxParser } from './spdx';

const imageDigest = `sha256:${'5c'.repeat(32)}`;

/**
 * An SPDX 2.3 JSON document of a container image, shaped as Syft writes one: the image is the
 * described package (with an OCI purl and its digest as checksum), its contents beside it.
 */
const spdxDocument = () => ({
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'ghcr.io/acme/app',
  documentNamespace: 'https://anchore.com/syft/image/ghcr.io/acme/app-5f3c',
  creationInfo: {
    licenseListVersion: '3.25',
    creators: ['Organization: Anchore, Inc', 'Tool: syft-1.18.1'],
    created: '2025-01-14T09:30:00Z',
  },
  packages: [
    {
      name: 'ghcr.io/acme/app',
      SPDXID: 'SPDXRef-DocumentRoot-Image-ghcr.io-acme-app',
      versionInfo: imageDigest,
      downloadLocation: 'NOASSERTION',
      primaryPackagePurpose: 'CONTAINER',
      checksums: [{ algorithm: 'SHA256', checksumValue: imageDigest.slice(7) }],
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:oci/app@sha256%3A${imageDigest.slice(
            7,
          )}?repository_url=ghcr.io/acme/app`,
        },
      ],
    },
    {
      name: 'musl',
      SPDXID: 'SPDXRef-Package-apk-musl-1',
      versionInfo: '1.2.5-r0',
      downloadLocation: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'MIT',
    },
    {
      name: 'openssl',
      SPDXID: 'SPDXRef-Package-apk-libssl3-2',
      versionInfo: '3.3.2-r1',
      downloadLocation: 'NOASSERTION',
    },
  ],
  relationships: [
    {
      spdxElementId: 'SPDXRef-DOCUMENT',
      relatedSpdxElement: 'SPDXRef-DocumentRoot-Image-ghcr.io-acme-app',
      relationshipType: 'DESCRIBES',
    },
    {
      spdxElementId: 'SPDXRef-DocumentRoot-Image-ghcr.io-acme-app',
      relatedSpdxElement: 'SPDXRef-Package-apk-musl-1',
      relationshipType: 'CONTAINS',
    },
  ],
});

describe('spdxParser', () => {
  it('detects SPDX 2.x JSON documents only', () => {
    expect(spdxParser.detect(spdxDocument())).toBe(true);
    expect(
      spdxParser.detect({ ...spdxDocument(), spdxVersion: 'SPDX-2.2' }),
    ).toBe(true);
    expect(spdxParser.detect({ spdxVersion: 'SPDX-2.3' })).toBe(false);
    expect(
      spdxParser.detect({
        '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
      }),
    ).toBe(false);
  });

  it('summarises the document and reads the image digest from the described package', () => {
    const doc = spdxDocument();
    const parsed = spdxParser.parse(doc);
    expect(parsed.summary).toEqual<SbomSummary>({
      type: 'sbom',
      format: 'spdx',
      specVersion: '2.3',
      components: doc.packages.length,
      name: 'ghcr.io/acme/app',
    });
    // The digest-as-version Syft writes for images is a digest, not a release version.
    expect(parsed.subject).toEqual({ digest: imageDigest });
    expect(parsed.sanitized).toEqual(doc);
    expect(parsed.sanitized).not.toBe(doc);
  });

  it('uses documentDescribes (SPDX 2.2 style) and the root version of an application', () => {
    const doc: Record<string, unknown> = {
      ...spdxDocument(),
      spdxVersion: 'SPDX-2.2',
      relationships: undefined,
      documentDescribes: ['SPDXRef-Package-apk-musl-1'],
    };
    const parsed = spdxParser.parse(doc);
    expect((parsed.summary as SbomSummary).specVersion).toBe('2.2');
    expect(parsed.subject).toEqual({ version: '1.2.5-r0' });
  });

  it('accepts a document listing files only', () => {
    const doc: Record<string, unknown> = spdxDocument();
    delete doc.packages;
    expect((spdxParser.parse(doc).summary as SbomSummary).components).toBe(0);
  });

  it('rejects malformed documents with an InputError naming the problem', () => {
    expect(() => spdxParser.parse({ ...spdxDocument(), packages: {} })).toThrow(
      InputError,
    );
    expect(() => spdxParser.parse({ ...spdxDocument(), packages: {} })).toThrow(
      'SPDX packages is not an array',
    );
    expect(() =>
      spdxParser.parse({ ...spdxDocument(), spdxVersion: 'SPDX-3.0' }),
    ).toThrow('This SPDX version is not supported (SPDX-2.x)');
    expect(() => spdxParser.parse({ bomFormat: 'CycloneDX' })).toThrow(
      InputError,
    );
  });
});

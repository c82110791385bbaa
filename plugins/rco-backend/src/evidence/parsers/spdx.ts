import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  SbomSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { namedImage, purlImage } from '../imageIdentity';
import { deepClone, JsonRecord, recordArray, str } from './mask';
import { sbomSubject } from './cyclonedx';

const DOCUMENT_ID = 'SPDXRef-DOCUMENT';

/**
 * SPDX 2.x JSON documents say `spdxVersion: "SPDX-2.3"` (or 2.2…); the document's own
 * `SPDXID` or `dataLicense` confirms it is the document and not some object quoting a version.
 * SPDX 3 (JSON-LD, `@context`) is a different format and is not claimed.
 */
const isSpdx = (doc: unknown): doc is JsonRecord => evidenceDetectors.spdx(doc);

/** The SPDX ids the document describes: `documentDescribes` and DESCRIBES relationships. */
function describedIds(doc: JsonRecord): Set<string> {
  const ids = new Set<string>();
  if (Array.isArray(doc.documentDescribes)) {
    for (const id of doc.documentDescribes)
      if (typeof id === 'string') ids.add(id);
  }
  for (const rel of recordArray(doc.relationships, 'SPDX relationships')) {
    if (
      rel.spdxElementId === DOCUMENT_ID &&
      rel.relationshipType === 'DESCRIBES' &&
      typeof rel.relatedSpdxElement === 'string'
    ) {
      ids.add(rel.relatedSpdxElement);
    }
  }
  return ids;
}

/** Package URLs and SHA256 checksums of a described package, where an image digest may be. */
function packageReferences(pkg: JsonRecord): unknown[] {
  const references: unknown[] = [];
  for (const ref of recordArray(
    pkg.externalRefs,
    'SPDX package externalRefs',
  )) {
    const locator = str(ref.referenceLocator);
    if (ref.referenceType === 'purl' && locator?.startsWith('pkg:oci/')) {
      references.push(locator);
    }
  }
  if (pkg.primaryPackagePurpose === 'CONTAINER') {
    for (const sum of recordArray(pkg.checksums, 'SPDX package checksums')) {
      if (sum.algorithm === 'SHA256' && typeof sum.checksumValue === 'string') {
        references.push(`sha256:${sum.checksumValue}`);
      }
    }
  }
  return references;
}

/** SPDX 2.x JSON documents (Syft, Trivy, the SPDX tools). */
export const spdxParser: EvidenceParser = {
  kind: 'spdx',
  detect: isSpdx,
  parse(doc) {
    if (!isSpdx(doc)) {
      throw new InputError(
        'Not an SPDX JSON document (spdxVersion "SPDX-2.x")',
      );
    }
    const version = (str(doc.spdxVersion) ?? '').slice('SPDX-'.length);
    if (!/^2\.\d+$/.test(version)) {
      throw new InputError('This SPDX version is not supported (SPDX-2.x)');
    }
    // `packages` is optional (a document may list only files); every package counts, including
    // the described root, which SPDX lists beside its dependencies.
    const packages = recordArray(doc.packages, 'SPDX packages');
    const described = describedIds(doc);
    const root = packages.find(
      pkg => typeof pkg.SPDXID === 'string' && described.has(pkg.SPDXID),
    );
    const summary: SbomSummary = {
      type: 'sbom',
      format: 'spdx',
      // "2.3", not "SPDX-2.3": the same form CycloneDX's specVersion has.
      specVersion: version,
      components: packages.length,
      name: str(doc.name),
    };
    // The image the described package names through its package URLs and container checksums.
    const image = root
      ? namedImage({
          refs: recordArray(root.externalRefs, 'SPDX package externalRefs')
            .filter(ref => ref.referenceType === 'purl')
            .map(ref => purlImage(ref.referenceLocator)),
          digests: packageReferences(root),
        })
      : undefined;
    return {
      summary,
      ...(image ? { image } : {}),
      subject: root
        ? sbomSubject({
            version: str(root.versionInfo),
            references: packageReferences(root),
          })
        : {},
      // SBOMs list packages, checksums and licences, never secret values.
      sanitized: deepClone(doc),
    };
  },
};

import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  EvidenceSubject,
  SbomSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { namedImage, purlImage } from '../imageIdentity';
import {
  deepClone,
  firstDigest,
  isRecord,
  JsonRecord,
  recordArray,
  sha256Digest,
  str,
} from './mask';

const isCycloneDx = (doc: unknown): doc is JsonRecord =>
  evidenceDetectors.cyclonedx(doc);

/** Components nest (`components[].components`): an SBOM's size is all of them. */
function countComponents(value: unknown, what: string): number {
  return recordArray(value, what).reduce(
    (total, component, index) =>
      total +
      1 +
      countComponents(component.components, `${what}[${index}].components`),
    0,
  );
}

/**
 * What an SBOM's root describes, for `subject`. The digest comes only from places that name the
 * image itself: an OCI package URL (`pkg:oci/name@sha256%3A…`), a SHA-256 hash of a container
 * component, or the digest properties Trivy adds. A version that is itself a digest (Syft gives
 * images `sha256:…` as version) is a digest, not a release version.
 */
export function sbomSubject(root: {
  version?: string;
  references: unknown[];
}): EvidenceSubject {
  const digest = firstDigest(root.references);
  const subject: EvidenceSubject = digest ? { digest } : {};
  if (root.version && !sha256Digest(root.version))
    subject.version = root.version;
  return subject;
}

/** References in `metadata.component` that may carry the image digest. */
/** The image an SBOM's root names: its OCI/Docker package URL, or a container's name and hashes. */
function rootImage(component: JsonRecord) {
  const name = str(component.name);
  const version = str(component.version);
  const container = component.type === 'container';
  return namedImage({
    refs: [
      purlImage(component.purl),
      ...(container && name
        ? [
            version
              ? `${name}${version.startsWith('sha256:') ? '@' : ':'}${version}`
              : name,
          ]
        : []),
      ...rootReferences(component).filter(
        r => typeof r === 'string' && r.includes('@') && !r.startsWith('pkg:'),
      ),
    ],
    digests: rootReferences(component),
  });
}

function rootReferences(component: JsonRecord): unknown[] {
  const purl = str(component.purl);
  const references: unknown[] = purl?.startsWith('pkg:oci/') ? [purl] : [];
  if (component.type === 'container') {
    for (const hash of recordArray(
      component.hashes,
      'CycloneDX metadata.component.hashes',
    )) {
      if (hash.alg === 'SHA-256' && typeof hash.content === 'string') {
        references.push(`sha256:${hash.content}`);
      }
    }
  }
  for (const property of recordArray(
    component.properties,
    'CycloneDX metadata.component.properties',
  )) {
    if (property.name === 'aquasecurity:trivy:RepoDigest')
      references.push(property.value);
  }
  return references;
}

/** CycloneDX JSON BOMs (any 1.x spec version); XML BOMs are not JSON and never reach here. */
export const cyclonedxParser: EvidenceParser = {
  kind: 'cyclonedx',
  detect: isCycloneDx,
  parse(doc) {
    if (!isCycloneDx(doc)) {
      throw new InputError('Not a CycloneDX JSON BOM (bomFormat "CycloneDX")');
    }
    const specVersion = str(doc.specVersion);
    if (!specVersion) throw new InputError('CycloneDX BOM has no specVersion');
    if (doc.metadata !== undefined && !isRecord(doc.metadata)) {
      throw new InputError('CycloneDX BOM metadata is not an object');
    }
    const metadata = isRecord(doc.metadata) ? doc.metadata : {};
    // `components` is optional in the spec: a BOM may honestly describe nothing.
    const components = countComponents(doc.components, 'CycloneDX components');
    const root = isRecord(metadata.component) ? metadata.component : undefined;
    const summary: SbomSummary = {
      type: 'sbom',
      format: 'cyclonedx',
      specVersion,
      components,
      name: str(root?.name),
    };
    const image = root ? rootImage(root) : undefined;
    return {
      summary,
      ...(image ? { image } : {}),
      subject: root
        ? sbomSubject({
            version: str(root.version),
            references: rootReferences(root),
          })
        : {},
      // SBOMs list packages, hashes and licences, never secret values.
      sanitized: deepClone(doc),
    };
  },
};

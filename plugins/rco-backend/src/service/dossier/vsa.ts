/**
 * The SLSA Verification Summary Attestation (https://slsa.dev/spec/v1.0/verification_summary)
 * of a release: the portal, as verifier, says which image it judged, against which gate
 * configuration, from which evidence, and whether the release passed.
 */

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
/** What the gate configuration is named in `policy.uri` (its digest says which one). */
export const POLICY_URI = 'urn:helix-portal:rco:gate-configuration';

/** An in-toto ResourceDescriptor with the fields this attestation uses. */
export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest: Record<string, string>;
}

export interface VsaStatement {
  _type: typeof STATEMENT_TYPE;
  subject: ResourceDescriptor[];
  predicateType: typeof VSA_PREDICATE_TYPE;
  predicate: {
    verifier: { id: string };
    timeVerified: string;
    resourceUri: string;
    policy: { uri: string; digest: Record<string, string> };
    inputAttestations: ResourceDescriptor[];
    verificationResult: 'PASSED' | 'FAILED';
    verifiedLevels: string[];
    dependencyLevels: Record<string, number>;
    slsaVersion: '1.0';
  };
}

export interface VsaInput {
  /** The image: `sha256:<hex>` and the repository it is pushed to, when configured. */
  image: { digest: string; repository?: string; fallbackName: string };
  /** The portal's base URL (the verifier's identity). */
  verifierId: string;
  timeVerified: Date;
  /** Where the release can be looked up when the image repository is not known. */
  releaseUri: string;
  /** sha256 (hex) of the gate configuration the release was judged under. */
  configDigest: string;
  inputs: ResourceDescriptor[];
  ready: boolean;
  /** More subjects the attestation covers (the dossier's manifest). */
  extraSubjects?: ResourceDescriptor[];
}

/** The hex of a `sha256:<hex>` digest, or undefined when it is not one. */
export const sha256Hex = (digest: string | undefined) =>
  /^sha256:([0-9a-f]{64})$/.exec(digest ?? '')?.[1];

export function verificationSummary(input: VsaInput): VsaStatement {
  const hex = sha256Hex(input.image.digest);
  if (!hex) throw new Error(`Not an image digest: ${input.image.digest}`);
  const name = input.image.repository ?? input.image.fallbackName;
  return {
    _type: STATEMENT_TYPE,
    subject: [
      { name, digest: { sha256: hex } },
      ...(input.extraSubjects ?? []),
    ],
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: input.verifierId },
      timeVerified: input.timeVerified.toISOString(),
      resourceUri: input.image.repository
        ? `oci://${input.image.repository}@${input.image.digest}`
        : input.releaseUri,
      policy: { uri: POLICY_URI, digest: { sha256: input.configDigest } },
      inputAttestations: input.inputs,
      verificationResult: input.ready ? 'PASSED' : 'FAILED',
      // Custom values may not start with SLSA_ (the spec); FAILED is the spec's own.
      verifiedLevels: input.ready ? ['RCO_RELEASE_READY'] : ['FAILED'],
      dependencyLevels: {},
      slsaVersion: '1.0',
    },
  };
}

import { InputError } from '@backstage/errors';
import {
  AttestationSummary,
  describeZodError,
  evidenceDetectors,
  EvidenceKind,
} from '@helix-portal/plugin-rco-common';
import { z } from 'zod';
import { EvidenceParser } from './types';
import { stripNoise } from './k8s';

/**
 * Helix's own attestation documents (`apiVersion: rco.helix.dev/v1`). We define the format, so
 * it is validated strictly: an unknown or misspelt field is an error, not silently ignored.
 */
const GROUP = 'rco.helix.dev';
const API_VERSION = `${GROUP}/v1`;

const timestamp = z
  .string()
  .datetime({ offset: true, message: 'must be an RFC 3339 timestamp' });
const name = z.string().min(1, 'must not be empty');
const revision = z.number().int().positive();

/** Metadata may carry whatever Kubernetes tooling adds; only the name is checked. */
const metadata = z.object({ name: name.optional() }).passthrough().optional();

const envelope = <K extends string, S extends z.ZodTypeAny>(kind: K, spec: S) =>
  z
    .object({
      apiVersion: z.literal(API_VERSION),
      kind: z.literal(kind),
      metadata,
      spec,
    })
    .strict();

const vaultSchema = envelope(
  'VaultPolicyAttestation',
  z
    .object({
      policy: name,
      leastPrivilege: z.boolean(),
      verifiedAt: timestamp,
      paths: z.array(name),
    })
    .strict(),
);

const dryRunSchema = envelope(
  'RollbackDryRun',
  z
    .object({
      release: name,
      fromRevision: revision,
      toRevision: revision,
      succeeded: z.boolean(),
      performedAt: timestamp,
      tool: z.enum(['helm', 'argo-rollouts', 'simulated']),
    })
    .strict(),
);

const namingSchema = envelope(
  'NamingReport',
  z
    .object({
      canonicalName: name,
      scannedAt: timestamp,
      /** Objects carrying the canonical name. */
      labelled: z.array(name),
      /** Objects labelled with a name the glossary keeps distinct. */
      mislabelled: z.array(name),
    })
    .strict(),
);

type Outcome = Omit<AttestationSummary, 'type' | 'attestation'>;

function attestationParser<S extends z.ZodTypeAny>(
  kind: EvidenceKind & AttestationSummary['attestation'],
  docKind: string,
  schema: S,
  outcome: (doc: z.infer<S>) => Outcome,
): EvidenceParser {
  return {
    kind,
    detect: evidenceDetectors[kind],
    parse(doc) {
      const result = schema.safeParse(doc);
      if (!result.success) {
        // Name every field that is wrong, so the uploader can fix them all at once.
        const problems = describeZodError(result.error)
          .map(p => `${p.path}: ${p.message.replace(/,? received [^]*$/, '')}`) // not the value
          .join('; ');
        throw new InputError(`${docKind} is invalid: ${problems}`);
      }
      const summary: AttestationSummary = {
        type: 'attestation',
        attestation: kind,
        ...outcome(result.data),
      };
      return { summary, subject: {}, sanitized: stripNoise(doc) };
    },
  };
}

export const vaultAttestationParser = attestationParser(
  'vault-attestation',
  'VaultPolicyAttestation',
  vaultSchema,
  ({ spec }) => ({
    succeeded: spec.leastPrivilege,
    performedAt: spec.verifiedAt,
    details: {
      policy: spec.policy,
      leastPrivilege: spec.leastPrivilege,
      paths: spec.paths,
    },
  }),
);

export const rollbackDryRunParser = attestationParser(
  'rollback-dry-run',
  'RollbackDryRun',
  dryRunSchema,
  ({ spec }) => ({
    succeeded: spec.succeeded,
    performedAt: spec.performedAt,
    details: {
      release: spec.release,
      fromRevision: spec.fromRevision,
      toRevision: spec.toRevision,
      tool: spec.tool,
      succeeded: spec.succeeded,
    },
  }),
);

export const namingReportParser = attestationParser(
  'naming-report',
  'NamingReport',
  namingSchema,
  ({ spec }) => ({
    // One object carrying a name the glossary keeps distinct is enough to fail.
    succeeded: spec.mislabelled.length === 0,
    performedAt: spec.scannedAt,
    details: {
      canonicalName: spec.canonicalName,
      labelled: spec.labelled,
      mislabelled: spec.mislabelled,
    },
  }),
);

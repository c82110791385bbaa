import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { Duration } from 'luxon';
import { waiverRefusal } from '../service/decisions/WaiverService';
import {
  ActionDeps,
  digestField,
  entityOf,
  entityRefField,
  environmentField,
  versionField,
} from './common';
import { entityParams } from './RcoApiClient';

const ENTITY = '/entities/:kind/:namespace/:name';
const EXAMPLE_REF = 'component:default/rco';

/**
 * The three things an agent may start: a release request, a waiver proposal and a rollback
 * dry-run. Deploys, confirmations, promotions, aborts, sign-offs, waiver grants and break-glass
 * stay with people: no action names them and the client's allow-list refuses their routes.
 */
export function registerWriteActions(
  registry: ActionsRegistryService,
  { client, links }: ActionDeps,
  options: { waiverMaxDuration: Duration; waiverGroup?: string },
) {
  registry.register({
    name: 'request-release',
    title: 'Request a release',
    description:
      'Asks for a release of a service (its version and image digest), as the caller: owners of the service only. The requester is recorded in the ledger and cannot sign the release off (four eyes). Asking again for the same release changes nothing. Sign-offs and the deploy are for people on the linked page.',
    attributes: { readOnly: false, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          version: versionField(z).describe('The version label to release'),
          digest: digestField(z),
        }),
      output: z =>
        z
          .object({
            requester: z.string(),
            created: z.boolean(),
            page: z.string(),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'Ask for release 1.5.0',
        input: {
          entityRef: EXAMPLE_REF,
          version: '1.5.0',
          digest: `sha256:${'c'.repeat(64)}`,
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const entity = entityOf(input.entityRef);
      const body = await client.request(
        credentials,
        'POST',
        `${ENTITY}/releases`,
        {
          params: entityParams(entity),
          body: { version: input.version, digest: input.digest },
        },
      );
      return { output: { ...body, page: links.release(entity) } };
    },
  });

  registry.register({
    name: 'propose-waiver',
    title: 'Propose a waiver',
    description:
      'Drafts a waiver of a gate that blocks a release and checks it as the waiver route would (the gate exists, is not passing, may be waived, and the expiry is within the maximum). It grants nothing and records nothing: a person of the waiver group must grant it on the linked release page. The answer names who may grant it and the justification to give them.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          gate: z.string().min(1).max(64).describe('The gate id (vuln-scan)'),
          justification: z
            .string()
            .min(10)
            .max(2000)
            .describe('Why the release may go without this gate passing'),
          expiresAt: z
            .string()
            .datetime({ offset: true })
            .optional()
            .describe(
              'When the waiver ends (ISO 8601); default: the maximum allowed',
            ),
          environment: environmentField(z).optional(),
          version: versionField(z).optional(),
          digest: digestField(z).optional(),
        }),
      output: z =>
        z
          .object({
            recorded: z.literal(false),
            proposal: z.object({}).passthrough(),
            grantedBy: z.string(),
            page: z.string(),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'Propose waiving the DAST gate for a week',
        input: {
          entityRef: EXAMPLE_REF,
          gate: 'dast',
          justification:
            'The DAST environment is down; the change touches no endpoint',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const entity = entityOf(input.entityRef);
      // As the caller: an entity they cannot see answers 404, as the waiver route would.
      const status = await client.request<ReleaseStatusResponse>(
        credentials,
        'GET',
        `${ENTITY}/status`,
        {
          params: entityParams(entity),
          query: {
            version: input.version,
            digest: input.digest,
            environment: input.environment,
          },
        },
      );
      const gate = status.gates.find(g => g.id === input.gate);
      const now = new Date();
      const expiresAt = input.expiresAt
        ? new Date(input.expiresAt)
        : new Date(now.getTime() + options.waiverMaxDuration.toMillis());
      const refusal = waiverRefusal(
        input.gate,
        expiresAt,
        now,
        options.waiverMaxDuration.toMillis(),
        options.waiverMaxDuration.toISO()!,
      );
      if (refusal) throw new InputError(refusal);
      if (gate && (gate.status === 'pass' || gate.status === 'waived'))
        throw new InputError(
          `${input.gate} is ${gate.status} for this release: there is nothing to waive`,
        );
      const waive = gate?.next?.find(s => s.action === 'waive');
      return {
        output: {
          recorded: false as const,
          proposal: {
            entityRef: status.entityRef,
            gate: input.gate,
            gateStatus: gate?.status,
            justification: input.justification,
            expiresAt: expiresAt.toISOString(),
            environment: input.environment,
            releaseVersion: input.version ?? status.release.version,
          },
          grantedBy: `Nobody yet: a member of ${
            waive?.group ??
            options.waiverGroup ??
            'the waiver group (rco.waivers.group)'
          } must grant it on the release page`,
          whoMayGrant: waive?.people?.map(p => `${p.name} (${p.ref})`) ?? [],
          page: links.release(entity),
        },
      };
    },
  });

  registry.register({
    name: 'start-rollback-dry-run',
    title: 'Start a rollback dry-run',
    description:
      'Starts a rollback dry-run of a service in one environment, as the caller (owners only): the deploy tool rehearses returning to the previous revision (or targetRevision) and changes nothing. Its outcome is recorded as evidence for the rollback gate. It can never start a real rollback or a deploy; follow it on the linked page.',
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          environment: environmentField(z),
          targetRevision: z
            .string()
            .regex(/^[0-9]{1,9}$/)
            .optional()
            .describe(
              'The revision to rehearse returning to; default: the previous one',
            ),
        }),
      output: z =>
        z
          .object({
            id: z.string(),
            type: z.literal('rollback-dry-run'),
            state: z.string(),
            page: z.string(),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'Rehearse a rollback in staging',
        input: { entityRef: EXAMPLE_REF, environment: 'staging' },
      },
    ],
    action: async ({ input, credentials }) => {
      const entity = entityOf(input.entityRef);
      const op = await client.request(
        credentials,
        'POST',
        `${ENTITY}/operations`,
        {
          params: entityParams(entity),
          body: {
            type: 'rollback-dry-run',
            environment: input.environment,
            ...(input.targetRevision
              ? { targetRevision: input.targetRevision }
              : {}),
          },
        },
      );
      return {
        output: {
          id: op.id,
          type: op.type,
          environment: op.environment,
          state: op.state,
          steps: op.steps,
          reasons: op.reasons,
          requestedBy: op.requestedBy,
          page: links.release(entity),
        },
      };
    },
  });
}

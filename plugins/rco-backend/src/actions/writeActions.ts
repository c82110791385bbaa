import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { Duration } from 'luxon';
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
  options: { waiverMaxDuration: Duration },
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
      'Proposes a waiver of a gate that blocks a release, as the caller (those who may request a release of the service only). It is checked as a grant would be (a known gate, not a sign-off gate, an expiry within the maximum), recorded in the ledger naming the caller, audited, and sent to the waiver group. It grants nothing: the gate stays as it is until a person of the waiver group grants the waiver on the linked release page. The answer names that group.',
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          gate: z
            .string()
            .min(1)
            .max(64)
            .describe('The gate id (image-scanning)'),
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
              `When the waiver would end (ISO 8601); default: the longest allowed (${options.waiverMaxDuration.toISO()}), on the console's clock`,
            ),
          environment: environmentField(z)
            .optional()
            .describe('The environment it is for; default: every environment'),
          version: versionField(z)
            .optional()
            .describe('The release version it is for; default: every release'),
        }),
      output: z =>
        z
          .object({
            recorded: z.literal(true),
            granted: z.literal(false),
            proposal: z.object({}).passthrough(),
            grantableBy: z.string().nullable(),
            nextStep: z.string(),
            page: z.string(),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'Propose waiving the image scanning gate for a week',
        input: {
          entityRef: EXAMPLE_REF,
          gate: 'image-scanning',
          justification:
            'The scanner is down until Monday; the change touches no dependency',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const entity = entityOf(input.entityRef);
      // As the caller: the route checks who may propose (an entity they cannot see answers 404)
      // and the grant's rules, records it and tells the waiver group.
      const body = await client.request<{
        proposal: Record<string, unknown>;
        grantableBy: string | null;
      }>(credentials, 'POST', `${ENTITY}/waivers/proposals`, {
        params: entityParams(entity),
        body: {
          gate: input.gate,
          justification: input.justification,
          // Without one the route sets the longest allowed, on the console's clock.
          ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
          ...(input.environment ? { environment: input.environment } : {}),
          ...(input.version ? { releaseVersion: input.version } : {}),
        },
      });
      return {
        output: {
          recorded: true as const,
          granted: false as const,
          proposal: body.proposal,
          grantableBy: body.grantableBy,
          nextStep: body.grantableBy
            ? `A member of ${body.grantableBy} must grant it on the release page; until then the gate stays as it is`
            : 'Nobody can grant it: rco.waivers.group is not configured',
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

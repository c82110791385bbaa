import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotFoundError } from '@backstage/errors';
import { PortfolioResponse, Runbook } from '@helix-portal/plugin-rco-common';
import { ActionDeps, entityOf, entityRefField, releaseFields } from './common';
import { entityParams } from './RcoApiClient';
import { searchRunbook } from './runbookSearch';
import { fetchStatus } from './statusActions';

const RUNBOOK = '/entities/:kind/:namespace/:name/runbook';
const TIMELINE = '/entities/:kind/:namespace/:name/releases/timeline';

const EXAMPLE_REF = 'component:default/rco';

/** The runbook, portfolio and ledger reads: GETs of the plugin's API, as the caller. */
export function registerReadActions(
  registry: ActionsRegistryService,
  { client, links }: ActionDeps,
) {
  registry.register({
    name: 'search-runbook',
    title: 'Search the runbook',
    description:
      "Searches a service's current release runbook: its sections (how each gate is verified, RTO/RPO, rollback, sign-offs…) and its glossary. Every word of the query must occur; each hit has an excerpt and a link to its place on the runbook page.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          query: z
            .string()
            .min(1)
            .max(200)
            .describe('Words to find, such as "rollback dry-run" or "RPO"'),
        }),
      output: z =>
        z
          .object({
            runbook: z.object({}).passthrough(),
            sections: z.array(z.object({}).passthrough()),
            glossary: z.array(z.object({}).passthrough()),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'How is a rollback verified?',
        input: { entityRef: EXAMPLE_REF, query: 'rollback' },
      },
    ],
    action: async ({ input, credentials }) => {
      const entity = entityOf(input.entityRef);
      const { runbook } = await client.request<{ runbook: Runbook }>(
        credentials,
        'GET',
        RUNBOOK,
        { params: entityParams(entity) },
      );
      return { output: searchRunbook(runbook, input.query, entity, links) };
    },
  });

  registry.register({
    name: 'list-portfolio',
    title: 'Release readiness portfolio',
    description:
      'The governed services the caller can see with their release readiness (the Release readiness page): for each, the newest release, whether it is ready, the gates blocking it. Filters as GET /portfolio: q (text in ref or title), owner, gate with status (services whose gate has that status), expiring, sort (risk: riskiest first).',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          q: z
            .string()
            .max(200)
            .optional()
            .describe('Text in the entity ref or title'),
          owner: z.string().max(300).optional().describe('An owner group ref'),
          gate: z
            .string()
            .max(64)
            .optional()
            .describe('A gate id, with status'),
          status: z
            .enum(['pass', 'fail', 'missing', 'stale', 'waived'])
            .optional()
            .describe('Only services whose gate (or any gate) has this status'),
          expiring: z
            .boolean()
            .optional()
            .describe('Only services with passing evidence about to age out'),
          sort: z.enum(['ref', 'risk', 'title', 'expires']).optional(),
          limit: z
            .number()
            .int()
            .min(1)
            .max(200)
            .optional()
            .describe('At most this many services (default 20)'),
          offset: z.number().int().min(0).optional(),
        }),
      output: z =>
        z
          .object({
            totalItems: z.number(),
            items: z.array(z.object({}).passthrough()),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'The riskiest services first',
        input: { sort: 'risk', limit: 10 },
      },
    ],
    action: async ({ input, credentials }) => {
      const body = await client.request<PortfolioResponse>(
        credentials,
        'GET',
        '/portfolio',
        {
          query: {
            q: input.q,
            owner: input.owner,
            gate: input.gate,
            status: input.status,
            expiring: input.expiring,
            sort: input.sort,
            limit: input.limit ?? 20,
            offset: input.offset,
          },
        },
      );
      return {
        output: {
          totalItems: body.totalItems,
          pending: body.pending,
          totals: body.totals,
          items: body.items.map(item => {
            const entity = entityOf(item.entityRef);
            return {
              entityRef: item.entityRef,
              title: item.title,
              owners: item.owners,
              release: item.release,
              ready: item.summary.ready,
              summary: item.summary.text,
              blockedBy: item.summary.blockedBy,
              expiresSoon: item.expiresSoon,
              judgedAt: item.judgedAt,
              page: links.release(entity),
            };
          }),
        },
      };
    },
  });

  registry.register({
    name: 'get-release-ledger',
    title: 'Release ledger',
    description:
      "A release's story from the service's tamper-evident ledger, oldest first: evidence arriving, the release request, sign-offs, waivers, overrides, deployment windows, operations with their steps and the gates at preflight, canary promotions and the review. Without version or digest: the newest release.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object(releaseFields(z)),
      output: z =>
        z
          .object({
            entityRef: z.string(),
            release: z.object({}).passthrough(),
            events: z.array(z.object({}).passthrough()),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'Who did what for release 1.5.0',
        input: { entityRef: EXAMPLE_REF, version: '1.5.0' },
      },
    ],
    action: async ({ input, credentials }) => {
      const entity = entityOf(input.entityRef);
      // The timeline route needs the release named: without one, the newest (the status's).
      const release =
        input.version || input.digest
          ? { version: input.version, digest: input.digest }
          : (await fetchStatus(client, credentials, input)).body.release;
      if (!release.version && !release.digest)
        throw new NotFoundError(
          `${input.entityRef} has no release yet (no evidence names one)`,
        );
      const body = await client.request(credentials, 'GET', TIMELINE, {
        params: entityParams(entity),
        query: { version: release.version, digest: release.digest },
      });
      return { output: { ...body, page: links.release(entity) } };
    },
  });
}

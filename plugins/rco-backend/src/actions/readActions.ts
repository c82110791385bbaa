import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotFoundError } from '@backstage/errors';
import {
  PortfolioResponse,
  ReleaseStatusResponse,
  Runbook,
} from '@helix-portal/plugin-rco-common';
import { explainBlockers } from './blockers';
import {
  ActionDeps,
  digestField,
  entityOf,
  entityRefField,
  environmentField,
  versionField,
} from './common';
import { entityParams } from './RcoApiClient';
import { searchRunbook } from './runbookSearch';

const STATUS = '/entities/:kind/:namespace/:name/status';
const RUNBOOK = '/entities/:kind/:namespace/:name/runbook';
const TIMELINE = '/entities/:kind/:namespace/:name/releases/timeline';

const EXAMPLE_REF = 'component:default/rco';

/** The five read-only actions: each one GET of the plugin's API, as the caller. */
export function registerReadActions(
  registry: ActionsRegistryService,
  { client, links }: ActionDeps,
) {
  const status = (credentials: any, input: any) => {
    const entity = entityOf(input.entityRef);
    return client
      .request<ReleaseStatusResponse>(credentials, 'GET', STATUS, {
        params: entityParams(entity),
        query: {
          version: input.version,
          digest: input.digest,
          environment: input.environment,
        },
      })
      .then(body => ({ entity, body }));
  };

  registry.register({
    name: 'get-release-status',
    title: 'Release status',
    description:
      "The verdict on one release of a service: each of the ten gates (pass, fail, missing, stale or waived) with its reasons, the summary, the four-eyes sign-off state and the same release in every environment. Without version or digest: the service's newest release. Use explain-blockers to learn what would make a failing gate pass.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          version: versionField(z).optional(),
          digest: digestField(z).optional(),
          environment: environmentField(z)
            .optional()
            .describe('Judge the release for this environment'),
        }),
      output: z =>
        z
          .object({
            entityRef: z.string(),
            release: z.object({}).passthrough(),
            summary: z.object({}).passthrough(),
            gates: z.array(z.object({}).passthrough()),
            page: z.string(),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'Is release 1.5.0 ready for production?',
        input: {
          entityRef: EXAMPLE_REF,
          version: '1.5.0',
          environment: 'production',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const { entity, body } = await status(credentials, input);
      return {
        output: {
          entityRef: body.entityRef,
          release: body.release,
          runbookVersion: body.runbookVersion,
          summary: body.summary,
          // The steps are explain-blockers' answer; here the verdicts only.
          gates: body.gates.map(({ next: _next, ...gate }) => gate),
          fourEyes: body.fourEyes
            ? Object.fromEntries(
                Object.entries(body.fourEyes.roles).map(([role, r]) => [
                  role,
                  { status: r.status, reason: r.reason },
                ]),
              )
            : undefined,
          environments: body.environments,
          evaluatedAt: body.evaluatedAt,
          page: links.release(entity),
        },
      };
    },
  });

  registry.register({
    name: 'explain-blockers',
    title: 'Explain release blockers',
    description:
      'What keeps a release from going out: each gate that fails, is missing or is stale, why, the runbook section that describes it, what evidence or decision would fix it and the exact `rco evidence push` command a pipeline runs to send that evidence (RCO_URL and RCO_TOKEN set in its environment); then each sign-off role still open and who may sign. Sign-offs, waivers and deploys are decided by people on the page it links to.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          version: versionField(z).optional(),
          digest: digestField(z).optional(),
          environment: environmentField(z).optional(),
        }),
      output: z =>
        z
          .object({
            entityRef: z.string(),
            ready: z.boolean(),
            blockers: z.array(z.object({}).passthrough()),
            signoffs: z.array(z.object({}).passthrough()),
            page: z.string(),
          })
          .passthrough(),
    },
    examples: [
      {
        title: 'Why can release 1.5.0 not go to staging?',
        input: {
          entityRef: EXAMPLE_REF,
          version: '1.5.0',
          environment: 'staging',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const { entity, body } = await status(credentials, input);
      // The runbook names each gate's section; a service without one still gets its blockers.
      const runbook = await client
        .request<{ runbook: Runbook }>(credentials, 'GET', RUNBOOK, {
          params: entityParams(entity),
        })
        .then(r => r.runbook)
        .catch(() => undefined);
      return { output: explainBlockers(body, runbook, entity, links) };
    },
  });

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
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          version: versionField(z).optional(),
          digest: digestField(z).optional(),
        }),
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
          : (await status(credentials, input)).body.release;
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

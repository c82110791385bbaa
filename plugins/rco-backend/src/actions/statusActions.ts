import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  ReleaseStatusResponse,
  Runbook,
} from '@helix-portal/plugin-rco-common';
import { explainBlockers } from './blockers';
import {
  ActionDeps,
  entityOf,
  environmentField,
  releaseFields,
} from './common';
import { entityParams, RcoApiClient } from './RcoApiClient';

const STATUS = '/entities/:kind/:namespace/:name/status';
const RUNBOOK = '/entities/:kind/:namespace/:name/runbook';
const EXAMPLE_REF = 'component:default/rco';

/** The status route's verdict on a release, as the caller sees it. */
export async function fetchStatus(
  client: RcoApiClient,
  credentials: BackstageCredentials,
  input: {
    entityRef: string;
    version?: string;
    digest?: string;
    environment?: string;
  },
) {
  const entity = entityOf(input.entityRef);
  const body = await client.request<ReleaseStatusResponse>(
    credentials,
    'GET',
    STATUS,
    {
      params: entityParams(entity),
      query: {
        version: input.version,
        digest: input.digest,
        environment: input.environment,
      },
    },
  );
  return { entity, body };
}

/** The verdict on a release and what blocks it: the status route, read as the caller. */
export function registerStatusActions(
  registry: ActionsRegistryService,
  { client, links }: ActionDeps,
) {
  const status = (credentials: BackstageCredentials, input: any) =>
    fetchStatus(client, credentials, input);

  registry.register({
    name: 'get-release-status',
    title: 'Release status',
    description:
      "The verdict on one release of a service: each of the ten gates (pass, fail, missing, stale or waived) with its reasons, the summary, the four-eyes sign-off state and the same release in every environment. Without version or digest: the service's newest release. Use explain-blockers to learn what would make a failing gate pass.",
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          ...releaseFields(z),
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
          ...releaseFields(z),
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
}

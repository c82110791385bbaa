import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { Knex } from 'knex';
import { startOperationsBackend } from '../../__testUtils__/operationsBackend';

/** One audit event as a plugin recorded it, with the actor its request authenticated as. */
export interface AuditEvent {
  plugin: string;
  eventId: string;
  actor?: string;
  meta?: any;
  outcome?: 'success' | 'fail';
}

/** The auditor of every plugin, recording who each event's request came from. */
const auditorInto = (events: AuditEvent[]) =>
  createServiceFactory({
    service: coreServices.auditor,
    deps: {
      httpAuth: coreServices.httpAuth,
      plugin: coreServices.pluginMetadata,
    },
    factory: ({ httpAuth, plugin }) =>
      ({
        createEvent: async ({ eventId, request, meta }: any) => {
          const credentials: any = request
            ? await httpAuth.credentials(request).catch(() => undefined)
            : undefined;
          const event: AuditEvent = {
            plugin: plugin.getId(),
            eventId,
            meta,
            actor:
              credentials?.principal?.userEntityRef ??
              credentials?.principal?.subject,
          };
          events.push(event);
          return {
            success: async () => {
              event.outcome = 'success';
            },
            fail: async () => {
              event.outcome = 'fail';
            },
          };
        },
      } as any),
  });

/**
 * The rco plugin with the real actions registry and actions services and the MCP actions
 * backend, as the portal runs them (backend.actions.pluginSources: [rco]), on a real port.
 */
export async function startMcpBackend(
  knex: Knex,
  options: Parameters<typeof startOperationsBackend>[1] = {},
) {
  const audit: AuditEvent[] = [];
  const started = await startOperationsBackend(knex, {
    ...options,
    config: {
      ...options.config,
      backend: { actions: { pluginSources: ['rco'] } },
    },
    features: [
      mcpActionsPlugin,
      actionsRegistryServiceFactory,
      actionsServiceFactory,
      auditorInto(audit),
      ...(options.features ?? []),
    ],
  });
  const port = (started.app as any).port() as number;
  const clients: Client[] = [];
  /** An MCP client over Streamable HTTP, sending the given Authorization header. */
  const mcp = async (authorization: string) => {
    const client = new Client({ name: 'rco-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(`http://localhost:${port}/api/mcp-actions/v1`),
        { requestInit: { headers: { Authorization: authorization } } },
      ),
    );
    clients.push(client);
    return client;
  };
  const stop = async () => {
    await Promise.all(clients.map(c => c.close()));
    await started.backend.stop();
  };
  return { ...started, port, audit, mcp, stop };
}

/**
 * A tool's answer: its JSON output, or `{ error }` with the text the MCP backend gave. The MCP
 * backend names tools `<plugin>.<action>` (mcpActions.namespacedToolNames, on by default).
 */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<any> {
  const result: any = await client.callTool({
    name: `rco.${name}`,
    arguments: args,
  });
  const text = result.content?.[0]?.text ?? '';
  if (result.isError) return { error: text };
  return JSON.parse(text);
}

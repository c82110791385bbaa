import type { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { call } from '../lib/call';
import { entityPath, RcoClient } from '../lib/client';
import { statusTable } from '../lib/format';
import { EntityRef, formatEntityRef } from '../lib/options';

export interface ReleaseQuery {
  digest?: string;
  version?: string;
  environment?: string;
}

/** GET …/status for the release; failures become sentences (exit `code`). */
export function fetchStatus(
  client: RcoClient,
  url: string,
  entity: EntityRef,
  query: ReleaseQuery,
  code = 1,
): Promise<ReleaseStatusResponse> {
  return call(
    { url, entity: formatEntityRef(entity), action: 'read the status of' },
    () =>
      client.get<ReleaseStatusResponse>(`${entityPath(entity)}/status`, {
        digest: query.digest,
        version: query.version,
        environment: query.environment,
      }),
    code,
  );
}

/** `rco status`: the verdict as a table, or the backend's JSON with --json. */
export async function runStatus(
  client: RcoClient,
  url: string,
  entity: EntityRef,
  options: ReleaseQuery & { json?: boolean },
  out: (line: string) => void,
): Promise<number> {
  const status = await fetchStatus(client, url, entity, options);
  out(options.json ? JSON.stringify(status, null, 2) : statusTable(status));
  return 0;
}

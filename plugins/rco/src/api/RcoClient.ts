import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  RunbookDiffResponse,
  RunbookRefreshResponse,
  RunbookVersionResponse,
  RunbookVersionSummary,
} from '@internal/plugin-rco-common';
import { RcoApi } from './RcoApi';

const entityPath = ({ kind, namespace, name }: CompoundEntityRef) =>
  `/entities/${encodeURIComponent(kind)}/${encodeURIComponent(
    namespace,
  )}/${encodeURIComponent(name)}`;

/**
 * {@link RcoApi} over HTTP, through the app's discovery and fetch APIs (so the user's token is
 * attached).
 *
 * @public
 */
export class RcoClient implements RcoApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  getCurrentRunbook(entity: CompoundEntityRef) {
    return this.request<RunbookVersionResponse>(
      `${entityPath(entity)}/runbook`,
    );
  }

  async listRunbookVersions(entity: CompoundEntityRef) {
    const body = await this.request<{ items: RunbookVersionSummary[] }>(
      `${entityPath(entity)}/runbook/versions`,
    );
    return body.items;
  }

  getRunbookVersion(entity: CompoundEntityRef, version: string) {
    return this.request<RunbookVersionResponse>(
      `${entityPath(entity)}/runbook/versions/${encodeURIComponent(version)}`,
    );
  }

  diffRunbookVersions(entity: CompoundEntityRef, from: string, to: string) {
    const query = new URLSearchParams({ from, to });
    return this.request<RunbookDiffResponse>(
      `${entityPath(entity)}/runbook/diff?${query}`,
    );
  }

  refreshRunbook(entity: CompoundEntityRef) {
    return this.request<RunbookRefreshResponse>(
      `${entityPath(entity)}/runbook/refresh`,
      { method: 'POST' },
    );
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('rco');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}${path}`,
      init,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

import { createApiRef } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  RunbookDiffResponse,
  RunbookRefreshResponse,
  RunbookVersionResponse,
  RunbookVersionSummary,
} from '@internal/plugin-rco-common';

/**
 * Client of the rco backend.
 *
 * @public
 */
export interface RcoApi {
  getCurrentRunbook(entity: CompoundEntityRef): Promise<RunbookVersionResponse>;
  listRunbookVersions(
    entity: CompoundEntityRef,
  ): Promise<RunbookVersionSummary[]>;
  getRunbookVersion(
    entity: CompoundEntityRef,
    version: string,
  ): Promise<RunbookVersionResponse>;
  diffRunbookVersions(
    entity: CompoundEntityRef,
    from: string,
    to: string,
  ): Promise<RunbookDiffResponse>;
  refreshRunbook(entity: CompoundEntityRef): Promise<RunbookRefreshResponse>;
}

/** @public */
export const rcoApiRef = createApiRef<RcoApi>().with({ id: 'plugin.rco.api' });

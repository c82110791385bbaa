import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RUNBOOK_ANNOTATION } from '@helix-portal/plugin-rco-common';

/**
 * The entities the console governs: those with a runbook annotation, as the credentials may see
 * them (a user's for the portfolio, the plugin's own for scheduled work). One definition for the
 * portfolio, the runbook refresh and evidence collection.
 */
export async function governedEntities(
  catalog: Pick<CatalogService, 'getEntities'>,
  credentials: BackstageCredentials,
): Promise<Entity[]> {
  const { items } = await catalog.getEntities(
    {
      filter: {
        [`metadata.annotations.${RUNBOOK_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
      },
    },
    { credentials },
  );
  return items;
}

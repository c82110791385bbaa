import { Entity } from '@backstage/catalog-model';
import { RUNBOOK_ANNOTATION } from '@helix-portal/plugin-rco-common';

/**
 * True when the entity is governed by the RCO Release Console (it names a runbook).
 *
 * @public
 */
export const isRcoAvailable = (entity: Entity): boolean =>
  Boolean(entity.metadata.annotations?.[RUNBOOK_ANNOTATION]);

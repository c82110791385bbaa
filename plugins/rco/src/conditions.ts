import { Entity } from '@backstage/catalog-model';
import { RUNBOOK_ANNOTATION } from '@internal/plugin-rco-common';

/**
 * True when the entity is governed by the RCO Release Console (it names a runbook).
 *
 * @public
 */
export const isRcoAvailable = (entity: Entity): boolean =>
  Boolean(entity.metadata.annotations?.[RUNBOOK_ANNOTATION]);

import { AuditorService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';

/**
 * Runs a mutation inside an auditor event: success with the outcome's metadata, or failure
 * with the error, which is then rethrown for the error handler. One helper instead of the same
 * try/success/fail block in every route.
 */
export async function audited<T>(
  auditor: AuditorService,
  options: { eventId: string; request: Request<any>; meta?: JsonObject },
  fn: () => Promise<T>,
  outcomeMeta?: (result: T) => JsonObject,
): Promise<T> {
  const event = await auditor.createEvent({
    eventId: options.eventId,
    severityLevel: 'medium',
    request: options.request,
    meta: options.meta,
  });
  try {
    const result = await fn();
    await event.success({ meta: outcomeMeta?.(result) });
    return result;
  } catch (error) {
    await event.fail({ error: error as Error });
    throw error;
  }
}

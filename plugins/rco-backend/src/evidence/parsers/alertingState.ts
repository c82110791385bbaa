import { InputError } from '@backstage/errors';
import {
  AlertingStateSummary,
  describeZodError,
  evidenceDetectors,
} from '@helix-portal/plugin-rco-common';
import { z } from 'zod';
import { sloKindsOf } from '../../gates/rules/sloAlerts';
import { EvidenceParser } from './types';
import { stripNoise } from './k8s';

/**
 * The monitoring collector's `AlertingState` (rco.helix.dev/v1): what one environment's
 * Prometheus and Alertmanager run for a service. The console writes it itself (collectors/
 * prometheus); EvidenceService refuses an upload of it, so the format is validated strictly.
 */
const labels = z.record(z.string());

const schema = z
  .object({
    apiVersion: z.literal('rco.helix.dev/v1'),
    kind: z.literal('AlertingState'),
    metadata: z.object({ name: z.string().min(1) }).passthrough(),
    spec: z
      .object({
        endpoint: z.string().min(1),
        environment: z.string().min(1),
        selector: labels,
        // Absent from states collected before the console read them.
        alertmanagers: z
          .object({
            active: z.number().int().nonnegative(),
            readIsActive: z.boolean(),
          })
          .strict()
          .optional(),
        alertRelabeling: z.boolean().optional(),
        notCounted: z.array(z.string()).optional(),
        alerts: z.array(
          z
            .object({
              alert: z.string().min(1),
              group: z.string(),
              expr: z.string(),
              labels,
              runbookUrl: z.string().optional(),
              health: z.string(),
              lastError: z.string().optional(),
              firing: z.boolean(),
              receivers: z.array(
                z
                  .object({
                    name: z.string(),
                    integrations: z.array(z.string()),
                    needsAck: z.boolean(),
                  })
                  .strict(),
              ),
              silencedBy: z.array(z.string()).optional(),
              inhibitedBy: z.array(z.string()).optional(),
              timeIntervals: z.array(z.string()).optional(),
            })
            .strict(),
        ),
      })
      .strict(),
  })
  .strict();

const HEALTH = ['ok', 'err', 'unknown'] as const;

export const alertingStateParser: EvidenceParser = {
  kind: 'alerting-state',
  detect: evidenceDetectors['alerting-state'],
  parse(doc) {
    const result = schema.safeParse(doc);
    if (!result.success) {
      const problems = describeZodError(result.error)
        .map(p => `${p.path}: ${p.message.replace(/,? received [^]*$/, '')}`)
        .join('; ');
      throw new InputError(`AlertingState is invalid: ${problems}`);
    }
    const { spec } = result.data;
    const summary: AlertingStateSummary = {
      type: 'alerting-state',
      endpoint: spec.endpoint,
      selector: spec.selector,
      ...(spec.alertmanagers ? { alertmanagers: spec.alertmanagers } : {}),
      ...(spec.alertRelabeling ? { alertRelabeling: true } : {}),
      ...(spec.notCounted?.length ? { notCounted: spec.notCounted } : {}),
      alerts: spec.alerts.map(a => ({
        alert: a.alert,
        group: a.group,
        slos: sloKindsOf({ alert: a.alert, expr: a.expr }),
        ...(a.labels.severity ? { severity: a.labels.severity } : {}),
        ...(a.runbookUrl ? { runbookUrl: a.runbookUrl } : {}),
        // A health this console does not know is not "ok".
        health: (HEALTH as readonly string[]).includes(a.health)
          ? (a.health as AlertingStateSummary['alerts'][number]['health'])
          : 'unknown',
        ...(a.lastError ? { lastError: a.lastError } : {}),
        firing: a.firing,
        receivers: a.receivers,
        ...(a.silencedBy?.length ? { silencedBy: a.silencedBy } : {}),
        ...(a.inhibitedBy?.length ? { inhibitedBy: a.inhibitedBy } : {}),
        ...(a.timeIntervals?.length ? { timeIntervals: a.timeIntervals } : {}),
      })),
    };
    return {
      summary,
      subject: { environment: spec.environment },
      sanitized: stripNoise(doc),
    };
  },
};

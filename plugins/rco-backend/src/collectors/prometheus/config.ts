/**
 * `rco.collectors.prometheus`: which Prometheus and Alertmanager the monitoring collector reads
 * for each environment, how it selects a service's alerts and which receivers count as needing a
 * human's acknowledgement. Read once at start-up (src/config.ts calls this): a bad value stops
 * the start with the key named. Tokens and headers are secrets: never logged, never echoed.
 */
import { Config } from '@backstage/config';
import { readDuration } from '../../config';

export interface HttpEndpoint {
  /** Base URL (the API paths are appended). */
  url: string;
  /** Sent as `Authorization: Bearer …`. Secret. */
  bearerToken?: string;
  /** Extra request headers (a tenant id, a proxy's key). Secret. */
  headers: Record<string, string>;
}

/** Which receivers need a human to acknowledge what they are sent. */
export interface AckPolicy {
  /** Integrations (`pagerduty`, `opsgenie`, …) whose receivers page a human who acknowledges. */
  integrations: string[];
  /** Receivers that count whatever their integrations (a phone bridge behind a webhook). */
  add: string[];
  /** Receivers that never count (a PagerDuty service nobody is on call for). */
  exclude: string[];
}

export interface PrometheusEnvironment {
  environment: string;
  /** The endpoint's name in provenance and collection health (never its URL). */
  name: string;
  prometheus: HttpEndpoint;
  alertmanager: HttpEndpoint;
  timeoutMs: number;
  /** Rule labels that select a service's alerts; values templated with {name}, {namespace}, {entityNamespace}, {environment}. */
  alertLabels: Record<string, string>;
  /**
   * Globs of the rule files that may hold a place's rules, templated like alertLabels
   * (ruleFiles.ts). Unset: the operator's files named after the place's namespace, and the
   * platform's own files.
   */
  ruleFiles?: string[];
  ack: AckPolicy;
}

export interface PrometheusCollectorConfig {
  environments: PrometheusEnvironment[];
}

export const DEFAULT_ALERT_LABELS = { service: '{name}' };
export const DEFAULT_ACK_INTEGRATIONS = ['pagerduty', 'opsgenie'];

function readUrl(config: Config, key: string, at: string): string {
  const url = config.getString(key);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${at}.${key} is not a URL`);
  }
  if (!['http:', 'https:'].includes(parsed.protocol))
    throw new Error(`${at}.${key} must be an http or https URL`);
  if (parsed.username || parsed.password)
    throw new Error(
      `${at}.${key} must not hold credentials: use bearerToken or headers`,
    );
  return url;
}

function readEndpoint(config: Config, key: string, at: string): HttpEndpoint {
  const c = config.getConfig(key);
  const headers = c.getOptionalConfig('headers');
  return {
    url: readUrl(c, 'url', `${at}.${key}`),
    bearerToken: c.getOptionalString('bearerToken'),
    headers: Object.fromEntries(
      (headers?.keys() ?? []).map(h => [h, headers!.getString(h)]),
    ),
  };
}

/** A timeout of `config`, else `fallback` (the default, or the section above's). */
function readTimeout(config: Config | undefined, at: string, fallback: string) {
  return readDuration(config, 'timeout', fallback, { at, positive: true });
}

function readLabels(config: Config | undefined) {
  const labels = config?.getOptionalConfig('alertLabels');
  if (!labels) return undefined;
  const out = Object.fromEntries(
    labels.keys().map(k => [k, labels.getString(k)]),
  );
  return Object.keys(out).length ? out : undefined;
}

function readRuleFiles(config: Config | undefined, at: string) {
  const globs = config?.getOptionalStringArray('ruleFiles');
  if (globs && (!globs.length || globs.some(g => !g.trim())))
    throw new Error(`${at}.ruleFiles must list non-empty globs`);
  return globs;
}

function readAck(config: Config | undefined, fallback: AckPolicy): AckPolicy {
  const c = config?.getOptionalConfig('ackReceivers');
  return {
    integrations:
      c?.getOptionalStringArray('integrations') ?? fallback.integrations,
    add: c?.getOptionalStringArray('add') ?? fallback.add,
    exclude: c?.getOptionalStringArray('exclude') ?? fallback.exclude,
  };
}

export function readPrometheusCollectorConfig(
  rco: Config | undefined,
): PrometheusCollectorConfig {
  const at = 'rco.collectors.prometheus';
  const config = rco?.getOptionalConfig('collectors.prometheus');
  const timeout = readTimeout(config, at, 'PT10S');
  const alertLabels = readLabels(config) ?? DEFAULT_ALERT_LABELS;
  const ruleFiles = readRuleFiles(config, at);
  const ack = readAck(config, {
    integrations: DEFAULT_ACK_INTEGRATIONS,
    add: [],
    exclude: [],
  });
  const envs = config?.getOptionalConfig('environments');
  const environments = (envs?.keys() ?? []).map(environment => {
    const e = envs!.getConfig(environment);
    const where = `${at}.environments.${environment}`;
    return {
      environment,
      name: e.getOptionalString('name') ?? `prometheus-${environment}`,
      prometheus: readEndpoint(e, 'prometheus', where),
      alertmanager: readEndpoint(e, 'alertmanager', where),
      timeoutMs: readTimeout(e, where, timeout.toISO()!).toMillis(),
      alertLabels: readLabels(e) ?? alertLabels,
      ruleFiles: readRuleFiles(e, where) ?? ruleFiles,
      ack: readAck(e, ack),
    };
  });
  return { environments };
}

/** A receiver needs acknowledgement: named in `add`, or paging through an ack integration, and not excluded. */
export function needsAck(
  policy: AckPolicy,
  receiver: string,
  integrations: string[],
): boolean {
  if (policy.exclude.includes(receiver)) return false;
  return (
    policy.add.includes(receiver) ||
    integrations.some(i => policy.integrations.includes(i))
  );
}

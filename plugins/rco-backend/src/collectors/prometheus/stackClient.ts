import { parse } from 'yaml';
import { HttpEndpoint, PrometheusEnvironment } from './config';
import { MatchType, Matcher, RoutingConfigError, newMatcher } from './matchers';
import { AlertmanagerRouting, readAlertmanagerRouting } from './routing';

/**
 * Reads one monitoring stack over HTTP (native fetch): Prometheus's loaded rules, its active
 * alerts and external labels, and Alertmanager's running configuration. Every failure becomes a
 * StackError whose message says, in words, which server failed and how; never a token, a header
 * or a credential (URLs are shown without query or user info).
 */

export class StackError extends Error {}

/** A loaded alerting rule as `/api/v1/rules` reports it. */
export interface LoadedRule {
  group: string;
  /** The rule file the group was loaded from ('' when Prometheus names none). */
  file: string;
  name: string;
  query: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  health: string;
  lastError?: string;
}

export interface StackState {
  rules: LoadedRule[];
  /** `/api/v1/alerts`: labels of every firing alert. */
  firing: Array<Record<string, string>>;
  /** Prometheus's `global.external_labels`: added to every alert it sends. */
  externalLabels: Record<string, string>;
  routing: AlertmanagerRouting;
  /**
   * `/api/v1/alertmanagers`: how many Alertmanagers Prometheus sends its alerts to, and whether
   * the one the console reads is among them (same host and port, path under its URL).
   */
  alertmanagers: { active: number; readIsActive: boolean };
  /** Prometheus relabels alerts before sending them (`alerting.alert_relabel_configs`). */
  alertRelabeling: boolean;
  /** Alertmanager's active silences (`/api/v2/silences`, state active). */
  silences: Silence[];
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  endsAt: string;
}

type Fetch = typeof fetch;

const shown = (base: string, path: string) => {
  const u = new URL(path, base.endsWith('/') ? base : `${base}/`);
  return `${u.origin}${u.pathname}`;
};

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: any };
  if (e?.name === 'TimeoutError')
    return `did not answer within ${Math.round(timeoutMs / 100) / 10} s`;
  if (e?.name === 'AbortError') return 'was not asked: the run was stopped';
  const cause = e?.cause;
  const detail = cause?.code
    ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}`
    : cause?.message ?? e?.message ?? String(error);
  return `could not be reached: ${detail}`;
}

/**
 * A server's error text with the token and header values it was sent cut out: a proxy that
 * echoes the request must not put them into health or logs (the collection health redacts too).
 */
function withoutSecrets(text: string, endpoint: HttpEndpoint): string {
  const secrets = [endpoint.bearerToken, ...Object.values(endpoint.headers)]
    .filter((v): v is string => !!v && v.length >= 4)
    .sort((a, b) => b.length - a.length);
  return secrets.reduce(
    (t, secret) => t.split(secret).join('[redacted]'),
    text,
  );
}

async function getJson(
  fetchImpl: Fetch,
  what: string,
  endpoint: HttpEndpoint,
  path: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<unknown> {
  const url = new URL(
    path,
    endpoint.url.endsWith('/') ? endpoint.url : `${endpoint.url}/`,
  );
  const where = `${what} at ${shown(endpoint.url, path)}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: {
        accept: 'application/json',
        ...endpoint.headers,
        ...(endpoint.bearerToken
          ? { authorization: `Bearer ${endpoint.bearerToken}` }
          : {}),
      },
      // A redirect could carry the token elsewhere: it is reported, not followed.
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    throw new StackError(`${where} ${describeFailure(error, timeoutMs)}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    // Prometheus's own error text (`error`) says why; the body is not echoed otherwise.
    const reason =
      typeof (body as any)?.error === 'string'
        ? `: ${withoutSecrets(String((body as any).error), endpoint).slice(
            0,
            200,
          )}`
        : '';
    throw new StackError(
      `${where} answered ${response.status} ${response.statusText}${reason}`,
    );
  }
  if (body === undefined)
    throw new StackError(`${where} did not answer with JSON`);
  return body;
}

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const strings = (v: unknown): Record<string, string> =>
  isObject(v)
    ? Object.fromEntries(Object.entries(v).map(([k, s]) => [k, String(s)]))
    : {};

function data(body: unknown, where: string): Record<string, any> {
  if (!isObject(body) || body.status !== 'success' || !isObject(body.data))
    throw new StackError(`${where} did not answer like the Prometheus API`);
  return body.data;
}

const noneActive = (body: unknown) => {
  const active = (body as any)?.data?.activeAlertmanagers;
  return Array.isArray(active) && active.length === 0;
};

export async function readStack(
  env: PrometheusEnvironment,
  signal: AbortSignal,
  fetchImpl: Fetch = fetch,
): Promise<StackState> {
  const get = (what: string, endpoint: HttpEndpoint, path: string) =>
    getJson(fetchImpl, what, endpoint, path, signal, env.timeoutMs);
  // Every request settles before the run goes on: none is left in flight behind a failure.
  const settled = await Promise.allSettled([
    get('Prometheus', env.prometheus, 'api/v1/rules?type=alert'),
    get('Prometheus', env.prometheus, 'api/v1/alerts'),
    get('Prometheus', env.prometheus, 'api/v1/status/config'),
    get('Alertmanager', env.alertmanager, 'api/v2/status'),
    get('Prometheus', env.prometheus, 'api/v1/alertmanagers'),
    get('Alertmanager', env.alertmanager, 'api/v2/silences'),
  ]);
  const failed = settled.find(
    (s): s is PromiseRejectedResult => s.status === 'rejected',
  );
  if (failed) throw failed.reason;
  // Right after a reload Prometheus lists no Alertmanager until its discovery has run again:
  // asked once more a moment later before "sends to no Alertmanager" is concluded.
  if (noneActive((settled[4] as PromiseFulfilledResult<unknown>).value)) {
    await new Promise(r => setTimeout(r, Math.min(2000, env.timeoutMs)));
    if (signal.aborted)
      throw new StackError('Prometheus was not asked: the run was stopped');
    settled[4] = {
      status: 'fulfilled',
      value: await get('Prometheus', env.prometheus, 'api/v1/alertmanagers'),
    };
  }
  const [
    rulesBody,
    alertsBody,
    configBody,
    statusBody,
    alertmanagersBody,
    silencesBody,
  ] = settled.map(s => (s as PromiseFulfilledResult<unknown>).value);
  const rulesAt = `Prometheus at ${shown(env.prometheus.url, 'api/v1/rules')}`;
  const groups = data(rulesBody, rulesAt).groups;
  if (!Array.isArray(groups))
    throw new StackError(`${rulesAt} did not list rule groups`);
  const rules: LoadedRule[] = groups.flatMap((g: any) =>
    (Array.isArray(g?.rules) ? g.rules : [])
      .filter((r: any) => r?.type === 'alerting' && typeof r.name === 'string')
      .map((r: any) => ({
        group: String(g.name ?? ''),
        file: typeof g.file === 'string' ? g.file : '',
        name: r.name,
        query: String(r.query ?? ''),
        labels: strings(r.labels),
        annotations: strings(r.annotations),
        health: String(r.health ?? 'unknown'),
        ...(r.lastError ? { lastError: String(r.lastError) } : {}),
      })),
  );
  const alertsAt = `Prometheus at ${shown(
    env.prometheus.url,
    'api/v1/alerts',
  )}`;
  const alerts = data(alertsBody, alertsAt).alerts;
  const firing = (Array.isArray(alerts) ? alerts : [])
    .filter((a: any) => a?.state === 'firing')
    .map((a: any) => strings(a.labels));
  const configAt = `Prometheus at ${shown(
    env.prometheus.url,
    'api/v1/status/config',
  )}`;
  let externalLabels: Record<string, string> = {};
  let alertRelabeling = false;
  try {
    const yaml = parse(String(data(configBody, configAt).yaml ?? ''));
    externalLabels = strings(yaml?.global?.external_labels);
    const relabel = yaml?.alerting?.alert_relabel_configs;
    alertRelabeling = Array.isArray(relabel) && relabel.length > 0;
  } catch (e) {
    if (e instanceof StackError) throw e;
    throw new StackError(`${configAt} served a configuration that is not YAML`);
  }
  const amAt = `Alertmanager at ${shown(
    env.alertmanager.url,
    'api/v2/status',
  )}`;
  const original = isObject(statusBody)
    ? (statusBody as any).config?.original
    : undefined;
  if (typeof original !== 'string')
    throw new StackError(`${amAt} did not include its configuration`);
  const alertmanagers = readAlertmanagers(env, alertmanagersBody);
  try {
    return {
      rules,
      firing,
      externalLabels,
      routing: readAlertmanagerRouting(original),
      alertmanagers,
      alertRelabeling,
      silences: readSilences(env, silencesBody),
    };
  } catch (e) {
    if (e instanceof RoutingConfigError)
      throw new StackError(`${amAt}: ${e.message}`);
    throw e;
  }
}

const hostOf = (u: URL) =>
  `${u.protocol}//${u.hostname}:${
    u.port || (u.protocol === 'https:' ? 443 : 80)
  }`;

function readAlertmanagers(
  env: PrometheusEnvironment,
  body: unknown,
): StackState['alertmanagers'] {
  const at = `Prometheus at ${shown(
    env.prometheus.url,
    'api/v1/alertmanagers',
  )}`;
  const active = data(body, at).activeAlertmanagers;
  if (!Array.isArray(active))
    throw new StackError(`${at} did not list its Alertmanagers`);
  const read = new URL(env.alertmanager.url);
  const prefix = read.pathname.replace(/\/+$/, '');
  const readIsActive = active.some((a: any) => {
    try {
      const u = new URL(String(a?.url));
      return hostOf(u) === hostOf(read) && u.pathname.startsWith(`${prefix}/`);
    } catch {
      return false;
    }
  });
  return { active: active.length, readIsActive };
}

function readSilences(env: PrometheusEnvironment, body: unknown): Silence[] {
  const at = `Alertmanager at ${shown(
    env.alertmanager.url,
    'api/v2/silences',
  )}`;
  if (!Array.isArray(body)) throw new StackError(`${at} did not list silences`);
  return body
    .filter((s: any) => s?.status?.state === 'active')
    .map((s: any) => ({
      id: String(s.id ?? ''),
      endsAt: String(s.endsAt ?? ''),
      matchers: (Array.isArray(s.matchers) ? s.matchers : []).map((m: any) => {
        const equal = m?.isEqual !== false;
        let type: MatchType = equal ? '=' : '!=';
        if (m?.isRegex) type = equal ? '=~' : '!~';
        return newMatcher(String(m?.name ?? ''), type, String(m?.value ?? ''));
      }),
    }));
}

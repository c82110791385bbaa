import { parse } from 'yaml';
import {
  Matcher,
  RoutingConfigError,
  matches,
  newMatcher,
  parseMatchers,
} from './matchers';

/**
 * Alertmanager's routing tree, as its configuration (`/api/v2/status` → `config.original`)
 * states it, and where it sends an alert: dispatch/route.go's Route.Match, faithfully (the
 * amtool test proves it on real label sets). Pure: no I/O.
 */

export interface RouteNode {
  /** Inherited from the parent route when the route names none. */
  receiver: string;
  matchers: Matcher[];
  continue: boolean;
  routes: RouteNode[];
  /** `mute_time_intervals` and `active_time_intervals` named on this route (not evaluated). */
  timeIntervals: string[];
}

/** One of `inhibit_rules`: a firing source alert mutes target alerts that share `equal` labels. */
export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export interface AlertmanagerRouting {
  route: RouteNode;
  /** Each receiver's integrations (`pagerduty`, `webhook`, …: its non-empty `*_configs`). */
  receivers: Map<string, string[]>;
  inhibitRules: InhibitRule[];
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(value: unknown, at: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new RoutingConfigError(`${at} is not a map`);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, String(v)]),
  );
}

/**
 * YAML 1.1 merge keys (`<<: *anchor`, `<<: [*a, *b]`) as Go's yaml.v2 decodes them into
 * Alertmanager's structs: keys are applied in document order, a merge at its place (of a list,
 * the first map wins), a later key replaces an earlier one, except a route's `match`, `match_re`
 * (maps decoded into the same map) and `matchers` (appended), which accumulate.
 */
const MERGE_KEY = '<<';
const ROUTE_ACCUMULATES = new Set(['match', 'match_re', 'matchers']);

function resolveMerges(
  map: Record<string, unknown>,
  at: string,
  accumulates: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    const before = out[key];
    if (accumulates.has(key) && Array.isArray(before) && Array.isArray(value))
      out[key] = [...before, ...value];
    else if (accumulates.has(key) && isObject(before) && isObject(value))
      out[key] = { ...before, ...value };
    else out[key] = value;
  };
  for (const [key, value] of Object.entries(map)) {
    if (key !== MERGE_KEY) {
      set(key, value);
      continue;
    }
    const sources = Array.isArray(value) ? [...value].reverse() : [value];
    for (const source of sources) {
      if (!isObject(source))
        throw new RoutingConfigError(`${at}: a merge key (<<) names no map`);
      for (const [k, v] of Object.entries(
        resolveMerges(source, at, accumulates),
      ))
        set(k, v);
    }
  }
  return out;
}

/** A map with its merge keys resolved (replacing), and every nested map likewise. */
function resolveAll(value: unknown, at: string): unknown {
  if (Array.isArray(value)) return value.map(v => resolveAll(v, at));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(resolveMerges(value, at)).map(([k, v]) => [
      k,
      resolveAll(v, at),
    ]),
  );
}

/** `<prefix>match`, `<prefix>match_re` and `<prefix>matchers` of a route or an inhibit rule. */
function readMatchers(
  value: Record<string, unknown>,
  prefix: string,
  at: string,
): Matcher[] {
  const matchers: Matcher[] = [
    ...Object.entries(
      stringMap(value[`${prefix}match`], `${at}.${prefix}match`),
    ).map(([k, v]) => newMatcher(k, '=', v)),
    ...Object.entries(
      stringMap(value[`${prefix}match_re`], `${at}.${prefix}match_re`),
    ).map(([k, v]) => newMatcher(k, '=~', v)),
  ];
  const list = value[`${prefix}matchers`] ?? [];
  if (!Array.isArray(list))
    throw new RoutingConfigError(`${at}.${prefix}matchers is not a list`);
  for (const entry of list) matchers.push(...parseMatchers(String(entry)));
  return matchers;
}

const names = (value: unknown) =>
  Array.isArray(value) ? value.map(v => String(v)) : [];

function readInhibitRules(value: unknown): InhibitRule[] {
  const rules = resolveAll(value ?? [], 'inhibit_rules');
  if (!Array.isArray(rules))
    throw new RoutingConfigError('inhibit_rules is not a list');
  return rules.map((rule, i) => {
    const at = `inhibit_rules[${i}]`;
    if (!isObject(rule)) throw new RoutingConfigError(`${at} is not a map`);
    return {
      source: readMatchers(rule, 'source_', at),
      target: readMatchers(rule, 'target_', at),
      equal: names(rule.equal),
    };
  });
}

function readRoute(raw: unknown, parent: string | undefined, at: string) {
  if (!isObject(raw)) throw new RoutingConfigError(`${at} is not a map`);
  const value = resolveMerges(raw, at, ROUTE_ACCUMULATES);
  const receiver =
    typeof value.receiver === 'string' && value.receiver !== ''
      ? value.receiver
      : parent;
  if (!receiver) throw new RoutingConfigError(`${at} names no receiver`);
  const matchers = readMatchers(value, '', at);
  const children = value.routes ?? [];
  if (!Array.isArray(children))
    throw new RoutingConfigError(`${at}.routes is not a list`);
  const node: RouteNode = {
    receiver,
    matchers,
    continue: value.continue === true,
    routes: children.map((c, i) =>
      readRoute(c, receiver, `${at}.routes[${i}]`),
    ),
    timeIntervals: [
      ...names(value.mute_time_intervals),
      ...names(value.active_time_intervals),
    ],
  };
  return node;
}

/** Reads Alertmanager's configuration text; a RoutingConfigError says what is wrong. */
export function readAlertmanagerRouting(original: string): AlertmanagerRouting {
  let doc: unknown;
  try {
    // YAML 1.1 scalars (`continue: yes`) as Go's yaml.v2 reads them; merge keys are resolved
    // here (resolveMerges), not by the parser, because Alertmanager accumulates some of them.
    doc = parse(original, {
      version: '1.1',
      merge: false,
      customTags: tags =>
        tags.filter(t => (t as { tag?: string }).tag !== MERGE_TAG),
    });
  } catch {
    throw new RoutingConfigError('its configuration is not YAML');
  }
  if (!isObject(doc) || !isObject(doc.route))
    throw new RoutingConfigError('its configuration has no route');
  const receivers = new Map<string, string[]>();
  const listed = resolveAll(doc.receivers, 'receivers');
  for (const r of Array.isArray(listed) ? listed : []) {
    if (!isObject(r) || typeof r.name !== 'string') continue;
    receivers.set(
      r.name,
      Object.entries(r)
        .filter(
          ([k, v]) => k.endsWith('_configs') && Array.isArray(v) && v.length,
        )
        .map(([k]) => k.replace(/_configs$/, '')),
    );
  }
  return {
    route: readRoute(doc.route, undefined, 'route'),
    receivers,
    inhibitRules: readInhibitRules(doc.inhibit_rules),
  };
}

/** The routes an alert with these labels ends at (Route.Match: depth first, `continue`). */
export function matchRoutes(
  route: RouteNode,
  labels: Record<string, string>,
): RouteNode[] {
  if (!route.matchers.every(m => matches(m, labels))) return [];
  const all: RouteNode[] = [];
  for (const child of route.routes) {
    const found = matchRoutes(child, labels);
    all.push(...found);
    if (found.length && !child.continue) break;
  }
  // No child matched: the route itself is where the alert goes.
  return all.length ? all : [route];
}

/** The receivers an alert with these labels is sent to, in order (as amtool prints them). */
export function routeReceivers(
  route: RouteNode,
  labels: Record<string, string>,
): string[] {
  return matchRoutes(route, labels).map(r => r.receiver);
}

/**
 * The firing alerts that inhibit an alert with these labels now (inhibit/inhibit.go): a rule
 * whose target matches it and whose source matches a firing alert with the same `equal` labels
 * (a missing label counts as empty). An alert does not inhibit itself.
 */
export function inhibitedBy(
  rules: InhibitRule[],
  labels: Record<string, string>,
  firing: Array<Record<string, string>>,
): string[] {
  const by = new Set<string>();
  for (const rule of rules) {
    if (!rule.target.every(m => matches(m, labels))) continue;
    for (const source of firing) {
      if (!rule.source.every(m => matches(m, source))) continue;
      if (rule.equal.some(l => (source[l] ?? '') !== (labels[l] ?? '')))
        continue;
      const same = Object.keys({ ...source, ...labels }).every(
        k => source[k] === labels[k],
      );
      if (!same) by.add(source.alertname ?? '(unnamed)');
    }
  }
  return [...by].sort();
}

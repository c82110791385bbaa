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
}

export interface AlertmanagerRouting {
  route: RouteNode;
  /** Each receiver's integrations (`pagerduty`, `webhook`, …: its non-empty `*_configs`). */
  receivers: Map<string, string[]>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(value: unknown, at: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new RoutingConfigError(`${at} is not a map`);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, String(v)]),
  );
}

function readRoute(value: unknown, parent: string | undefined, at: string) {
  if (!isObject(value)) throw new RoutingConfigError(`${at} is not a map`);
  const receiver =
    typeof value.receiver === 'string' && value.receiver !== ''
      ? value.receiver
      : parent;
  if (!receiver) throw new RoutingConfigError(`${at} names no receiver`);
  const matchers: Matcher[] = [
    ...Object.entries(stringMap(value.match, `${at}.match`)).map(([k, v]) =>
      newMatcher(k, '=', v),
    ),
    ...Object.entries(stringMap(value.match_re, `${at}.match_re`)).map(
      ([k, v]) => newMatcher(k, '=~', v),
    ),
  ];
  const list = value.matchers ?? [];
  if (!Array.isArray(list))
    throw new RoutingConfigError(`${at}.matchers is not a list`);
  for (const entry of list) matchers.push(...parseMatchers(String(entry)));
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
  };
  return node;
}

/** Reads Alertmanager's configuration text; a RoutingConfigError says what is wrong. */
export function readAlertmanagerRouting(original: string): AlertmanagerRouting {
  let doc: unknown;
  try {
    doc = parse(original);
  } catch {
    throw new RoutingConfigError('its configuration is not YAML');
  }
  if (!isObject(doc) || !isObject(doc.route))
    throw new RoutingConfigError('its configuration has no route');
  const receivers = new Map<string, string[]>();
  for (const r of Array.isArray(doc.receivers) ? doc.receivers : []) {
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
  return { route: readRoute(doc.route, undefined, 'route'), receivers };
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

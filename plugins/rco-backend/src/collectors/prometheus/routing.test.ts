import { parseMatchers, RoutingConfigError } from './matchers';
import {
  inhibitedBy,
  matchRoutes,
  readAlertmanagerRouting,
  routeReceivers,
} from './routing';

const routing = (yaml: string) => readAlertmanagerRouting(yaml);

describe('parseMatchers', () => {
  it.each([
    ['severity="critical"', [['severity', '=', 'critical']]],
    ['severity=critical', [['severity', '=', 'critical']]],
    [
      '{a="1", b!~"x|y"}',
      [
        ['a', '=', '1'],
        ['b', '!~', 'x|y'],
      ],
    ],
    [
      'a="x,y",b!=""',
      [
        ['a', '=', 'x,y'],
        ['b', '!=', ''],
      ],
    ],
    ['msg="say \\"hi\\""', [['msg', '=', 'say "hi"']]],
    ['path="C:\\\\tmp"', [['path', '=', 'C:\\tmp']]],
  ])('reads %s', (text, expected) => {
    expect(parseMatchers(text).map(m => [m.name, m.type, m.value])).toEqual(
      expected,
    );
  });

  it.each(['severity', '1abc="x"', 'a="x', 'a="x"y"'])('refuses %s', text => {
    expect(() => parseMatchers(text)).toThrow(RoutingConfigError);
  });
});

describe('routeReceivers', () => {
  const tree = routing(`
route:
  receiver: root
  routes:
    - match: { team: a }
      receiver: team-a
      continue: true
    - match_re: { severity: 'crit.*' }
      routes:
        - matchers: ['env="prod"']
          receiver: prod-pager
    - matchers: ['team=~"a|b"']
      receiver: team-ab
receivers:
  - name: root
  - name: team-a
    pagerduty_configs: [{ routing_key: x }]
  - name: prod-pager
    opsgenie_configs: [{ api_key: x }]
  - name: team-ab
    webhook_configs: [{ url: 'http://x' }, { url: 'http://y' }]
    email_configs: []
`);

  it.each([
    [{}, ['root']],
    [{ team: 'a' }, ['team-a', 'team-ab']],
    [{ team: 'b' }, ['team-ab']],
    // The severity route matches, no child does: the route itself, with its parent's receiver.
    [{ severity: 'critical' }, ['root']],
    [{ severity: 'critical', env: 'prod' }, ['prod-pager']],
    // A first match without continue stops the walk.
    [{ severity: 'critical', team: 'b' }, ['root']],
    [
      { team: 'a', severity: 'critical', env: 'prod' },
      ['team-a', 'prod-pager'],
    ],
    // Regular expressions are anchored.
    [{ severity: 'xcritical' }, ['root']],
  ])('%j → %j', (labels, receivers) => {
    expect(routeReceivers(tree.route, labels)).toEqual(receivers);
  });

  it('lists each receiver with its non-empty integrations', () => {
    expect(Object.fromEntries(tree.receivers)).toEqual({
      root: [],
      'team-a': ['pagerduty'],
      'prod-pager': ['opsgenie'],
      'team-ab': ['webhook'],
    });
  });

  it('matches an absent label as the empty string', () => {
    const t = routing(`
route:
  receiver: root
  routes:
    - matchers: ['owner=""']
      receiver: unowned
receivers: [{ name: root }, { name: unowned }]
`);
    expect(routeReceivers(t.route, {})).toEqual(['unowned']);
    expect(routeReceivers(t.route, { owner: 'x' })).toEqual(['root']);
    expect(matchRoutes(t.route, { owner: 'x' })[0].receiver).toBe('root');
  });

  it('reads a leading (?i) as a case-insensitive expression', () => {
    const t = routing(`
route:
  receiver: root
  routes: [{ match_re: { service: '(?i)rco' }, receiver: rco }]
receivers: [{ name: root }, { name: rco }]
`);
    expect(routeReceivers(t.route, { service: 'RCO' })).toEqual(['rco']);
  });

  it.each([
    ['not yaml: [', 'its configuration is not YAML'],
    ['receivers: []', 'its configuration has no route'],
    ['route: { routes: [] }', 'route names no receiver'],
    [
      "route: { receiver: r, routes: [{ matchers: ['bad'] }] }",
      'bad matcher format: bad',
    ],
    [
      "route: { receiver: r, routes: [{ match_re: { a: '(' } }] }",
      'a regular expression the console cannot read: "("',
    ],
  ])('says what is wrong with %j', (yaml, message) => {
    expect(() => routing(yaml)).toThrow(message);
  });
});

describe('inhibitedBy (inhibit_rules)', () => {
  const { inhibitRules } = routing(`
route: { receiver: r }
receivers: [{ name: r }]
inhibit_rules:
  - source_matchers: ['alertname="RCOWatchdog"']
    target_matchers: ['service="rco"']
    equal: [cluster]
  - source_match: { severity: critical }
    target_match_re: { severity: 'warning|info' }
    equal: [service]
`);
  const slo = {
    alertname: 'RCOLatencyP95High',
    service: 'rco',
    severity: 'critical',
    cluster: 'helix-prod',
  };
  const watchdog = {
    alertname: 'RCOWatchdog',
    service: 'rco',
    severity: 'none',
    cluster: 'helix-prod',
  };

  it('refuses: an always-firing alert inhibits the SLO alerts, which still look routed to PagerDuty', () => {
    expect(inhibitedBy(inhibitRules, slo, [watchdog])).toEqual(['RCOWatchdog']);
  });

  it('needs the equal labels to be equal, and the source to fire', () => {
    expect(
      inhibitedBy(inhibitRules, slo, [{ ...watchdog, cluster: 'other' }]),
    ).toEqual([]);
    expect(inhibitedBy(inhibitRules, slo, [])).toEqual([]);
  });

  it('does not let an alert inhibit itself, but another alert of the same name with other labels', () => {
    expect(inhibitedBy(inhibitRules, watchdog, [watchdog])).toEqual([]);
    expect(
      inhibitedBy(inhibitRules, { ...slo, severity: 'warning' }, [slo]),
    ).toEqual(['RCOLatencyP95High']);
  });
});

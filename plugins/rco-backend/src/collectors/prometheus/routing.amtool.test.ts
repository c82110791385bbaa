import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  MONITORING_DIR,
  assertMonitoringBinaries,
  describeWithMonitoring,
} from '../../__testUtils__/prometheusStack';
import { readAlertmanagerRouting, routeReceivers } from './routing';

/**
 * routeReceivers is held to Alertmanager's own routing: for each configuration and label set, the
 * real `amtool config routes test` (Debian's prometheus-alertmanager 0.25) must name the same
 * receivers in the same order.
 */
const TREE = join(__dirname, '__fixtures__/routing-tree.yml');
/** Go RE2 regular expressions ([[:alpha:]], \\pL, \\z, \\Q…\\E, (?i:…)). */
const RE2 = join(__dirname, '__fixtures__/routing-re2.yml');
/** YAML 1.1 merge keys (`<<: *route`), as Alertmanager's Go YAML decodes them. */
const MERGE = join(__dirname, '__fixtures__/routing-merge.yml');
const MERGE_MAPS = join(__dirname, '__fixtures__/routing-merge-maps.yml');

const CASES: Array<[string, string[]]> = [
  [TREE, ['alertname=Watchdog', 'team=payments']],
  [TREE, ['team=payments']],
  [TREE, ['team=payments', 'severity=warning']],
  [TREE, ['team=payments', 'env=production', 'owner=x']],
  [TREE, ['service=rco', 'severity=critical', 'env=production', 'owner=x']],
  [TREE, ['service=rco', 'severity=critical', 'env=staging']],
  [TREE, ['service=rcot', 'severity=info', 'owner=a']],
  [TREE, ['service=rcox', 'severity=critical', 'owner=a']],
  [TREE, ['service=RCO', 'severity=critical', 'owner=a']],
  [
    TREE,
    [
      'service=rco',
      'severity=page',
      'env=production',
      'cluster=helix-prod',
      'region=eu',
      'owner=o',
    ],
  ],
  [TREE, ['cluster=helix-prod', 'region=eu', 'owner=o']],
  [TREE, ['cluster=helix-prod', 'owner=o']],
  [TREE, ['cluster=helix', 'region=eu', 'owner=o']],
  [TREE, ['owner=o']],
  [TREE, ['severity=critical']],
  ...[
    ['team=PAYments'],
    ['team=payments'],
    ['team=PAYMENTS'],
    ['service=rco-1'],
    ['service=rco'],
    ['service=été'],
    ['service=rcox'],
    ['region=eu.west'],
    ['region=euxwest'],
  ].map((labels): [string, string[]] => [RE2, labels]),
  ...[
    ['service=rco', 'team=web'],
    ['service=rco'],
    ['service=rco', 'team=x'],
    ['team=web'],
  ].map((labels): [string, string[]] => [MERGE, labels]),
  ...[
    ['service=rco', 'region=eu'],
    ['service=rco', 'region=eu', 'team=web', 'env=prod'],
    ['service=rco', 'region=eu', 'team=web'],
    ['team=web', 'env=prod'],
  ].map((labels): [string, string[]] => [MERGE_MAPS, labels]),
  ...['alertmanager.yml', 'alertmanager-webhook.yml'].flatMap(
    (file): Array<[string, string[]]> =>
      [
        [
          'alertname=RCOLatencyP95High',
          'service=rco',
          'severity=critical',
          'cluster=helix-prod',
        ],
        ['alertname=RCOWatchdog', 'service=rco', 'severity=none'],
        ['alertname=RCOSlow', 'service=rco', 'severity=warning'],
        ['alertname=RCOOther', 'service=rco', 'severity=none'],
        ['alertname=PaymentsDown', 'service=payments', 'severity=critical'],
      ].map(labels => [join(MONITORING_DIR, file), labels]),
  ),
];

const amtool = (file: string, labels: string[]) =>
  execFileSync(
    'amtool',
    ['config', 'routes', 'test', `--config.file=${file}`, ...labels],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
    .toString()
    .trim();

describeWithMonitoring(['amtool'])(
  'routeReceivers agrees with amtool config routes test',
  () => {
    beforeAll(() => assertMonitoringBinaries(['amtool']));

    it.each(
      CASES.map(([file, labels]) => ({ config: basename(file), file, labels })),
    )('$config routes $labels', ({ file, labels }) => {
      const routing = readAlertmanagerRouting(readFileSync(file, 'utf8'));
      const ours = routeReceivers(
        routing.route,
        Object.fromEntries(labels.map(l => l.split('=') as [string, string])),
      ).join(',');
      expect(ours).toBe(amtool(file, labels));
    });
  },
);

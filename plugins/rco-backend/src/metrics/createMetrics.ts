import { LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GATES, GatePolicyResponse } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { RcoConfig } from '../config';
import { JudgementStore } from '../database/JudgementStore';
import { isSignoffGate } from '../gates/fourEyes';
import { Clock } from '../lib/clock';
import { VisibleServices } from '../service/verdicts/visibleServices';
import { MetricsReader } from './MetricsReader';
import { MetricsService } from './MetricsService';
import { judgementRecorder } from './recordJudgement';
import { ReplayReader } from './ReplayReader';
import { ReplayService } from './ReplayService';
import { Policy } from './replay';
import { signingPolicyDigest } from '../evidence/sigstore';

/** The thresholds in force, as the Gate policy page shows them. */
export function gatePolicy(
  config: RcoConfig,
  environments: string[],
): GatePolicyResponse {
  return {
    gates: GATES.map(g => ({
      gate: g.id,
      title: g.title,
      ...(config.gates.maxAge[g.id] ?? g.maxAge
        ? { maxAge: config.gates.maxAge[g.id] ?? g.maxAge }
        : {}),
      ...(g.id === 'image-scanning'
        ? { blockingSeverities: config.gates.blockingSeverities }
        : {}),
      signoff: isSignoffGate(g.id),
    })),
    environments,
    failureWindow: config.failureWindow.toISO()!,
  };
}

/**
 * Issue 17's side of the plugin: where deploy decisions are recorded, the metrics and the
 * replay over them, and what their routes need.
 */
export function createMetrics(o: {
  db: Knex;
  config: RcoConfig;
  environments: string[];
  clock: Clock;
  catalog: CatalogService;
  logger: LoggerService;
  /** The policy verdicts are judged under (ReleaseService's gate configuration and groups). */
  policy: Policy;
  configDigest: string;
  demo?: () => boolean;
}) {
  const judgements = new JudgementStore(o.db);
  const visible = new VisibleServices(o.catalog);
  return {
    recorder: judgementRecorder({
      store: judgements,
      configDigest: o.configDigest,
      logger: o.logger,
    }),
    metrics: new MetricsService({
      reader: new MetricsReader(o.db, judgements, o.policy.config),
      clock: o.clock,
      environments: o.environments,
      failureWindow: o.config.failureWindow,
      demo: o.demo,
    }),
    replay: new ReplayService({
      judgements,
      reader: new ReplayReader(o.db),
      clock: o.clock,
      policy: {
        ...o.policy,
        signing: entityRef =>
          o.config.sigstore &&
          signingPolicyDigest(o.config.sigstore, entityRef),
      },
      configDigest: o.configDigest,
      demo: o.demo,
    }),
    policy: gatePolicy(o.config, o.environments),
    waiverMaxMs: o.config.waiverMaxDuration.toMillis(),
    visibleServices: (
      credentials: Parameters<VisibleServices['forCaller']>[0],
    ) => visible.forCaller(credentials),
  };
}

export type MetricsSide = ReturnType<typeof createMetrics>;

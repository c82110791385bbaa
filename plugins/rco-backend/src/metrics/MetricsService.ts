import { InputError } from '@backstage/errors';
import { MetricsResponse } from '@helix-portal/plugin-rco-common';
import { Duration } from 'luxon';
import { CallerSlots } from './callerSlots';
import { Clock } from '../lib/clock';
import { deliveryMetrics } from './delivery';
import { gateEffectiveness } from './effectiveness';
import { MetricsFacts } from './facts';
import { MetricsReader } from './MetricsReader';
import { parsePeriod, Period } from './periods';

/** The history read before a period: blocks still open at its start, deploys just before it. */
const LOOK_BACK_MS = 30 * 86_400_000;
/** Answers kept per instance (a page asks a few periods; the portfolio one per environment). */
const KEPT = 16;
/**
 * How long an answer is kept at most: outcomes depend on the time (an override `active` until
 * it expires), and on PostgreSQL a write can commit below the ledger's newest seq, which the
 * marker does not see; a minute bounds both.
 */
const KEPT_MS = 60_000;
/** Samples of a distribution sent to draw it; lists of records sent to read them. */
const SAMPLES = 2000;
const LISTED = 500;
/** Cold computations at once per caller (each reads a period of the caller's catalog). */
const COLD_PER_CALLER = 2;

/**
 * The zone's canonical name (Etc/UTC, Etc/GMT and GMT are UTC): the cache key, so another
 * spelling of the same zone finds its answer instead of starting a new computation.
 */
function canonicalZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions()
      .timeZone;
  } catch {
    return timeZone;
  }
}

/** The newest `max` items by a time (ISO strings compare as times), newest first. */
function newest<T>(items: T[], at: (item: T) => string, max: number) {
  return [...items].sort((a, b) => (at(a) < at(b) ? 1 : -1)).slice(0, max);
}

export interface MetricsQuery {
  environment?: unknown;
  from?: unknown;
  to?: unknown;
  tz?: unknown;
}

/**
 * Delivery metrics and gate effectiveness of an entity or of the services a caller can see.
 * Every answer is computed from the facts (MetricsReader) by the pure rules of delivery.ts and
 * effectiveness.ts, and kept until anything they read changes (the ledger's newest entry or a
 * new judgement): a warm page pays one small query. Periods given as "the last 90 days" are
 * rounded to the minute so a reload finds its answer.
 */
export class MetricsService {
  private readonly kept = new Map<
    string,
    { at: number; response: MetricsResponse }
  >();
  private readonly cold = new CallerSlots(
    COLD_PER_CALLER,
    `You already have ${COLD_PER_CALLER} metrics computations running on this instance; wait for them to finish, then try again`,
  );

  constructor(
    private readonly o: {
      reader: MetricsReader;
      clock: Clock;
      environments: string[];
      failureWindow: Duration;
      /** Whether the local portal's generated demo history is in the database. */
      demo?: () => boolean;
    },
  ) {}

  /** The environment asked for: a configured one; default production, else the last. */
  environmentOf(value: unknown): string {
    const environments = this.o.environments;
    if (value === undefined || value === '') {
      return environments.includes('production')
        ? 'production'
        : environments[environments.length - 1] ?? 'production';
    }
    if (typeof value !== 'string' || !environments.includes(value)) {
      throw new InputError(
        `environment must be one of ${
          environments.join(', ') || '(none configured)'
        }`,
      );
    }
    return value;
  }

  period(query: MetricsQuery): Period {
    const now = new Date(
      // The end of the current minute: what happened seconds ago is in "the last 90 days".
      Math.ceil((this.o.clock.now().getTime() + 1) / 60_000) * 60_000,
    );
    return parsePeriod(query, now);
  }

  /**
   * The metrics of these services (`scope.entityRef` names one entity; otherwise the refs are
   * the caller's visible services).
   */
  async metrics(
    query: MetricsQuery,
    scope: { entityRef?: string; entityRefs: string[]; caller?: string },
  ): Promise<MetricsResponse> {
    const environment = this.environmentOf(query.environment);
    const period = this.period(query);
    const marker = await this.o.reader.marker();
    const refs = [...scope.entityRefs].sort();
    const key = JSON.stringify([
      marker,
      environment,
      period.from,
      period.to,
      canonicalZone(period.timeZone),
      scope.entityRef ?? refs,
    ]);
    const hit = this.kept.get(key);
    if (hit && Date.now() - hit.at < KEPT_MS)
      // The zone as this caller spelt it (the figures are the same).
      return {
        ...hit.response,
        scope: { ...hit.response.scope, timeZone: period.timeZone },
      };
    this.kept.delete(key);
    const response = await this.cold.run(scope.caller ?? 'anonymous', () =>
      this.computeCold(period, environment, scope, refs),
    );
    if (this.kept.size >= KEPT)
      this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, { at: Date.now(), response });
    return response;
  }

  /** The facts read and the figures computed: what a cache miss costs. */
  private async computeCold(
    period: Period,
    environment: string,
    scope: { entityRef?: string },
    refs: string[],
  ): Promise<MetricsResponse> {
    const windowMs = this.o.failureWindow.toMillis();
    const facts = await this.o.reader.read(
      {
        environment,
        from: new Date(period.from.getTime() - LOOK_BACK_MS),
        to: new Date(period.to.getTime() + windowMs),
      },
      refs,
    );
    return this.compute(facts, period, environment, scope, refs.length);
  }

  private compute(
    facts: MetricsFacts,
    period: Period,
    environment: string,
    scope: { entityRef?: string },
    services: number,
  ): MetricsResponse {
    const failureWindow = this.o.failureWindow.toISO()!;
    const window = { ms: this.o.failureWindow.toMillis(), iso: failureWindow };
    const delivery = deliveryMetrics(facts, period, environment, window);
    const effectiveness = gateEffectiveness(
      facts,
      delivery.failures,
      period,
      environment,
      this.o.clock.now(),
      LISTED,
    );
    return {
      scope: {
        ...(scope.entityRef ? { entityRef: scope.entityRef } : {}),
        environment,
        from: period.from.toISOString(),
        to: period.to.toISOString(),
        timeZone: period.timeZone,
        services,
        failureWindow,
      },
      // The figures are over everything; the lists are the newest few, so an answer stays
      // small at thousands of services (review: 142 MB before).
      delivery: {
        ...delivery,
        leadTimes: newest(delivery.leadTimes, l => l.deployedAt, SAMPLES),
        failures: newest(delivery.failures, f => f.deployedAt, LISTED),
        counts: {
          leadTimes: delivery.leadTimes.length,
          failures: delivery.failures.length,
        },
      },
      effectiveness: {
        ...effectiveness,
        blocks: newest(effectiveness.blocks, b => b.blockedAt, LISTED),
        escapes: newest(effectiveness.escapes, e => e.failedAt, LISTED),
        evidenceAges: effectiveness.evidenceAges.slice(-SAMPLES),
      },
      demo: this.o.demo?.() ?? false,
      computedAt: this.o.clock.now().toISOString(),
    };
  }
}

import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  DeployWindowView,
  FreezeView,
  OperationResponse,
  RoadBlocker,
  RoadRelease,
  RoadResponse,
  RoadStage,
} from '@helix-portal/plugin-rco-common';
import { DateTime } from 'luxon';
import { Clock } from '../../lib/clock';
import {
  activeFreeze,
  FreezeRule,
  freezeMessage,
  freezesFor,
  freezeViews,
} from './freezes';
import { promotionRoad, releaseName } from './promotion';

/**
 * The deployment windows the road asks about (the windows helper's WindowService answers;
 * declared here so the road can be tested without it).
 */
export interface WindowLookup {
  /** The accepted window for the release open at `at`, if any (`notBy`'s acceptances aside). */
  acceptedWindowAt(
    entityRef: string,
    environment: string,
    release: RoadRelease,
    at: Date,
    notBy?: readonly string[],
  ): Promise<DeployWindowView | undefined>;
  /** The accepted window open at `at`, else the next accepted one (`notBy`'s acceptances aside). */
  nextWindow(
    entityRef: string,
    environment: string,
    release: RoadRelease,
    at: Date,
    notBy?: readonly string[],
  ): Promise<DeployWindowView | undefined>;
}

/** What the road needs to know of an environment (EnvironmentConfig answers it). */
export interface RoadEnvironment {
  name: string;
  soak?: string;
  window?: { required: boolean };
}

const strip = (r: RoadRelease): RoadRelease => ({
  ...(r.version ? { version: r.version } : {}),
  ...(r.digest ? { digest: r.digest } : {}),
});

const local = (iso: string, zone: string) =>
  `${DateTime.fromISO(iso, { zone }).toFormat('ccc d LLL yyyy HH:mm')} ${zone}`;

/** How many of an entity's operations the road reads: enough for months of deploys. */
const HISTORY = 500;

/**
 * The road to production (issue 15, point 1 and freezes): each environment's stage, what blocks
 * a release from entering it (promotion.ts), its deployment window and freezes (freezes.ts).
 * The deploy gate (OperationService.judge) asks `blockers` of the same rules.
 */
export class RoadService {
  constructor(
    private readonly o: {
      operations: {
        list(
          entityRef: string,
          options: { limit?: number },
        ): Promise<OperationResponse[]>;
      };
      environments: RoadEnvironment[];
      promotion: { order: string[]; soak: string };
      freezes: FreezeRule[];
      /** The gates' clock (the local portal's demo clock can be ahead). */
      clock: Clock;
      /** The entity's newest release, as the status route picks it. */
      latestRelease(entity: Entity): Promise<RoadRelease>;
      /** Absent until the windows side is wired: a required window then blocks. */
      windows?: WindowLookup;
    },
  ) {}

  private assertEnvironment(name: string) {
    if (!this.o.environments.some(e => e.name === name))
      throw new InputError(
        `Unknown environment "${name}"; configured: ${
          this.o.environments.map(e => e.name).join(', ') || 'none'
        }`,
      );
  }

  /**
   * GET …/road: every stage for the release asked about (default: the newest), judged for
   * `viewer` as the one who would deploy (their own window acceptances do not count).
   */
  async road(
    entity: Entity,
    asked: RoadRelease = {},
    viewer?: string,
  ): Promise<RoadResponse> {
    const entityRef = stringifyEntityRef(entity);
    const now = this.o.clock.now();
    const operations = await this.o.operations.list(entityRef, {
      limit: HISTORY,
    });
    let release: RoadRelease =
      asked.version || asked.digest
        ? { version: asked.version, digest: asked.digest }
        : await this.o.latestRelease(entity);
    // No evidence names a newest release: the newest one deployed anywhere is the one asked about.
    if (!release.version && !release.digest)
      release =
        operations.find(o => o.type === 'deploy' && o.release.digest)
          ?.release ?? release;
    const { stages, marked } = promotionRoad({
      order: this.o.promotion.order,
      environments: this.o.environments,
      defaultSoak: this.o.promotion.soak,
      operations,
      release,
      now,
    });
    const full: RoadStage[] = await Promise.all(
      stages.map(async stage => {
        const extra = await this.placeBlockers(
          entityRef,
          stage.environment,
          release,
          now,
          viewer,
        );
        return {
          ...stage,
          blockers: [...stage.blockers, ...extra.blockers],
          ...(extra.window ? { window: extra.window } : {}),
          freezes: this.freezeViews(entityRef, stage.environment, now),
        };
      }),
    );
    return {
      entityRef,
      release: strip(release),
      stages: full,
      marked,
    };
  }

  /** GET …/freezes: freezes active now or starting within 7 days, of one or every environment. */
  async freezes(entity: Entity, environment?: string): Promise<FreezeView[]> {
    if (environment) this.assertEnvironment(environment);
    const entityRef = stringifyEntityRef(entity);
    const now = this.o.clock.now();
    const names = environment
      ? [environment]
      : this.o.environments.map(e => e.name);
    const seen = new Set<string>();
    // A freeze that holds several environments is one freeze: listed once.
    return names
      .flatMap(env => this.freezeViews(entityRef, env, now))
      .filter(v => {
        const key = `${v.name}|${v.from}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => a.from.localeCompare(b.from));
  }

  /**
   * Every road blocker of a deploy of `release` to `environment` at `at` (the deploy gate's
   * question): promotion, soak, analysis, marks, window and freeze. Empty when none holds.
   * `deployer` (who requests and confirms the deploy) cannot be the one who accepted its window:
   * their acceptances do not count, as their own sign-offs do not (four eyes).
   */
  async blockers(
    entityRef: string,
    environment: string,
    release: RoadRelease,
    at = this.o.clock.now(),
    deployer?: string,
  ): Promise<RoadBlocker[]> {
    const blockers: RoadBlocker[] = [];
    if (this.o.promotion.order.length) {
      const operations = await this.o.operations.list(entityRef, {
        limit: HISTORY,
      });
      const { stages } = promotionRoad({
        order: this.o.promotion.order,
        environments: this.o.environments,
        defaultSoak: this.o.promotion.soak,
        operations,
        release,
        now: at,
      });
      blockers.push(
        ...(stages.find(s => s.environment === environment)?.blockers ?? []),
      );
    }
    const place = await this.placeBlockers(
      entityRef,
      environment,
      release,
      at,
      deployer,
    );
    return [...blockers, ...place.blockers];
  }

  private freezeViews(entityRef: string, environment: string, now: Date) {
    return freezeViews(freezesFor(this.o.freezes, entityRef, environment), now);
  }

  /** The window and freeze of one environment: what holds a deploy there at `at`. */
  private async placeBlockers(
    entityRef: string,
    environment: string,
    release: RoadRelease,
    at: Date,
    deployer?: string,
  ): Promise<{ blockers: RoadBlocker[]; window?: DeployWindowView }> {
    const blockers: RoadBlocker[] = [];
    const env = this.o.environments.find(e => e.name === environment);
    const windows = this.o.windows;
    const notBy = deployer ? [deployer] : [];
    const window = windows
      ? await windows.nextWindow(entityRef, environment, release, at, notBy)
      : undefined;
    if (env?.window?.required) {
      const open =
        window && Date.parse(window.start) <= at.getTime() ? window : undefined;
      // Open and accepted, but only by the deployer's own acceptance: said so, not "none".
      const own =
        !open && deployer && windows
          ? await windows.acceptedWindowAt(entityRef, environment, release, at)
          : undefined;
      if (own) {
        blockers.push({
          kind: 'window',
          message: `Deployment window ${own.id} for ${releaseName(
            release,
          )} in ${environment} was accepted by ${deployer}, who deploys: their own acceptance does not count (four eyes); someone else in its roles accepts a window, or another owner deploys`,
        });
      } else if (!open) {
        const name = releaseName(release);
        if (window)
          blockers.push({
            kind: 'window',
            message: `Deploys to ${environment} run only inside an accepted window: the next one for ${name} opens at ${
              window.start
            } (${local(window.start, window.timeZone)})`,
            until: window.start,
          });
        else
          blockers.push({
            kind: 'window',
            message: `Deploys to ${environment} run only inside an accepted window, and ${name} has none: propose one and have its roles accept it`,
          });
      }
    }
    const frozen = activeFreeze(
      freezesFor(this.o.freezes, entityRef, environment),
      at,
    );
    if (frozen)
      blockers.push({
        kind: 'freeze',
        message: freezeMessage(frozen, environment),
        ...(frozen.resumesAt ? { until: frozen.resumesAt.toISOString() } : {}),
      });
    return { blockers, ...(window ? { window } : {}) };
  }
}

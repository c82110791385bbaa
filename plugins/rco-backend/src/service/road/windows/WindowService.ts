import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type {
  DeployWindowRole,
  DeployWindowView,
  ProposeDeployWindowRequest,
} from '@helix-portal/plugin-rco-common';
import { RcoConfig } from '../../../config';
import { sameActor } from '../../../gates/fourEyes';
import { Clock } from '../../../lib/clock';
import { kindAllowed } from '../../../operations/targetBinding';
import { Access } from '../../access';
import {
  checkWindowSpan,
  parseWindowTime,
  requireZone,
  toWindowView,
  windowCoversRelease,
  windowState,
} from './windowRules';
import { DeployWindowRecord, WindowStore } from './WindowStore';
import { WindowNotifier } from './WindowNotifier';

type Release = { version?: string; digest?: string };

/** What WindowService needs to know of an environment (Environments.get answers it). */
export interface WindowEnvironments {
  /** The environment, or a 400 naming the configured ones. */
  get(name: string): {
    name: string;
    requiredSignoffs: DeployWindowRole[];
    window?: { required: boolean; acceptedBy: DeployWindowRole[] };
  };
}

/**
 * Deployment windows scheduled with stakeholders (issue 15, point 2): owners propose, the
 * environment's roles accept (never the proposer: four eyes), the proposer or an owner cancels.
 * The deploy gate asks acceptedWindowAt and nextWindow. Rules live in windowRules.ts; time comes
 * from the gates' clock only.
 */
export class WindowService {
  constructor(
    private readonly o: {
      store: WindowStore;
      access: Access;
      environments: WindowEnvironments;
      config: Pick<
        RcoConfig,
        'windowMaxDuration' | 'signoffGroups' | 'operationEntityKinds'
      >;
      clock: Clock;
      notifier?: WindowNotifier;
      /** Told of every change: open Release pages re-read (releaseSignals). */
      changed?: (entityRef: string) => void;
    },
  ) {}

  private now() {
    return this.o.clock.now();
  }

  /** The roles whose acceptance an environment's windows need. */
  rolesFor(environment: string): DeployWindowRole[] {
    const env = this.o.environments.get(environment);
    return env.window?.acceptedBy ?? env.requiredSignoffs;
  }

  /** Whether deploys (not rollbacks) to the environment need an accepted window. */
  required(environment: string): boolean {
    return !!this.o.environments.get(environment).window?.required;
  }

  async get(id: string): Promise<DeployWindowRecord> {
    const w = await this.o.store.get(id);
    if (!w) throw new NotFoundError(`No deployment window ${id}`);
    return w;
  }

  view(w: DeployWindowRecord, now = this.now()): DeployWindowView {
    return toWindowView(w, now);
  }

  async list(
    entity: Entity,
    environment?: string,
  ): Promise<DeployWindowView[]> {
    if (environment) this.o.environments.get(environment);
    const now = this.now();
    return (
      await this.o.store.list(stringifyEntityRef(entity), { environment })
    ).map(w => toWindowView(w, now));
  }

  async propose(
    entity: Entity,
    credentials: BackstageCredentials,
    input: ProposeDeployWindowRequest,
  ): Promise<DeployWindowView> {
    // The same people (and CI tokens) who may deploy the entity schedule its deploys.
    const proposer = await this.o.access.assertCanOperate(
      entity,
      credentials,
      'deploy',
    );
    if (!kindAllowed(entity, this.o.config.operationEntityKinds)) {
      throw new NotAllowedError(
        `Entities of kind ${entity.kind} do not deploy through the console (rco.operations.entityKinds)`,
      );
    }
    const requiredRoles = this.rolesFor(input.environment);
    const timeZone = requireZone(input.timeZone ?? 'UTC');
    const start = parseWindowTime(input.start, timeZone, 'start');
    const end = parseWindowTime(input.end, timeZone, 'end');
    const now = this.now();
    checkWindowSpan(start, end, now, this.o.config.windowMaxDuration);
    const release: Release = {
      ...(input.version ? { version: input.version } : {}),
      ...(input.digest ? { digest: input.digest } : {}),
    };
    const record = await this.o.store.add({
      entityRef: stringifyEntityRef(entity),
      environment: input.environment,
      release,
      start,
      end,
      timeZone,
      requiredRoles,
      proposedBy: proposer,
      proposedAt: now,
    });
    this.o.changed?.(record.entityRef);
    await this.o.notifier?.proposed(record, entity);
    return toWindowView(record, now);
  }

  /**
   * Accepts for every required role the caller holds that nobody accepted yet (or for `role`
   * only). Accepting again changes nothing and answers the window as it is.
   */
  async accept(
    w: DeployWindowRecord,
    entity: Entity,
    credentials: BackstageCredentials,
    role?: DeployWindowRole,
  ): Promise<DeployWindowView> {
    const now = this.now();
    if (role && !w.requiredRoles.includes(role)) {
      throw new InputError(
        `Deployment window ${w.id} needs ${w.requiredRoles.join(
          ', ',
        )}, not ${role}`,
      );
    }
    const caps = await this.o.access.capabilities(entity, credentials);
    const held = w.requiredRoles.filter(
      r => caps.signoff[r] && (!role || r === role),
    );
    if (!held.length) {
      const groups = (role ? [role] : w.requiredRoles).map(
        r =>
          `${
            this.o.config.signoffGroups[r] ??
            `nobody (rco.signoffs.groups.${r} is not configured)`
          } (${r})`,
      );
      throw new NotAllowedError(
        `Only people in ${groups.join(' or ')} may accept deployment window ${
          w.id
        }`,
      );
    }
    const actor = caps.actor;
    if (sameActor(actor, w.proposedBy)) {
      throw new NotAllowedError(
        `${actor} proposed deployment window ${w.id} and cannot accept it too (four eyes)`,
      );
    }
    const state = windowState(w, now);
    if (state === 'cancelled') {
      throw new ConflictError(`Deployment window ${w.id} was cancelled`);
    }
    if (state === 'expired') {
      throw new ConflictError(
        `Deployment window ${
          w.id
        } ended at ${w.end.toISOString()}: propose a new one`,
      );
    }
    const before = new Set(w.acceptances.map(a => a.role));
    const fresh = held.filter(r => !before.has(r));
    if (!fresh.length) return toWindowView(w, now);
    const updated = await this.o.store.accept(w.id, fresh, actor, now);
    const added = updated.acceptances
      .filter(a => !before.has(a.role) && sameActor(a.by, actor))
      .map(a => a.role);
    if (added.length) {
      this.o.changed?.(w.entityRef);
      await this.o.notifier?.accepted(updated, entity, actor, added);
    }
    return toWindowView(updated, now);
  }

  async cancel(
    w: DeployWindowRecord,
    entity: Entity,
    credentials: BackstageCredentials,
  ): Promise<DeployWindowView> {
    const actor = this.o.access.actorOf(credentials);
    if (!sameActor(actor, w.proposedBy)) {
      await this.o.access
        .assertCanOperate(entity, credentials, 'deploy')
        .catch(() => {
          throw new NotAllowedError(
            `Only ${w.proposedBy}, who proposed deployment window ${w.id}, or an owner of ${w.entityRef} may cancel it`,
          );
        });
    }
    const now = this.now();
    if (windowState(w, now) === 'expired') {
      throw new ConflictError(
        `Deployment window ${
          w.id
        } ended at ${w.end.toISOString()}: there is nothing to cancel`,
      );
    }
    const updated = await this.o.store.cancel(w.id, actor, now);
    this.o.changed?.(w.entityRef);
    return toWindowView(updated, now);
  }

  /**
   * The accepted window for this release (or for any release, when the window names none) whose
   * [start, end) contains `at`; the deploy gate's question. `openNow` is judged at `at`.
   * Acceptances by `notBy` (the deployer, at the gate) do not count.
   */
  async acceptedWindowAt(
    entityRef: string,
    environment: string,
    release: Release,
    at: Date,
    notBy: readonly string[] = [],
  ): Promise<DeployWindowView | undefined> {
    // Of overlapping windows, the one that stays open longest: the deploy has the most time.
    const open = (
      await this.candidates(entityRef, environment, release, at, notBy)
    )
      .filter(w => w.start.getTime() <= at.getTime())
      .sort((a, b) => b.end.getTime() - a.end.getTime());
    return open.length ? toWindowView(open[0], at) : undefined;
  }

  /**
   * The accepted window for this release that is open at `at`, else the first accepted one
   * starting after it: what the Deploy button names ("opens at …").
   */
  async nextWindow(
    entityRef: string,
    environment: string,
    release: Release,
    at: Date,
    notBy: readonly string[] = [],
  ): Promise<DeployWindowView | undefined> {
    const open = await this.acceptedWindowAt(
      entityRef,
      environment,
      release,
      at,
      notBy,
    );
    if (open) return open;
    const ahead = await this.candidates(
      entityRef,
      environment,
      release,
      at,
      notBy,
    );
    const next = ahead
      .filter(w => w.start.getTime() > at.getTime())
      .sort((a, b) => a.start.getTime() - b.start.getTime())[0];
    return next ? toWindowView(next, at) : undefined;
  }

  /** Accepted windows for the release not yet ended at `at`, latest start first. */
  private async candidates(
    entityRef: string,
    environment: string,
    release: Release,
    at: Date,
    notBy: readonly string[],
  ) {
    const windows = await this.o.store.list(entityRef, {
      environment,
      endingAfter: at,
      limit: 500,
    });
    return windows.filter(
      w =>
        windowState(w, at, notBy) === 'accepted' &&
        windowCoversRelease(w, release),
    );
  }
}

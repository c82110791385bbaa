import {
  MarkedRelease,
  OperationResponse,
  RoadBlocker,
  RoadRelease,
  RoadStage,
  RoadStageState,
} from '@helix-portal/plugin-rco-common';
import { Duration } from 'luxon';

/** An operation as the road reads it (OperationStore's records). */
type Op = Pick<
  OperationResponse,
  | 'id'
  | 'environment'
  | 'type'
  | 'release'
  | 'state'
  | 'progress'
  | 'reasons'
  | 'confirmedBy'
  | 'createdAt'
  | 'finishedAt'
> & {
  /** Set by the runner when a running operation ends: an aborted one with timings ran. */
  timings?: unknown;
};

/** A stage before RoadService adds the window and freezes. */
export type PromotionStage = Omit<RoadStage, 'window' | 'freezes'>;

export interface PromotionInput {
  /** rco.promotion.order; empty: no promotion rule (stages are still shown). */
  order: string[];
  /** Every configured environment with its own soak, if any. */
  environments: Array<{ name: string; soak?: string }>;
  /** rco.promotion.soak. */
  defaultSoak: string;
  /** The entity's operations, in any order. */
  operations: Op[];
  /** The release asked about. */
  release: RoadRelease;
  now: Date;
}

/**
 * One release is another when both name a digest and it is the same; without a digest on both
 * sides, when both name the same version (an image is its digest; labels do not split it).
 */
export function sameRelease(a: RoadRelease, b: RoadRelease): boolean {
  if (a.digest && b.digest) return a.digest === b.digest;
  return !!a.version && a.version === b.version;
}

/** How a release is named in sentences: its version, else a short digest. */
export const releaseName = (r: RoadRelease) =>
  r.version ?? (r.digest ? `${r.digest.slice(0, 19)}…` : 'the release');

const ms = (iso: string) => Duration.fromISO(iso).toMillis();
const isoDuration = (millis: number) =>
  Duration.fromMillis(Math.max(0, Math.round(millis / 1000) * 1000))
    .shiftTo('hours', 'minutes', 'seconds')
    .toISO()!;

/** A canary aborted while it ran: traffic went back to the stable release (a rollback). */
const abortedWhileRunning = (o: Op) => o.state === 'aborted' && !!o.timings;

/**
 * A deploy that ran (was confirmed) and ended, also by an abort while it ran, or a rollback
 * that ended: it changed the place.
 */
const changed = (o: Op) =>
  !!o.finishedAt &&
  ((o.type === 'deploy' &&
    !!o.confirmedBy &&
    (['succeeded', 'failed', 'rolled-back', 'needs-attention'].includes(
      o.state,
    ) ||
      abortedWhileRunning(o))) ||
    (o.type === 'rollback' &&
      ['succeeded', 'failed', 'rolled-back', 'needs-attention'].includes(
        o.state,
      )));

/** The canary analysis of a deploy: its metrics as the driver last reported them. */
export function analysisOf(op: Op): 'green' | 'failed' | 'none' {
  const metrics = op.progress?.metrics ?? [];
  if (metrics.some(m => /^(failed|error|inconclusive)$/i.test(m.phase)))
    return 'failed';
  if (
    op.state === 'rolled-back' &&
    op.reasons.some(r => /analysis|assessed failed/i.test(r))
  )
    return 'failed';
  if (metrics.length && metrics.every(m => /^successful$/i.test(m.phase)))
    return 'green';
  return 'none';
}

/**
 * Releases that failed or were rolled back: a deploy that ran and failed, ended rolled back or
 * failed its analysis, and the release a succeeded rollback moved away from. A mark stands
 * until the same release later succeeds in that environment (deployed again under break-glass).
 */
export function markedReleases(ops: Op[]): MarkedRelease[] {
  const byTime = ops
    .filter(changed)
    .sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!));
  const marks: MarkedRelease[] = [];
  const running = new Map<string, RoadRelease>();
  for (const op of byTime) {
    const mark = (release: RoadRelease, reason: MarkedRelease['reason']) =>
      marks.push({
        ...release,
        environment: op.environment,
        reason,
        operationId: op.id,
        at: op.finishedAt!,
      });
    if (op.type === 'deploy') {
      if (op.state === 'succeeded') {
        running.set(op.environment, op.release);
        // Succeeded again where it had failed: that environment's marks of it are lifted.
        for (let i = marks.length - 1; i >= 0; i--)
          if (
            marks[i].environment === op.environment &&
            sameRelease(marks[i], op.release)
          )
            marks.splice(i, 1);
      } else if (analysisOf(op) === 'failed')
        mark(op.release, 'analysis-failed');
      else if (op.state === 'rolled-back' || abortedWhileRunning(op))
        mark(op.release, 'rolled-back');
      else mark(op.release, 'failed');
    } else if (op.state === 'succeeded') {
      const away = running.get(op.environment);
      if (away) mark(away, 'rolled-back');
      running.delete(op.environment);
    }
  }
  return marks.reverse();
}

const MARK_WORDS: Record<MarkedRelease['reason'], string> = {
  failed: 'failed',
  'rolled-back': 'was rolled back',
  'analysis-failed': 'failed its canary analysis',
};

/** The stage of one environment: what runs there, since when, and how long it soaked. */
function stageOf(
  environment: string,
  position: number,
  soakRequired: string,
  ops: Op[],
  now: Date,
): PromotionStage {
  const here = ops
    .filter(o => o.environment === environment)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const last = here
    .filter(changed)
    .sort((a, b) => b.finishedAt!.localeCompare(a.finishedAt!))[0];
  const deployed = here
    .filter(o => o.type === 'deploy' && o.state === 'succeeded' && o.finishedAt)
    .sort((a, b) => b.finishedAt!.localeCompare(a.finishedAt!))[0];
  const lastDeploy = here.find(o => o.type === 'deploy' && changed(o));
  let state: RoadStageState = 'empty';
  if (last?.type === 'deploy' && last.state === 'succeeded') state = 'soaking';
  else if (
    last?.type === 'deploy' &&
    (last.state === 'rolled-back' || abortedWhileRunning(last))
  )
    state = 'rolled-back';
  else if (last?.type === 'rollback' && last.state === 'succeeded')
    state = 'rolled-back';
  else if (last) state = 'failed';
  const stage: PromotionStage = {
    environment,
    position,
    state,
    soakRequired,
    analysis: lastDeploy ? analysisOf(lastDeploy) : 'none',
    blockers: [],
    ...(deployed
      ? {
          release: deployed.release,
          deployedAt: deployed.finishedAt,
        }
      : {}),
  };
  if (state === 'soaking' && deployed) {
    const soaked = now.getTime() - Date.parse(deployed.finishedAt!);
    const end = Date.parse(deployed.finishedAt!) + ms(soakRequired);
    stage.soakedFor = isoDuration(soaked);
    stage.soakEndsAt = new Date(end).toISOString();
    if (end <= now.getTime()) stage.state = 'soaked';
  }
  if (here.some(o => o.type === 'deploy' && o.state === 'running'))
    stage.state = 'deploying';
  return stage;
}

/**
 * What keeps `release` from entering `environment`, by the order: it must have succeeded in the
 * environment before, with a green (or no) canary analysis, soaked there for that environment's
 * soak, and have had no failed deploy, failed analysis or rollback there since.
 */
function promotionBlockers(
  previous: string,
  soakRequired: string,
  release: RoadRelease,
  ops: Op[],
  now: Date,
): RoadBlocker[] {
  const name = releaseName(release);
  const there = ops
    .filter(o => o.environment === previous && changed(o))
    .sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!));
  const went = there
    .filter(
      o =>
        o.type === 'deploy' &&
        o.state === 'succeeded' &&
        sameRelease(o.release, release),
    )
    .pop();
  if (!went)
    return [
      {
        kind: 'promotion',
        message: `${name} has not succeeded in ${previous}: deploy it to ${previous} first`,
      },
    ];
  const blockers: RoadBlocker[] = [];
  if (analysisOf(went) === 'failed')
    blockers.push({
      kind: 'analysis',
      message: `The canary analysis of ${name} in ${previous} did not pass (operation ${went.id})`,
    });
  const after = there.filter(o => o.finishedAt! > went.finishedAt!);
  // Soaked while it ran there: until now, or until another release replaced it.
  const replaced = after.find(
    o => o.type === 'deploy' && o.state === 'succeeded',
  );
  // What happened to it while it ran there (a rollback after another release replaced it
  // rolled that one back, not this one).
  const since = replaced
    ? after.filter(o => o.finishedAt! < replaced.finishedAt!)
    : after;
  const trouble = since.find(
    o =>
      (o.type === 'deploy' &&
        o.state !== 'succeeded' &&
        sameRelease(o.release, release)) ||
      o.type === 'rollback',
  );
  if (trouble && trouble.type === 'deploy' && analysisOf(trouble) === 'failed')
    blockers.push({
      kind: 'analysis',
      message: `${name} failed its canary analysis in ${previous} since it went there (operation ${trouble.id}): it needs a new successful deploy there`,
    });
  else if (trouble)
    blockers.push({
      kind: 'promotion',
      message:
        trouble.type === 'rollback'
          ? `${previous} was rolled back since ${name} went there (operation ${trouble.id}): it needs a new successful deploy there`
          : `A deploy of ${name} to ${previous} ended ${trouble.state} since it went there (operation ${trouble.id}): it needs a new successful deploy there`,
    });
  if (trouble) return blockers;
  const start = Date.parse(went.finishedAt!);
  const end = replaced ? Date.parse(replaced.finishedAt!) : now.getTime();
  const need = ms(soakRequired);
  if (end - start < need) {
    const soaked = Duration.fromMillis(end - start)
      .shiftTo('hours', 'minutes')
      .toHuman({ maximumFractionDigits: 0 });
    blockers.push(
      replaced
        ? {
            kind: 'soak',
            message: `${name} ran in ${previous} for only ${soaked} of ${soakRequired} before ${releaseName(
              replaced.release,
            )} replaced it: deploy it to ${previous} again to soak`,
          }
        : {
            kind: 'soak',
            message: `${name} has soaked in ${previous} for ${soaked} of ${soakRequired}: it may go on at ${new Date(
              start + need,
            ).toISOString()}`,
            until: new Date(start + need).toISOString(),
          },
    );
  }
  return blockers;
}

/**
 * The road of an entity's environments for one release: each stage, and what blocks the release
 * from entering it now by promotion rules (order, soak, analysis, marks). Without an order
 * configured nothing blocks (stages are still shown).
 */
export function promotionRoad(input: PromotionInput): {
  stages: PromotionStage[];
  marked: MarkedRelease[];
} {
  const { order, release, now } = input;
  const ops = input.operations;
  const soakOf = (name: string) =>
    input.environments.find(e => e.name === name)?.soak ?? input.defaultSoak;
  const names = [
    ...order,
    ...input.environments.map(e => e.name).filter(n => !order.includes(n)),
  ];
  const marked = markedReleases(ops);
  const position = (env: string) =>
    order.includes(env) ? order.indexOf(env) : names.indexOf(env);
  const stages = names.map((env, i) => {
    const stage = stageOf(env, i, soakOf(env), ops, now);
    if (!order.length) return stage;
    const at = order.indexOf(env);
    if (at > 0) {
      const previous = order[at - 1];
      stage.blockers.push(
        ...promotionBlockers(previous, soakOf(previous), release, ops, now),
      );
    }
    // Marked here or upstream of here on the road: nobody takes it further by accident. Marks
    // in the previous environment are its promotion blockers already.
    const previous = at > 0 ? order[at - 1] : undefined;
    for (const m of marked) {
      if (!sameRelease(m, release) || m.environment === previous) continue;
      const applies =
        at >= 0
          ? order.includes(m.environment) && position(m.environment) <= at
          : m.environment === env;
      if (applies && !stage.blockers.some(b => b.kind === 'marked'))
        stage.blockers.push({
          kind: 'marked',
          message: `${releaseName(release)} ${MARK_WORDS[m.reason]} in ${
            m.environment
          } (operation ${m.operationId}, ${
            m.at
          }): it is marked and not promoted again without break-glass`,
        });
    }
    return stage;
  });
  return { stages, marked };
}

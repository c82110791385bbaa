import {
  DeployDriver,
  DeployRelease,
  DeployTarget,
  DriverContext,
  DriverMetric,
  DriverProgress,
  DriverRevision,
} from '@helix-portal/plugin-rco-node';
import { canaryStepWords } from '@helix-portal/plugin-rco-common';

type Step =
  | { setWeight: number }
  | { pause: true }
  | { analysis: { metric: string; condition: string; threshold: number } };

/** What a canary step does, in the words of the progress message. */
function describeStep(step?: Step): string | undefined {
  if (!step) return undefined;
  if ('pause' in step) return 'paused, waiting for Promote';
  if ('analysis' in step) return `analysis ${step.analysis.metric}`;
  return `set weight ${step.setWeight}%`;
}

/** The canary every simulated deploy walks through, like a Rollout's `strategy.canary.steps`. */
const CANARY: Step[] = [
  { setWeight: 20 },
  { pause: true },
  { setWeight: 50 },
  {
    analysis: {
      metric: 'success-rate',
      condition: 'result[0] >= 0.99',
      threshold: 0.99,
    },
  },
  { setWeight: 100 },
];

interface Revision extends DriverRevision {
  release?: DeployRelease;
}

/** "revision 2 (v1.3.1)": the version it runs, when this cluster deployed it. */
const revisionWords = (r: Revision) =>
  `revision ${r.revision}${
    r.release?.version ? ` (v${r.release.version})` : ''
  }`;

export interface ServiceState {
  revisions: Revision[];
  rollout?: {
    revision: string;
    stepIndex: number;
    phase: 'progressing' | 'paused' | 'succeeded' | 'failed' | 'aborted';
    weight: number;
    metrics: DriverMetric[];
    reasons: string[];
    timer?: NodeJS.Timeout;
  };
  nextAnalysis: 'pass' | 'fail';
}

/** How a test or a demo steers the simulated cluster. */
export interface SimulationSteering {
  /** The next canary analysis measures a failing value (0.91 against >= 0.99). */
  nextAnalysis?: 'pass' | 'fail';
}

/**
 * The simulated cluster outlives any one backend instance in this process, as a real cluster
 * outlives the portal: a restarted backend reconciles against it.
 */
const SHARED_CLUSTER = new Map<string, ServiceState>();

/** Forgets everything the simulated cluster holds (tests start from a known state). */
export function resetSimulatedCluster() {
  for (const state of SHARED_CLUSTER.values())
    clearTimeout(state.rollout?.timer);
  SHARED_CLUSTER.clear();
}

/**
 * A clearly labelled stand-in for a cluster ("Simulated cluster" on the page): deploys walk a
 * canary of weights, a pause for promotion and an analysis whose next result a test or a demo can
 * steer. State lives in this process, like a tiny Rollouts controller; it is the default of the
 * local portal only, never of production.
 */
export class SimulatedDriver implements DeployDriver {
  readonly id = 'simulated';
  readonly label = 'Simulated cluster';
  readonly simulated = true;
  readonly describe = {
    deployStep: 'Canary rollout (Simulated cluster)',
    cannotAbortReason:
      'only a canary deploy can be aborted; a rollback runs to its end',
    whereToLook: 'the simulated Rollout',
  };
  private readonly services: Map<string, ServiceState>;

  constructor(
    private readonly options: {
      stepDelayMs: number;
      cluster?: Map<string, ServiceState>;
    },
  ) {
    this.services = options.cluster ?? SHARED_CLUSTER;
  }

  private state(target: DeployTarget): ServiceState {
    const key = `${target.entityRef}|${target.environment}`;
    let state = this.services.get(key);
    if (!state) {
      state = {
        nextAnalysis: 'pass',
        // Two revisions, so there is something to roll back to from the start, each with the
        // version it runs (the page names revisions by version: "revision 2 (v1.3.1)").
        revisions: [
          {
            revision: '2',
            release: { version: '1.3.1' },
            status: 'deployed',
            description: 'Upgrade complete (simulated)',
            updatedAt: new Date(Date.now() - 86_400_000).toISOString(),
            current: true,
          },
          {
            revision: '1',
            release: { version: '1.3.0' },
            status: 'superseded',
            description: 'Install complete (simulated)',
            updatedAt: new Date(Date.now() - 7 * 86_400_000).toISOString(),
            current: false,
          },
        ],
      };
      this.services.set(key, state);
    }
    return state;
  }

  steer(target: DeployTarget, steering: SimulationSteering) {
    const state = this.state(target);
    if (steering.nextAnalysis) state.nextAnalysis = steering.nextAnalysis;
  }

  async history(target: DeployTarget): Promise<DriverRevision[]> {
    // The version each revision runs, for the page's "revision 4 (v1.3.1)" (Helm's app_version).
    return this.state(target).revisions.map(({ release, ...r }) => ({
      ...r,
      ...(release?.version ? { appVersion: release.version } : {}),
    }));
  }

  private addRevision(
    state: ServiceState,
    fields: Partial<Revision>,
  ): Revision {
    const revision: Revision = {
      revision: String(Number(state.revisions[0]?.revision ?? 0) + 1),
      status: 'pending',
      updatedAt: new Date().toISOString(),
      current: false,
      ...fields,
    };
    state.revisions.unshift(revision);
    return revision;
  }

  private makeCurrent(state: ServiceState, revision: string) {
    for (const r of state.revisions) {
      if (r.revision === revision) {
        r.status = 'deployed';
        r.current = true;
      } else if (r.current) {
        r.current = false;
        r.status = 'superseded';
      }
    }
  }

  private schedule(state: ServiceState) {
    const rollout = state.rollout!;
    clearTimeout(rollout.timer);
    rollout.timer = setTimeout(
      () => this.advance(state),
      this.options.stepDelayMs,
    );
    rollout.timer.unref?.();
  }

  /** One controller tick: move to the next canary step. */
  private advance(state: ServiceState) {
    const rollout = state.rollout;
    if (!rollout || rollout.phase !== 'progressing') return;
    rollout.stepIndex++;
    const step = CANARY[rollout.stepIndex];
    if (!step) {
      rollout.phase = 'succeeded';
      rollout.weight = 100;
      this.makeCurrent(state, rollout.revision);
      return;
    }
    if ('setWeight' in step) rollout.weight = step.setWeight;
    if ('pause' in step) {
      rollout.phase = 'paused';
      return;
    }
    if ('analysis' in step) {
      const failing = state.nextAnalysis === 'fail';
      state.nextAnalysis = 'pass';
      const value = failing ? 0.91 : 0.998;
      const metric: DriverMetric = {
        name: step.analysis.metric,
        value: String(value),
        condition: step.analysis.condition,
        phase: failing ? 'Failed' : 'Successful',
      };
      rollout.metrics = [metric];
      if (failing) {
        // Rollouts aborts on a failed analysis: traffic goes back to the stable revision.
        rollout.phase = 'failed';
        rollout.weight = 0;
        rollout.reasons = [
          `metric "${metric.name}" assessed Failed: measured ${value}, condition ${metric.condition}`,
        ];
        const r = state.revisions.find(x => x.revision === rollout.revision);
        if (r) r.status = 'failed';
        return;
      }
    }
    this.schedule(state);
  }

  private progress(state: ServiceState): DriverProgress {
    const rollout = state.rollout;
    if (!rollout) return { phase: 'unknown', message: 'Nothing deployed yet' };
    const total = CANARY.length;
    // -1 before the first tick, CANARY.length once every step is done (as a Rollout counts).
    const index = Math.min(rollout.stepIndex, total);
    const description = describeStep(CANARY[index]);
    const step = { index, total, ...(description ? { description } : {}) };
    return {
      phase: rollout.phase,
      revision: rollout.revision,
      canaryWeight: rollout.weight,
      metrics: rollout.metrics,
      step,
      message: canaryStepWords(step),
      reasons: rollout.reasons.length ? rollout.reasons : undefined,
      analysisFailed: rollout.phase === 'failed' || undefined,
    };
  }

  async deploy(
    target: DeployTarget,
    release: DeployRelease,
  ): Promise<DriverProgress> {
    const state = this.state(target);
    if (
      state.rollout?.phase === 'progressing' ||
      state.rollout?.phase === 'paused'
    ) {
      return {
        phase: 'failed',
        reasons: ['Another rollout is in progress in the simulated cluster'],
      };
    }
    const revision = this.addRevision(state, {
      release,
      image: release.image,
      description: `Deploy ${release.version ?? release.digest ?? ''}`.trim(),
    });
    state.rollout = {
      revision: revision.revision,
      stepIndex: -1,
      phase: 'progressing',
      weight: 0,
      metrics: [],
      reasons: [],
    };
    this.schedule(state);
    return this.progress(state);
  }

  async observe(
    target: DeployTarget,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const state = this.state(target);
    if (
      state.rollout &&
      ctx.baselineRevision &&
      Number(state.rollout.revision) <= Number(ctx.baselineRevision)
    ) {
      return { phase: 'unknown', message: 'No change since the baseline' };
    }
    return this.progress(state);
  }

  async promote(target: DeployTarget) {
    const state = this.state(target);
    if (state.rollout?.phase !== 'paused') return;
    state.rollout.phase = 'progressing';
    this.advance(state);
  }

  async abort(target: DeployTarget) {
    const state = this.state(target);
    const rollout = state.rollout;
    if (
      !rollout ||
      (rollout.phase !== 'progressing' && rollout.phase !== 'paused')
    )
      return;
    clearTimeout(rollout.timer);
    rollout.phase = 'aborted';
    rollout.weight = 0;
    rollout.reasons = ['Aborted: traffic returned to the stable revision'];
    const r = state.revisions.find(x => x.revision === rollout.revision);
    if (r) r.status = 'aborted';
  }

  private find(state: ServiceState, revision: string | undefined) {
    const current = state.revisions.find(r => r.current);
    const wanted =
      revision ??
      state.revisions.find(
        r =>
          !r.current &&
          r.status !== 'failed' &&
          r.status !== 'aborted' &&
          Number(r.revision) < Number(current?.revision ?? Infinity),
      )?.revision;
    return state.revisions.find(r => r.revision === wanted);
  }

  async rollback(
    target: DeployTarget,
    revision: string | undefined,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const state = this.state(target);
    const from = this.find(state, revision);
    if (!from) {
      return {
        phase: 'failed',
        reasons: [`Revision ${revision ?? '(previous)'} does not exist`],
      };
    }
    await ctx.report({
      phase: 'progressing',
      message: `Rolling back to ${revisionWords(from)}`,
    });
    await new Promise(r => setTimeout(r, this.options.stepDelayMs));
    const created = this.addRevision(state, {
      release: from.release,
      image: from.image,
      description: `Rollback to ${from.revision}`,
    });
    this.makeCurrent(state, created.revision);
    return {
      phase: 'succeeded',
      revision: created.revision,
      message: `Rolled back to ${revisionWords(from)} as revision ${
        created.revision
      }`,
    };
  }

  async rollbackDryRun(
    target: DeployTarget,
    revision: string | undefined,
  ): Promise<DriverProgress> {
    const state = this.state(target);
    const from = this.find(state, revision);
    await new Promise(r => setTimeout(r, this.options.stepDelayMs));
    if (!from) {
      return {
        phase: 'failed',
        reasons: [
          `No revision ${revision ?? 'before the current one'} to roll back to`,
        ],
      };
    }
    return {
      phase: 'succeeded',
      revision: from.revision,
      message: `Rollback to ${revisionWords(
        from,
      )} would succeed (dry run, nothing changed)`,
    };
  }
}

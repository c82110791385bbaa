/**
 * A small stand-in for the Argo Rollouts controller, for the test peer: one `reconcile` call is
 * one controller action on a Rollout (observe a new template, run one canary step, take one
 * analysis measurement, resume after a promote, finish, or abort).
 */
import {
  AnalysisMetric,
  AnalysisRun,
  REVISION_ANNOTATION,
  Rollout,
} from '../../drivers/argoRollouts/types';
import {
  ControllerStore,
  createRun,
  ensureReplicaSet,
  Measurement,
  measure,
  now,
  ownedReplicaSets,
  templateHash,
} from './controllerObjects';

type Status = NonNullable<Rollout['status']>;

/** The stand-in controller. */
export class RolloutsController {
  /** The value and verdict of every measurement from now on (steer it from a test). */
  measurement: Measurement = { value: 'true', phase: 'Successful' };
  /** Write `status.canary.weights` (as with traffic routing); off leaves only the steps. */
  recordWeights = true;

  constructor(
    private readonly store: ControllerStore,
    /** The metrics of the AnalysisRuns it creates. */
    public metrics: AnalysisMetric[],
  ) {}

  private abort(rollout: Rollout, message: string) {
    const status = rollout.status!;
    status.abort = true;
    status.abortedAt = now();
    status.phase = 'Degraded';
    status.message = `RolloutAborted: ${message}`;
    status.currentStepIndex = 0;
    delete status.pauseConditions;
    delete status.controllerPause;
    if (status.canary?.weights) {
      status.canary.weights = {
        canary: { weight: 0, podTemplateHash: status.currentPodHash },
        stable: { weight: 100, podTemplateHash: status.stableRS },
      };
    }
    status.conditions = [
      ...(status.conditions ?? []).filter(c => c.type !== 'Progressing'),
      {
        type: 'Progressing',
        status: 'False',
        reason: 'RolloutAborted',
        message,
      },
    ];
  }

  /** A new template was observed: make its revision and start the canary (or go straight back). */
  private start(rollout: Rollout, hash: string) {
    const status = rollout.status!;
    const steps = rollout.spec.strategy?.canary?.steps ?? [];
    const revisions = ownedReplicaSets(this.store, rollout).map(rs =>
      Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0),
    );
    const revision =
      Math.max(
        0,
        Number(rollout.metadata.annotations?.[REVISION_ANNOTATION] ?? 0),
        ...revisions,
      ) + 1;
    ensureReplicaSet(this.store, rollout, hash, revision);
    rollout.metadata.annotations = {
      ...rollout.metadata.annotations,
      [REVISION_ANNOTATION]: String(revision),
    };
    for (const k of [
      'abort',
      'abortedAt',
      'pauseConditions',
      'controllerPause',
    ] as const)
      delete status[k];
    status.conditions = (status.conditions ?? []).filter(
      c => c.type !== 'Progressing',
    );
    status.currentPodHash = hash;
    status.canary = {};
    if (hash === status.stableRS) {
      // Back to the stable pods (an undo after an abort): no steps to walk.
      status.phase = 'Healthy';
      status.message = '';
      status.currentStepIndex = steps.length;
      return;
    }
    status.phase = 'Progressing';
    status.message = 'more replicas need to be updated';
    status.currentStepIndex = 0;
    if (
      (rollout.spec.strategy?.canary as { analysis?: unknown } | undefined)
        ?.analysis
    ) {
      status.canary.currentBackgroundAnalysisRunStatus = createRun(
        this.store,
        this.metrics,
        rollout,
        `${rollout.metadata.name}-${hash}-${revision}`,
        'Background',
        hash,
      );
    }
  }

  /** All steps done: the new pods become the stable ones. */
  private complete(rollout: Rollout) {
    const status = rollout.status!;
    const bg = status.canary?.currentBackgroundAnalysisRunStatus;
    if (bg?.status === 'Running') {
      const run = this.store.get<AnalysisRun>(
        'analysisruns',
        rollout.metadata.namespace ?? '',
        bg.name,
      )!;
      for (const r of run.status?.metricResults ?? [])
        if (r.phase === 'Running') r.phase = 'Successful';
      run.status!.phase = 'Successful';
      this.store.save('analysisruns', run);
      bg.status = 'Successful';
    }
    status.stableRS = status.currentPodHash;
    status.phase = 'Healthy';
    status.message = '';
    delete status.canary?.weights;
  }

  /** One controller action on the Rollout `ns/name`. */
  reconcile(ns: string, name: string): void {
    const rollout = this.store.get<Rollout>('rollouts', ns, name);
    if (!rollout) throw new Error(`no Rollout ${ns}/${name} in the peer`);
    const status: Status = (rollout.status ??= {});
    this.step(rollout, status);
    this.store.save('rollouts', rollout);
  }

  private step(rollout: Rollout, status: Status) {
    const steps = rollout.spec.strategy?.canary?.steps ?? [];
    const generation = String(rollout.metadata.generation ?? 1);
    if (String(status.observedGeneration) !== generation) {
      status.observedGeneration = generation;
      const hash = templateHash(this.store, rollout);
      if (hash !== status.currentPodHash) return this.start(rollout, hash);
    }
    if (status.abort) {
      const rev = rollout.metadata.annotations?.[REVISION_ANNOTATION];
      if (status.phase !== 'Degraded')
        this.abort(rollout, `Rollout aborted update to revision ${rev}`);
      return undefined;
    }
    if (status.phase === 'Healthy') return undefined;
    const ns = rollout.metadata.namespace ?? '';
    const bg = status.canary?.currentBackgroundAnalysisRunStatus;
    if (bg?.status === 'Running') {
      const verdict = measure(this.store, this.measurement, ns, bg.name, false);
      Object.assign(bg, verdict);
      if (verdict.status === 'Failed')
        return this.abort(rollout, verdict.message ?? 'analysis failed');
    }
    const index = status.currentStepIndex ?? 0;
    if (status.phase === 'Paused') {
      if ((status.pauseConditions ?? []).length > 0 || rollout.spec.paused)
        return undefined;
      // Promoted: the pause step (or the inconclusive analysis step) is done.
      if (steps[index]?.pause || steps[index]?.analysis) {
        status.currentStepIndex = index + 1;
        delete status.canary?.currentStepAnalysisRunStatus;
      }
      status.phase = 'Progressing';
      delete status.controllerPause;
      return undefined;
    }
    if (index >= steps.length) return this.complete(rollout);
    const step = steps[index];
    if (typeof step.setWeight === 'number') {
      if (this.recordWeights) {
        status.canary = {
          ...status.canary,
          weights: {
            canary: {
              weight: step.setWeight,
              podTemplateHash: status.currentPodHash,
            },
            stable: {
              weight: 100 - step.setWeight,
              podTemplateHash: status.stableRS,
            },
          },
        };
      }
      status.currentStepIndex = index + 1;
    } else if (step.pause) {
      status.pauseConditions = [
        { reason: 'CanaryPauseStep', startTime: now() },
      ];
      status.controllerPause = true;
      status.phase = 'Paused';
      status.message = 'CanaryPauseStep';
    } else if (step.analysis) {
      const canary = (status.canary ??= {});
      const current = canary.currentStepAnalysisRunStatus;
      if (!current) {
        const rev = rollout.metadata.annotations?.[REVISION_ANNOTATION];
        canary.currentStepAnalysisRunStatus = createRun(
          this.store,
          this.metrics,
          rollout,
          `${rollout.metadata.name}-${status.currentPodHash}-${rev}-${index}`,
          'Step',
          status.currentPodHash ?? '',
        );
        return undefined;
      }
      const verdict = measure(
        this.store,
        this.measurement,
        ns,
        current.name,
        true,
      );
      Object.assign(current, verdict);
      if (verdict.status === 'Failed')
        return this.abort(rollout, verdict.message ?? 'analysis failed');
      if (verdict.status === 'Inconclusive') {
        status.pauseConditions = [
          { reason: 'InconclusiveAnalysis', startTime: now() },
        ];
        status.phase = 'Paused';
        return undefined;
      }
      if (verdict.status === 'Successful') {
        status.currentStepIndex = index + 1;
        delete canary.currentStepAnalysisRunStatus;
      }
    } else {
      status.currentStepIndex = index + 1;
    }
    return undefined;
  }
}

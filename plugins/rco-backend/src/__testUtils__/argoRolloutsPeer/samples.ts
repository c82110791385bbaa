/**
 * The peer's starting points, made from the argo-rollouts golden samples in the shared samples
 * folder (read by path, never copied into the repository).
 */
import { parse } from 'yaml';
import { readSample } from '../fixtures';
import {
  AnalysisRun,
  CanaryStep,
  Rollout,
} from '../../drivers/argoRollouts/types';
import { ensureReplicaSet, templateHash } from './controllerObjects';
import { KubeApiPeer } from './KubeApiPeer';

/** The canary the tests' Rollouts walk: 20 % → pause → 50 % → analysis → 100 %. */
export const CANARY_STEPS = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 50 },
  { analysis: { templates: [{ templateName: 'web' }] } },
  { setWeight: 100 },
];

/** A Rollout aborted by a failed background analysis (argoproj/argo-rollouts golden). */
export const ROLLOUT_SAMPLE = 'argo-rollouts-rollout-aborted-canary.yaml';
/** The failed AnalysisRun that aborted it. */
export const ANALYSISRUN_SAMPLE = 'argo-rollouts-analysisrun-failed.yaml';
/**
 * The image of the sample's stable pods: the sample only shows the canary's template
 * (`rollouts-demo:yellow`), so the peer assumes the previous colour of the demo for revision 1.
 */
export const STABLE_IMAGE = 'argoproj/rollouts-demo:blue';

/** The sample Rollout, parsed. */
export function sampleRollout(): Rollout {
  return parse(readSample(ROLLOUT_SAMPLE)) as Rollout;
}

/** The sample AnalysisRun, parsed. */
export function sampleAnalysisRun(): AnalysisRun {
  return parse(readSample(ANALYSISRUN_SAMPLE)) as AnalysisRun;
}

/** Starts a peer whose controller creates AnalysisRuns with the sample's metric (`web`). */
export function startSamplePeer(token: string): Promise<KubeApiPeer> {
  return KubeApiPeer.start({
    token,
    metrics: sampleAnalysisRun().spec.metrics ?? [],
  });
}

type Ref = { namespace: string; name: string };

/**
 * Stores the sample Rollout and AnalysisRun exactly as they are, plus the two ReplicaSets they
 * imply: revision 1 (`status.stableRS`, {@link STABLE_IMAGE}) and revision 2
 * (`status.currentPodHash`, the Rollout's template).
 */
export function seedAbortedSample(peer: KubeApiPeer): Ref {
  const rollout = sampleRollout();
  peer.put('rollouts', rollout);
  peer.put('analysisruns', sampleAnalysisRun());
  const stable = structuredClone(rollout.spec.template!);
  stable.spec!.containers![0].image = STABLE_IMAGE;
  ensureReplicaSet(peer.store, rollout, rollout.status!.stableRS!, 1, stable);
  ensureReplicaSet(peer.store, rollout, rollout.status!.currentPodHash!, 2);
  return {
    namespace: rollout.metadata.namespace!,
    name: rollout.metadata.name!,
  };
}

/**
 * Stores a Healthy Rollout made from the sample: revision 1 running {@link STABLE_IMAGE}, all
 * steps done, background analysis kept (unless turned off) and the steps replaced when given.
 */
export function seedHealthy(
  peer: KubeApiPeer,
  options: { steps?: CanaryStep[]; backgroundAnalysis?: boolean } = {},
): Ref {
  const rollout = sampleRollout();
  const canary = rollout.spec.strategy!.canary!;
  if (options.steps) canary.steps = options.steps;
  if (options.backgroundAnalysis === false) delete canary.analysis;
  rollout.spec.template!.spec!.containers![0].image = STABLE_IMAGE;
  delete (rollout.metadata as Record<string, unknown>).selfLink;
  rollout.metadata.generation = 1;
  rollout.metadata.annotations = { 'rollout.argoproj.io/revision': '1' };
  const hash = templateHash(peer.store, rollout);
  rollout.status = {
    phase: 'Healthy',
    observedGeneration: '1',
    currentPodHash: hash,
    stableRS: hash,
    currentStepIndex: canary.steps?.length ?? 0,
    canary: {},
    conditions: [
      {
        type: 'Available',
        status: 'True',
        reason: 'AvailableReason',
        message: 'Rollout has minimum availability',
      },
    ],
  };
  peer.put('rollouts', rollout);
  ensureReplicaSet(peer.store, rollout, hash, 1);
  return {
    namespace: rollout.metadata.namespace!,
    name: rollout.metadata.name!,
  };
}

import { mockServices } from '@backstage/backend-test-utils';
import type {
  DeployDriver,
  DeployTarget,
  DriverContext,
  DriverProgress,
} from '@helix-portal/plugin-rco-node';
import { canaryStepWords } from '@helix-portal/plugin-rco-common';
import { ArgoRolloutsDriver } from './ArgoRolloutsDriver';
import { KubeApiPeer } from '../../__testUtils__/argoRolloutsPeer/KubeApiPeer';
import {
  seedAbortedSample,
  CANARY_STEPS as STEPS,
  seedHealthy,
  STABLE_IMAGE,
  startSamplePeer,
} from '../../__testUtils__/argoRolloutsPeer/samples';
import { ReplicaSet, Rollout } from './types';

const TOKEN = 'peer-token-9f3c1a';
const NEW_IMAGE = 'argoproj/rollouts-demo:yellow';
const HASH = 'rollouts-pod-template-hash';

let peer: KubeApiPeer;
beforeEach(async () => {
  peer = await startSamplePeer(TOKEN);
});
afterEach(() => peer.close());

type Ref = { namespace: string; name: string };

function target(ref: Ref, extra: Partial<DeployTarget> = {}): DeployTarget {
  return {
    entityRef: 'component:default/rollouts-demo',
    environment: 'staging',
    driver: 'argo-rollouts',
    // client-node only speaks plain HTTP to a cluster marked skipTLSVerify.
    cluster: {
      name: 'peer',
      url: peer.url,
      serviceAccountToken: TOKEN,
      skipTLSVerify: true,
    },
    namespace: ref.namespace,
    rollout: { name: ref.name },
    timeoutMs: 5000,
    ...extra,
  };
}

function context(extra: Partial<DriverContext> = {}) {
  const reports: DriverProgress[] = [];
  const ctx: DriverContext = {
    operationId: 'op-1',
    logger: mockServices.logger.mock(),
    signal: new AbortController().signal,
    report: async p => {
      reports.push(p);
    },
    ...extra,
  };
  return { ctx, reports };
}

const driver = new ArgoRolloutsDriver({ pollIntervalMs: 10 });
const rollout = (ref: Ref) =>
  peer.get<Rollout>('rollouts', ref.namespace, ref.name)!;

/** Deploys NEW_IMAGE and runs controller actions until the canary pauses at step 2. */
async function deployToPause(ref: Ref) {
  const { ctx } = context();
  await driver.deploy(target(ref), { image: NEW_IMAGE }, ctx);
  peer.reconcile(ref.namespace, ref.name, 3);
  expect(rollout(ref).status?.phase).toBe('Paused');
}

describe('ArgoRolloutsDriver against an HTTP Kubernetes API peer', () => {
  it('is the argo-rollouts driver', () => {
    expect(driver.id).toBe('argo-rollouts');
    expect(driver.label).toBe('Argo Rollouts');
    expect((driver as DeployDriver).simulated).toBeUndefined();
  });

  it('deploys like `set image`: reads the Rollout and PUTs it back with only the image changed', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    const before = rollout(ref);
    const { ctx } = context();

    const result = await driver.deploy(target(ref), { image: NEW_IMAGE }, ctx);

    expect(result.phase).toBe('progressing');
    const writes = peer.writes();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      method: 'PUT',
      path: `/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/${ref.name}`,
      contentType: 'application/json',
      status: 200,
    });
    const expected = structuredClone(before);
    expected.spec.template!.spec!.containers![0].image = NEW_IMAGE;
    expect(writes[0].body).toEqual(expected);
    // The API server took it: a new generation the controller has not observed yet.
    const after = rollout(ref);
    expect(after.spec.template?.spec?.containers?.[0].image).toBe(NEW_IMAGE);
    expect(after.metadata.generation).toBe(2);
    expect(await driver.observe(target(ref), ctx)).toMatchObject({
      phase: 'progressing',
      message: 'waiting for the controller to observe generation 2',
    });
  });

  it('pins the current repository to the release digest and retries a conflicting update', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    const digest = `sha256:${'ab'.repeat(32)}`;
    let raced = false;
    peer.onRequest = r => {
      if (r.method === 'PUT' && !raced) {
        raced = true; // someone else writes between our GET and PUT
        peer.put('rollouts', rollout(ref));
      }
    };
    await driver.deploy(
      target(ref, { rollout: { name: ref.name, container: 'rollouts-demo' } }),
      { digest },
      context().ctx,
    );
    expect(peer.writes().map(w => w.status)).toEqual([409, 200]);
    expect(rollout(ref).spec.template?.spec?.containers?.[0].image).toBe(
      `argoproj/rollouts-demo@${digest}`,
    );
  });

  it('follows the canary: progressing, paused with its weight, promoted, succeeded', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    const t = target(ref);
    const { ctx } = context({ baselineRevision: '1' });
    await driver.deploy(t, { image: NEW_IMAGE }, ctx);

    peer.reconcile(ref.namespace, ref.name); // observes the new template: revision 2
    expect(await driver.observe(t, ctx)).toMatchObject({
      phase: 'progressing',
      revision: '2',
      step: { index: 0, total: 5, description: 'setWeight 20' },
      message: 'Step 1 of 5: setWeight 20',
    });
    peer.reconcile(ref.namespace, ref.name, 2); // setWeight 20, then the pause
    expect(await driver.observe(t, ctx)).toMatchObject({
      phase: 'paused',
      message: 'Step 2 of 5: paused, waiting for Promote',
      canaryWeight: 20,
      step: { index: 1, total: 5 },
    });

    const before = peer.requests.length;
    await driver.promote(t, ctx);
    const sent = peer.requests.slice(before);
    expect(
      sent.map(r => [r.method, r.path.split('/').slice(-2).join('/')]),
    ).toEqual([
      ['GET', `rollouts/${ref.name}`],
      ['PATCH', `${ref.name}/status`],
    ]);
    expect(sent[1].contentType).toBe('application/merge-patch+json');
    expect(sent[1].body).toEqual({ status: { pauseConditions: null } });
    expect(rollout(ref).status?.pauseConditions).toBeUndefined();

    peer.reconcile(ref.namespace, ref.name, 2); // resumes, setWeight 50
    expect(await driver.observe(t, ctx)).toMatchObject({ canaryWeight: 50 });
    peer.reconcile(ref.namespace, ref.name, 4); // analysis step, setWeight 100, done
    const done = await driver.observe(t, ctx);
    expect(done).toMatchObject({
      phase: 'succeeded',
      revision: '2',
      canaryWeight: 100,
      // Past the last of the five steps, as the controller records it: never "step 6 of 5".
      step: { index: 5, total: 5 },
    });
    expect(canaryStepWords(done.step!)).toBe('All steps done (5 of 5)');
    expect(done.metrics).toContainEqual({
      name: 'web',
      value: 'true',
      condition: 'successCondition result == "true", failureLimit 0',
      phase: 'Successful',
    });
    expect(rollout(ref).status?.stableRS).toBe(
      rollout(ref).status?.currentPodHash,
    );

    const history = await driver.history(t, ctx);
    expect(
      history.map(h => [h.revision, h.image, h.current, h.status]),
    ).toEqual([
      ['2', NEW_IMAGE, true, 'stable'],
      ['1', STABLE_IMAGE, false, 'superseded'],
    ]);
  });

  it('reports a failed analysis with the measured value and condition, then undo patches the template back', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    const t = target(ref);
    await deployToPause(ref);
    peer.controller.measurement = { value: 'false', phase: 'Failed' };
    await driver.promote(t, context().ctx);
    peer.reconcile(ref.namespace, ref.name); // the background analysis fails: abort

    const failed = await driver.observe(t, context().ctx);
    expect(failed).toMatchObject({
      phase: 'failed',
      analysisFailed: true,
      revision: '2',
      canaryWeight: 0,
    });
    expect(failed.reasons).toEqual([
      'metric "web" assessed Failed due to failed (1) > failureLimit (0)',
      'metric "web" measured false against successCondition result == "true", failureLimit 0: Failed',
    ]);
    expect(failed.metrics).toEqual([
      {
        name: 'web',
        value: 'false',
        condition: 'successCondition result == "true", failureLimit 0',
        phase: 'Failed',
      },
    ]);

    // The control plane rolls back: undo to the previous revision.
    peer.reconcileOnRead = true;
    const { ctx, reports } = context();
    const before = peer.requests.length;
    const result = await driver.rollback(t, undefined, ctx);

    const patch = peer.requests.slice(before).find(r => r.method === 'PATCH')!;
    expect(patch.contentType).toBe('application/json-patch+json');
    const rev1 = peer
      .list<ReplicaSet>('replicasets', ref.namespace)
      .find(
        rs => rs.metadata.annotations?.['rollout.argoproj.io/revision'] === '3',
      )!;
    const restored = structuredClone(rev1.spec!.template!);
    delete restored.metadata!.labels![HASH];
    expect(patch.body).toEqual([
      { op: 'replace', path: '/spec/template', value: restored },
    ]);
    expect(restored.spec?.containers?.[0].image).toBe(STABLE_IMAGE);
    expect(result).toMatchObject({ phase: 'succeeded', revision: '3' });
    expect(result.message).toBe(
      'rolled back to revision 1, now serving as revision 3',
    );
    expect(reports[0].message).toMatch(/^rolling back to revision 1 /);
    expect(rollout(ref).spec.template?.spec?.containers?.[0].image).toBe(
      STABLE_IMAGE,
    );
    expect(rollout(ref).status).toMatchObject({ phase: 'Healthy' });
  });

  it('tells a human abort from an analysis failure, and reads the weight from the steps without traffic routing', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    peer.controller.recordWeights = false;
    await deployToPause(ref);
    const t = target(ref);
    expect(await driver.observe(t, context().ctx)).toMatchObject({
      phase: 'paused',
      canaryWeight: 20,
    });

    await driver.abort(t, context().ctx);
    const abortPatch = peer.writes().at(-1)!;
    expect(abortPatch).toMatchObject({
      method: 'PATCH',
      path: `/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/${ref.name}/status`,
      contentType: 'application/merge-patch+json',
      body: { status: { abort: true } },
    });
    peer.reconcile(ref.namespace, ref.name);
    const aborted = await driver.observe(t, context().ctx);
    expect(aborted.phase).toBe('aborted');
    expect(aborted.analysisFailed).toBeUndefined();
    expect(aborted).toMatchObject({ canaryWeight: 0, revision: '2' });
    expect(aborted.reasons).toEqual([
      'RolloutAborted: Rollout aborted update to revision 2',
    ]);
  });

  it('promotes a hand-paused Rollout with the status patch then the spec patch', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    await deployToPause(ref);
    const paused = rollout(ref);
    paused.spec.paused = true;
    peer.put('rollouts', paused);
    const deployWrites = peer.writes().length;
    await driver.promote(target(ref), context().ctx);
    expect(
      peer
        .writes()
        .slice(deployWrites)
        .map(w => [w.path.endsWith('/status'), w.contentType, w.body]),
    ).toEqual([
      [
        true,
        'application/merge-patch+json',
        { status: { pauseConditions: null } },
      ],
      [false, 'application/merge-patch+json', { spec: { paused: false } }],
    ]);
    expect(rollout(ref).spec.paused).toBe(false);
    expect(rollout(ref).status?.pauseConditions).toBeUndefined();
  });

  it('promotes past a running analysis step by moving the step index, as the plugin does', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    await deployToPause(ref);
    await driver.promote(target(ref), context().ctx);
    peer.reconcile(ref.namespace, ref.name, 3); // resume, setWeight 50, analysis starts
    expect(rollout(ref).status?.currentStepIndex).toBe(3);
    await driver.promote(target(ref), context().ctx);
    expect(peer.writes().at(-1)!.body).toEqual({
      status: { pauseConditions: null, currentStepIndex: 4 },
    });
  });

  it('reads the golden aborted Rollout and its failed AnalysisRun as they are', async () => {
    const ref = seedAbortedSample(peer);
    const t = target(ref);
    const progress = await driver.observe(t, context().ctx);
    expect(progress).toMatchObject({
      phase: 'failed',
      analysisFailed: true,
      revision: '2',
      canaryWeight: 0,
      step: { index: 0, total: 2 },
    });
    expect(progress.reasons).toEqual([
      'metric "web" assessed Failed due to failed (1) > failureLimit (0)',
      'metric "web" measured false against successCondition result == "true", failureLimit 0: Failed',
    ]);
    expect(progress.metrics).toEqual([
      {
        name: 'web',
        value: 'false',
        condition: 'successCondition result == "true", failureLimit 0',
        phase: 'Failed',
      },
    ]);
    const reads = peer.requests.map(r => r.path);
    expect(reads).toContain(
      '/apis/argoproj.io/v1alpha1/namespaces/default/analysisruns/rollout-background-analysis-db976bc44-2',
    );

    const history = await driver.history(t, context().ctx);
    expect(history).toMatchObject([
      { revision: '2', image: NEW_IMAGE, current: false, status: 'aborted' },
      { revision: '1', image: STABLE_IMAGE, current: true, status: 'stable' },
    ]);
    const list = peer.requests.find(r => r.path.endsWith('/replicasets'))!;
    expect(list.query).toEqual({
      labelSelector: 'app=rollout-background-analysis',
    });
  });

  it('dry-runs the rollback of the golden Rollout on the server and changes nothing', async () => {
    const ref = seedAbortedSample(peer);
    const before = rollout(ref);
    const result = await driver.rollbackDryRun(
      target(ref),
      undefined,
      context().ctx,
    );

    expect(result).toMatchObject({ phase: 'succeeded', revision: '1' });
    expect(result.message).toContain(STABLE_IMAGE);
    const writes = peer.writes();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      method: 'PATCH',
      query: { dryRun: 'All' },
      contentType: 'application/json-patch+json',
      status: 200,
    });
    expect(rollout(ref)).toEqual(before);
  });

  it('fails a dry run with reasons: unknown revision, broken template, rejected by the server', async () => {
    const ref = seedAbortedSample(peer);
    const t = target(ref);
    expect(await driver.rollbackDryRun(t, '7', context().ctx)).toEqual({
      phase: 'failed',
      reasons: ['unable to find specified revision 7 in history'],
    });
    expect(peer.writes()).toHaveLength(0);

    const rs = peer
      .list<ReplicaSet>('replicasets', ref.namespace)
      .find(
        r => r.metadata.annotations?.['rollout.argoproj.io/revision'] === '1',
      )!;
    const good = structuredClone(rs);
    delete rs.spec!.template!.spec!.containers![0].image;
    peer.put('replicasets', rs);
    expect(await driver.rollbackDryRun(t, '1', context().ctx)).toMatchObject({
      phase: 'failed',
      reasons: ['container "rollouts-demo" has no image'],
    });
    expect(peer.writes()).toHaveLength(0);

    peer.put('replicasets', good);
    peer.admission = ro =>
      ro.spec.template.spec.containers[0].image === STABLE_IMAGE
        ? 'image argoproj/rollouts-demo:blue is not signed'
        : undefined;
    const before = rollout(ref);
    expect(await driver.rollbackDryRun(t, '1', context().ctx)).toEqual({
      phase: 'failed',
      reasons: [
        `dry-run patching Rollout default/rollout-background-analysis failed: cluster "peer" (${peer.url}) answered HTTP 400: admission webhook "validate.peer" denied the request: image argoproj/rollouts-demo:blue is not signed`,
      ],
    });
    expect(peer.writes()).toMatchObject([
      { query: { dryRun: 'All' }, status: 400 },
    ]);
    expect(rollout(ref)).toEqual(before);
  });

  it('gives a clear error without the token when the cluster refuses it', async () => {
    const ref = seedAbortedSample(peer);
    const wrong = 'wrong-token-7d1e5b';
    const t = target(ref, {
      cluster: {
        name: 'peer',
        url: peer.url,
        serviceAccountToken: wrong,
        skipTLSVerify: true,
      },
    });
    const error = await driver.observe(t, context().ctx).catch(e => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `reading Rollout default/rollout-background-analysis failed: cluster "peer" (${peer.url}) answered 401 Unauthorized — the service account token was refused (check serviceAccountToken of the cluster in the kubernetes config)`,
    );
    await expect(
      driver.deploy(t, { image: NEW_IMAGE }, context().ctx),
    ).rejects.toThrow(/401 Unauthorized/);
    const dry = await driver.rollbackDryRun(t, undefined, context().ctx);
    expect(dry.phase).toBe('failed');
    for (const text of [(error as Error).message, ...(dry.reasons ?? [])]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(TOKEN);
    }
    expect(peer.requests.every(r => r.status === 401)).toBe(true);
  });

  it('says unknown when the controller made no revision after the baseline, or the Rollout is gone', async () => {
    const ref = seedHealthy(peer, { steps: STEPS });
    expect(
      await driver.observe(target(ref), context({ baselineRevision: '1' }).ctx),
    ).toMatchObject({ phase: 'unknown', revision: '1' });
    expect(
      await driver.observe(target({ ...ref, name: 'missing' }), context().ctx),
    ).toMatchObject({
      phase: 'unknown',
      message: 'Rollout default/missing not found',
    });
  });

  it('gives up following a rollback at the timeout, and stops at once when the backend stops', async () => {
    const ref = seedAbortedSample(peer);
    const slow = await driver.rollback(
      target(ref, { timeoutMs: 100 }),
      '1',
      context().ctx,
    );
    expect(slow.phase).toBe('failed');
    expect(slow.reasons?.[0]).toMatch(
      /did not become Healthy on revision 1 within 0.1s \(last: waiting for the controller to observe generation 16\)/,
    );

    const stopping = new AbortController();
    stopping.abort();
    const stopped = await driver.rollback(
      target(ref),
      '1',
      context({ signal: stopping.signal }).ctx,
    );
    expect(stopped).toMatchObject({
      phase: 'progressing',
      message: 'stopped following the rollback: the backend is stopping',
    });
  });

  it('needs a cluster and a Rollout name', async () => {
    const ref = seedHealthy(peer);
    await expect(
      driver.history(target(ref, { cluster: undefined }), context().ctx),
    ).rejects.toThrow(
      'environment "staging" has no Kubernetes cluster for the argo-rollouts driver',
    );
    await expect(
      driver.history(target(ref, { rollout: undefined }), context().ctx),
    ).rejects.toThrow('names no Rollout');
  });
});

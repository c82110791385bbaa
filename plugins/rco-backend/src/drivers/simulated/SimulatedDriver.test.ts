import { DeployTarget, DriverContext } from '@helix-portal/plugin-rco-node';
import { ServiceState, SimulatedDriver } from './SimulatedDriver';

const target: DeployTarget = {
  entityRef: 'component:default/rco',
  environment: 'staging',
  driver: 'simulated',
  namespace: 'rco',
  timeoutMs: 60_000,
};
const ctx = {
  report: async () => {},
} as unknown as DriverContext;

describe('SimulatedDriver progress', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('counts its canary steps truthfully: before the first, at each, paused, after the last', async () => {
    const driver = new SimulatedDriver({
      stepDelayMs: 10,
      cluster: new Map<string, ServiceState>(),
    });
    const started = await driver.deploy(target, { version: '1.3.2' });
    expect(started).toMatchObject({
      phase: 'progressing',
      step: { index: -1, total: 5 },
      message: 'Before step 1 of 5',
    });
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      jest.advanceTimersByTime(10);
      seen.push((await driver.observe(target, ctx)).message!);
    }
    expect(seen).toEqual([
      'Step 1 of 5: set weight 20%',
      'Step 2 of 5: paused, waiting for Promote',
    ]);
    expect(await driver.observe(target, ctx)).toMatchObject({
      phase: 'paused',
    });
    await driver.promote(target);
    expect((await driver.observe(target, ctx)).message).toBe(
      'Step 3 of 5: set weight 50%',
    );
    jest.advanceTimersByTime(10);
    expect((await driver.observe(target, ctx)).message).toBe(
      'Step 4 of 5: analysis success-rate',
    );
    jest.advanceTimersByTime(10);
    expect((await driver.observe(target, ctx)).message).toBe(
      'Step 5 of 5: set weight 100%',
    );
    jest.advanceTimersByTime(10);
    expect(await driver.observe(target, ctx)).toMatchObject({
      phase: 'succeeded',
      step: { index: 5, total: 5 },
      message: 'All steps done (5 of 5)',
      canaryWeight: 100,
    });
  });

  it('says the version a revision runs when it rolls back to it', async () => {
    const driver = new SimulatedDriver({
      stepDelayMs: 10,
      cluster: new Map<string, ServiceState>(),
    });
    await driver.deploy(target, { version: '1.3.1' });
    for (let i = 0; i < 2; i++) jest.advanceTimersByTime(10);
    await driver.promote(target);
    for (let i = 0; i < 3; i++) jest.advanceTimersByTime(10);
    await driver.deploy(target, { version: '1.3.2' });
    for (let i = 0; i < 2; i++) jest.advanceTimersByTime(10);
    await driver.promote(target);
    for (let i = 0; i < 3; i++) jest.advanceTimersByTime(10);
    const history = await driver.history(target);
    expect(history.map(r => [r.revision, r.appVersion, r.current])).toEqual([
      ['4', '1.3.2', true],
      ['3', '1.3.1', false],
      // The revisions the simulated cluster starts with run versions too.
      ['2', '1.3.1', false],
      ['1', '1.3.0', false],
    ]);
    const dryRun = driver.rollbackDryRun(target, '3');
    jest.advanceTimersByTime(10);
    expect((await dryRun).message).toBe(
      'Rollback to revision 3 (v1.3.1) would succeed (dry run, nothing changed)',
    );
    const back = driver.rollback(target, '3', ctx);
    await Promise.resolve();
    jest.advanceTimersByTime(10);
    expect((await back).message).toBe(
      'Rolled back to revision 3 (v1.3.1) as revision 5',
    );
  });
});

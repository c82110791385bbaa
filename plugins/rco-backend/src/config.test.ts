import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  parseDuration,
  readDuration,
  readRcoConfig,
  requireDemoEvidenceDir,
} from './config';
import { Environments } from './operations/environments';

const read = (rco: JsonObject) => readRcoConfig(new ConfigReader({ rco }));

/** Sets `value` at a dotted path of a fresh object. */
const at = (path: string, value: unknown): JsonObject => {
  const [head, ...rest] = path.split('.');
  return {
    [head]: rest.length ? at(rest.join('.'), value) : value,
  } as JsonObject;
};

describe('readRcoConfig', () => {
  it('reads every duration with its default when the section is absent', () => {
    const config = readRcoConfig(new ConfigReader({}));
    expect(config.operations.leaseDuration.toISO()).toBe('PT30S');
    expect(config.operations.pollInterval.toISO()).toBe('PT2S');
    expect(config.operations.confirmationTimeout.toISO()).toBe('PT1H');
    expect(config.simulatedStepDelay.toISO()).toBe('PT1S');
    expect(config.historyCacheTtl.toISO()).toBe('PT10S');
    expect(config.waiverMaxDuration.toISO()).toBe('P7D');
    expect(config.breakGlassMaxDuration.toISO()).toBe('PT4H');
    expect(config.ledger.onDemandInterval.toISO()).toBe('PT1M');
    expect(config.collection.timeout.toISO()).toBe('PT2M');
    expect(config.kubernetesCollector.timeoutMs).toBe(30_000);
    expect(config.environments).toEqual([]);
    expect(config.ledger.schedule).toBeUndefined();
    expect(config.runbookSchedule).toBeUndefined();
    expect(config.demoEvidenceDir).toBeUndefined();
  });

  it('reads the keys plugin.ts and createOperations used to read themselves', () => {
    const config = read({
      operations: {
        leaseDuration: 'PT5S',
        pollInterval: 'PT0.5S',
        confirmationTimeout: 'PT10M',
      },
      simulated: { stepDelay: 'PT0.05S' },
      ledger: { schedule: { frequency: { minutes: 10 }, timeout: 'PT2M' } },
      runbooks: { schedule: { frequency: { hours: 1 }, timeout: 'PT5M' } },
      demoEvidenceDir: 'examples/rco/evidence',
      environments: [{ name: 'staging', driver: 'simulated', timeout: 'PT2M' }],
    });
    expect(config.operations.leaseDuration.toMillis()).toBe(5_000);
    expect(config.operations.pollInterval.toMillis()).toBe(500);
    expect(config.operations.confirmationTimeout.toMillis()).toBe(600_000);
    expect(config.simulatedStepDelay.toMillis()).toBe(50);
    expect(config.ledger.schedule).toMatchObject({
      frequency: { minutes: 10 },
    });
    expect(config.runbookSchedule).toMatchObject({
      frequency: { hours: 1 },
    });
    expect(requireDemoEvidenceDir(config)).toBe('examples/rco/evidence');
    expect(config.environments).toMatchObject([
      { name: 'staging', driver: 'simulated', timeoutMs: 120_000 },
    ]);
  });

  it('stops the start when the demo is on without its folder', () => {
    expect(() => requireDemoEvidenceDir(read({ demoEvidence: true }))).toThrow(
      'rco.demoEvidenceDir is required with rco.demoEvidence',
    );
  });

  it.each([
    'operations.leaseDuration',
    'operations.pollInterval',
    'operations.confirmationTimeout',
    'operations.historyCacheTtl',
    'simulated.stepDelay',
    'waivers.maxDuration',
    'breakGlass.maxDuration',
    'ledger.onDemandInterval',
    'ledger.fullVerificationInterval',
    'collection.timeout',
    'collection.refreshCooldown',
    'collection.observationGranularity',
    'verdicts.maxValidity',
    'portfolio.expiresSoonHorizon',
    'gates.image-scanning.maxAge',
    'collectors.kubernetes.timeout',
    'collectors.prometheus.timeout',
  ])('refuses a duration that is not ISO 8601 at rco.%s, naming it', key => {
    expect(() => read(at(key, '30 seconds'))).toThrow(
      new RegExp(
        `^rco\\.${key.replace(
          /\./g,
          '\\.',
        )} must be an? (positive )?ISO 8601 duration such as P[T0-9A-Z.]+, got "30 seconds"$`,
      ),
    );
  });

  it('names the environment whose timeout is not a duration', () => {
    const rco = {
      environments: [
        { name: 'staging', driver: 'simulated' },
        { name: 'production', driver: 'simulated', timeout: '10 minutes' },
      ],
    };
    const message =
      'rco.environments[production].timeout must be an ISO 8601 duration such as PT10M, got "10 minutes"';
    expect(() => read(rco)).toThrow(message);
    // The tests' way in reads it with the same reader.
    expect(() => Environments.fromConfig(new ConfigReader({ rco }))).toThrow(
      message,
    );
  });

  it('refuses a timeout of nothing for the collectors', () => {
    expect(() => read(at('collectors.kubernetes.timeout', 'PT0S'))).toThrow(
      'rco.collectors.kubernetes.timeout must be a positive ISO 8601 duration such as PT30S, got "PT0S"',
    );
    // Zero is a value elsewhere (no cooldown between refreshes in tests).
    expect(
      read(
        at('collection.refreshCooldown', 'PT0S'),
      ).collection.refreshCooldown.toMillis(),
    ).toBe(0);
  });

  it('names a setting of the wrong type as Backstage does', () => {
    expect(() => read(at('operations.leaseDuration', 30))).toThrow(
      /rco\.operations\.leaseDuration/,
    );
  });
});

describe('readDuration', () => {
  const config = new ConfigReader({ timeout: 'PT3S', bad: 'soon' });

  it('reads the key, else the fallback', () => {
    expect(readDuration(config, 'timeout', 'PT1S').toMillis()).toBe(3_000);
    expect(readDuration(config, 'missing', 'PT1S').toMillis()).toBe(1_000);
    expect(readDuration(undefined, 'missing', 'P1D').toISO()).toBe('P1D');
  });

  it('names the key where its section sits', () => {
    expect(() =>
      readDuration(config, 'bad', 'PT1S', { at: 'rco.environments[a]' }),
    ).toThrow(
      'rco.environments[a].bad must be an ISO 8601 duration such as PT1S, got "soon"',
    );
  });

  it('parses only ISO 8601 durations', () => {
    expect(parseDuration('PT1H30M')?.toMillis()).toBe(5_400_000);
    expect(parseDuration('90 minutes')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

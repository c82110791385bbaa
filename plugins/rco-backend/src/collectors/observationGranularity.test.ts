import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readRcoConfig } from '../config';

const read = (rco: JsonObject) => readRcoConfig(new ConfigReader({ rco }));

describe('rco.collection.observationGranularity', () => {
  it('defaults to an hour', () => {
    expect(read({}).collection.observationGranularity.toISO()).toBe('PT1H');
  });

  it('must stay well under the shortest gate maximum age (a quarter of it, and of a day)', () => {
    expect(() =>
      read({ collection: { observationGranularity: 'PT7H' } }),
    ).toThrow(/at most a quarter of the shortest gate maxAge/);
    expect(() =>
      read({
        collection: { observationGranularity: 'PT2H' },
        gates: { 'policy-enforcement': { maxAge: 'PT4H' } },
      }),
    ).toThrow(/PT1H, got PT2H/);
    expect(
      read({
        collection: { observationGranularity: 'PT0S' },
      }).collection.observationGranularity.toMillis(),
    ).toBe(0);
  });
});

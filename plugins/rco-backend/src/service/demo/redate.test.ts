import { DemoClock, parseStep } from '../../lib/clock';
import { lastNightly } from './DemoEvidenceKeeper';
import { redate, veleroBackupList } from './redate';

describe('redate', () => {
  it('moves every timestamp by the same amount, keeping its form', () => {
    const text = `{"a":"2026-11-29T10:00:00Z","b":"2026-11-29T10:00:00.250Z","c":"2026-11-29T12:00:00+02:00","n":"rco-20261129"}`;
    const moved = JSON.parse(redate(text, 3_600_000));
    expect(moved).toEqual({
      a: '2026-11-29T11:00:00Z',
      b: '2026-11-29T11:00:00.250Z',
      c: '2026-11-29T11:00:00Z',
      n: 'rco-20261129',
    });
  });

  it('leaves a document without timestamps as it was', () => {
    expect(redate('kind: PrometheusRule\n', 1000)).toBe(
      'kind: PrometheusRule\n',
    );
  });
});

describe('veleroBackupList', () => {
  it('lists a five-minute schedule whose newest backup completed at now, named as Velero names them', () => {
    const now = new Date('2026-11-29T22:31:05.123Z');
    const list = JSON.parse(
      veleroBackupList(
        {
          metadata: { namespace: 'velero' },
          spec: { includedNamespaces: ['rco-prod'] },
        },
        now,
        3,
        300_000,
      ),
    );
    expect(list.kind).toBe('List');
    expect(list.items.map((b: any) => b.metadata.name)).toEqual([
      'rco-5min-20261129223045',
      'rco-5min-20261129222545',
      'rco-5min-20261129222045',
    ]);
    expect(list.items[0].status).toMatchObject({
      phase: 'Completed',
      completionTimestamp: '2026-11-29T22:31:05Z',
    });
    expect(list.items[2].spec.includedNamespaces).toEqual(['rco-prod']);
  });
});

describe('lastNightly', () => {
  it('is 02:00 UTC of the same day once past it, of the day before otherwise', () => {
    expect(lastNightly(new Date('2026-11-29T03:00:00Z')).toISOString()).toBe(
      '2026-11-29T02:00:00.000Z',
    );
    expect(lastNightly(new Date('2026-11-29T01:59:00Z')).toISOString()).toBe(
      '2026-11-28T02:00:00.000Z',
    );
  });
});

describe('the demo clock', () => {
  it('moves forward by ISO 8601 durations and never back', () => {
    const system = { now: () => new Date('2026-11-29T00:00:00Z') };
    const clock = new DemoClock(system);
    clock.advance('PT10M');
    clock.advance('P1D');
    expect(clock.offsetMs).toBe(600_000 + 86_400_000);
    expect(clock.now().toISOString()).toBe('2026-11-30T00:10:00.000Z');
  });

  it.each(['', '10m', 'PT0S', '-PT1H', 'P1Y', 'PT-5M', 'banana'])(
    'refuses %p with an input error',
    bad => {
      expect(() => parseStep(bad)).toThrow(
        expect.objectContaining({ name: 'InputError' }),
      );
    },
  );

  it('refuses what is not a string', () => {
    expect(() => parseStep(10)).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });
});

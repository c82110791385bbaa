import {
  analysisOf,
  markedReleases,
  promotionRoad,
  PromotionInput,
  sameRelease,
} from './promotion';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const R1 = { version: '1.5.0', digest: D1 };
const R2 = { version: '1.6.0', digest: D2 };

const NOW = new Date('2026-06-10T12:00:00Z');

let seq = 0;
/** An operation that ended `hoursAgo` hours before NOW (created a minute earlier). */
function op(
  environment: string,
  type: 'deploy' | 'rollback',
  state: string,
  hoursAgo: number,
  release: object = R1,
  extra: object = {},
): any {
  const finished = new Date(NOW.getTime() - hoursAgo * 3_600_000);
  return {
    id: `op-${++seq}`,
    environment,
    type,
    release: type === 'deploy' ? release : {},
    state,
    reasons: [],
    confirmedBy: 'user:default/alice',
    createdAt: new Date(finished.getTime() - 60_000).toISOString(),
    finishedAt: finished.toISOString(),
    progress:
      type === 'deploy' && state === 'succeeded'
        ? { phase: 'succeeded', metrics: [{ name: 'sr', phase: 'Successful' }] }
        : undefined,
    ...extra,
  };
}
const failedAnalysis = (env: string, hoursAgo: number, release = R1) =>
  op(env, 'deploy', 'rolled-back', hoursAgo, release, {
    progress: { phase: 'failed', metrics: [{ name: 'sr', phase: 'Failed' }] },
    reasons: ['metric "sr" assessed Failed'],
  });

const road = (operations: any[], over: Partial<PromotionInput> = {}) =>
  promotionRoad({
    order: ['staging', 'production'],
    environments: [
      { name: 'staging', soak: 'PT24H' },
      { name: 'production' },
      { name: 'dev' },
    ],
    defaultSoak: 'PT0S',
    operations,
    release: R1,
    now: NOW,
    ...over,
  });
const production = (operations: any[], over: Partial<PromotionInput> = {}) =>
  road(operations, over).stages.find(s => s.environment === 'production')!;

describe('promotion: what blocks a release from entering production', () => {
  it.each([
    [
      'never deployed to staging',
      [],
      [
        [
          'promotion',
          /1\.5\.0 has not succeeded in staging: deploy it to staging first/,
        ],
      ],
    ],
    [
      'only another release succeeded in staging',
      [op('staging', 'deploy', 'succeeded', 30, R2)],
      [['promotion', /has not succeeded in staging/]],
    ],
    [
      'succeeded 2 hours ago: soaking until 22 hours from now',
      [op('staging', 'deploy', 'succeeded', 2)],
      [
        [
          'soak',
          /1\.5\.0 has soaked in staging for 2 hours.* of PT24H: it may go on at 2026-06-11T10:00:00\.000Z/,
        ],
      ],
    ],
    [
      'succeeded 25 hours ago: soaked',
      [op('staging', 'deploy', 'succeeded', 25)],
      [],
    ],
    [
      'exactly 24 hours ago: soaked',
      [op('staging', 'deploy', 'succeeded', 24)],
      [],
    ],
    [
      'soaked, then staging rolled back',
      [
        op('staging', 'deploy', 'succeeded', 30),
        op('staging', 'rollback', 'succeeded', 1),
      ],
      [['promotion', /staging was rolled back since 1\.5\.0 went there/]],
    ],
    [
      'soaked, then a redeploy of it failed its analysis',
      [op('staging', 'deploy', 'succeeded', 30), failedAnalysis('staging', 1)],
      [
        [
          'analysis',
          /1\.5\.0 failed its canary analysis in staging since it went there/,
        ],
      ],
    ],
    [
      'soaked, then a redeploy of it failed',
      [
        op('staging', 'deploy', 'succeeded', 30),
        op('staging', 'deploy', 'failed', 1),
      ],
      [
        [
          'promotion',
          /A deploy of 1\.5\.0 to staging ended failed since it went there/,
        ],
      ],
    ],
    [
      'its analysis failed, redeployed fine and soaked: allowed',
      [failedAnalysis('staging', 60), op('staging', 'deploy', 'succeeded', 30)],
      [],
    ],
    [
      'another release failed in staging afterwards: not its concern',
      [
        op('staging', 'deploy', 'succeeded', 30),
        failedAnalysis('staging', 1, R2),
      ],
      [],
    ],
    [
      'replaced after 3 hours by another release: soak cut short',
      [
        op('staging', 'deploy', 'succeeded', 30),
        op('staging', 'deploy', 'succeeded', 27, R2),
      ],
      [
        [
          'soak',
          /1\.5\.0 ran in staging for only 3 hours.* of PT24H before 1\.6\.0 replaced it/,
        ],
      ],
    ],
    [
      'soaked 24h, then replaced, then the new one rolled back: allowed',
      [
        op('staging', 'deploy', 'succeeded', 50),
        op('staging', 'deploy', 'succeeded', 20, R2),
        op('staging', 'rollback', 'succeeded', 1),
      ],
      [],
    ],
    [
      'rolled back in production before: marked',
      [
        op('staging', 'deploy', 'succeeded', 60),
        op('production', 'deploy', 'succeeded', 30),
        op('production', 'rollback', 'succeeded', 29),
      ],
      [['marked', /1\.5\.0 was rolled back in production .*marked/]],
    ],
    [
      'failed its analysis in production: marked',
      [
        op('staging', 'deploy', 'succeeded', 60),
        failedAnalysis('production', 30),
      ],
      [['marked', /1\.5\.0 failed its canary analysis in production/]],
    ],
    [
      'a failure in dev (outside the order) does not mark it for production',
      [
        op('staging', 'deploy', 'succeeded', 60),
        op('dev', 'deploy', 'failed', 30),
      ],
      [],
    ],
    [
      'a deploy blocked at preflight never ran: no mark',
      [
        op('staging', 'deploy', 'succeeded', 60),
        op('production', 'deploy', 'failed', 30, R1, {
          confirmedBy: undefined,
        }),
      ],
      [],
    ],
    // The same image under another version label is the same release (by digest).
    [
      'the same digest filed as another version',
      [
        op('staging', 'deploy', 'succeeded', 30, {
          version: '9.9.9',
          digest: D1,
        }),
      ],
      [],
    ],
  ] as const)('%s', (_what, ops, expected) => {
    const stage = production([...ops]);
    expect(stage.blockers.map(b => b.kind)).toEqual(expected.map(e => e[0]));
    expected.forEach(([, message], i) =>
      expect(stage.blockers[i].message).toMatch(message),
    );
  });

  it('gives the soak blocker the instant it lifts', () => {
    const stage = production([op('staging', 'deploy', 'succeeded', 2)]);
    expect(stage.blockers[0].until).toBe('2026-06-11T10:00:00.000Z');
  });

  it('uses rco.promotion.soak where the environment sets none', () => {
    const ops = [op('staging', 'deploy', 'succeeded', 2)];
    const environments = [{ name: 'staging' }, { name: 'production' }];
    expect(
      production(ops, { environments, defaultSoak: 'PT1H' }).blockers,
    ).toEqual([]);
    expect(
      production(ops, { environments, defaultSoak: 'PT3H' }).blockers[0].kind,
    ).toBe('soak');
  });

  it('blocks nothing without an order (behaviour unchanged), and still shows the stages', () => {
    const result = road([failedAnalysis('production', 1)], { order: [] });
    expect(result.stages.flatMap(s => s.blockers)).toEqual([]);
    expect(result.marked).toHaveLength(1);
    expect(result.stages.map(s => s.environment)).toEqual([
      'staging',
      'production',
      'dev',
    ]);
  });

  it('does not hold the first environment by promotion, but a mark there holds it', () => {
    const staging = (ops: any[]) =>
      road(ops).stages.find(s => s.environment === 'staging')!;
    expect(staging([]).blockers).toEqual([]);
    expect(staging([failedAnalysis('staging', 1)]).blockers[0]).toMatchObject({
      kind: 'marked',
    });
    // Production is held by the staging failure through the promotion rule, not twice.
    expect(
      production([failedAnalysis('staging', 1)]).blockers.map(b => b.kind),
    ).toEqual(['promotion']);
  });
});

describe('promotion: each stage says what runs there and how long it soaked', () => {
  it.each([
    ['empty', [], { state: 'empty', analysis: 'none' }],
    [
      'soaking',
      [op('staging', 'deploy', 'succeeded', 2)],
      {
        state: 'soaking',
        release: R1,
        soakedFor: 'PT2H',
        soakEndsAt: '2026-06-11T10:00:00.000Z',
        analysis: 'green',
      },
    ],
    [
      'soaked',
      [op('staging', 'deploy', 'succeeded', 30)],
      { state: 'soaked', soakedFor: 'PT30H', analysis: 'green' },
    ],
    [
      'rolled back after a failed analysis',
      [
        op('staging', 'deploy', 'succeeded', 30, R2),
        failedAnalysis('staging', 1),
      ],
      { state: 'rolled-back', release: R2, analysis: 'failed' },
    ],
    ['failed', [op('staging', 'deploy', 'failed', 1)], { state: 'failed' }],
    [
      'rolled back by a rollback',
      [
        op('staging', 'deploy', 'succeeded', 3),
        op('staging', 'rollback', 'succeeded', 1),
      ],
      { state: 'rolled-back' },
    ],
    [
      'deploying',
      [
        op('staging', 'deploy', 'succeeded', 30),
        { ...op('staging', 'deploy', 'running', 0, R2), finishedAt: undefined },
      ],
      { state: 'deploying', release: R1 },
    ],
  ] as const)('%s', (_what, ops, expected) => {
    const staging = road([...ops]).stages[0];
    expect(staging).toMatchObject({
      environment: 'staging',
      position: 0,
      soakRequired: 'PT24H',
      ...expected,
    });
  });

  it('places environments outside the order last', () => {
    expect(road([]).stages.map(s => [s.environment, s.position])).toEqual([
      ['staging', 0],
      ['production', 1],
      ['dev', 2],
    ]);
  });
});

describe('marked releases', () => {
  it('lists failures newest first and lifts a mark once the release succeeds there again', () => {
    const marks = markedReleases([
      failedAnalysis('staging', 10),
      op('production', 'deploy', 'succeeded', 8, R2),
      op('production', 'rollback', 'succeeded', 7),
      op('staging', 'deploy', 'failed', 6, R2),
    ]);
    expect(marks.map(m => [m.version, m.environment, m.reason])).toEqual([
      ['1.6.0', 'staging', 'failed'],
      ['1.6.0', 'production', 'rolled-back'],
      ['1.5.0', 'staging', 'analysis-failed'],
    ]);
    expect(
      markedReleases([
        failedAnalysis('staging', 10),
        op('staging', 'deploy', 'succeeded', 5),
      ]),
    ).toEqual([]);
  });
});

describe('sameRelease and analysisOf', () => {
  it.each([
    [R1, { digest: D1 }, true],
    [R1, { version: '1.5.0', digest: D2 }, false],
    [{ version: '1.5.0' }, { version: '1.5.0' }, true],
    [{ version: '1.5.0' }, { digest: D1 }, false],
    [{}, {}, false],
  ])('%j is %j: %s', (a, b, same) => expect(sameRelease(a, b)).toBe(same));

  it.each([
    [{ progress: { metrics: [{ phase: 'Successful' }] } }, 'green'],
    [
      { progress: { metrics: [{ phase: 'Successful' }, { phase: 'Error' }] } },
      'failed',
    ],
    [{ progress: { metrics: [] } }, 'none'],
    [{ state: 'rolled-back', reasons: ['Canary analysis failed'] }, 'failed'],
  ])('%j: %s', (o, expected) =>
    expect(analysisOf({ state: 'succeeded', reasons: [], ...o } as any)).toBe(
      expected,
    ),
  );
});

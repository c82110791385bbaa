import { context, DAY, DIGEST, NOW } from '../gates/__testUtils__/context';
import { ReplayService } from './ReplayService';

const MINUTE = 60_000;

/** ReplayService over stubbed stores: what it lists of the past. */
describe('ReplayService', () => {
  it('lists a past deploy once, not once per judgement (preflight, confirmation, promotion)', async () => {
    const ctx = context([]);
    // One canary deploy of 1.3.2 to staging, judged three times as it went: preflight, the
    // person's confirmation and the promotion. image-scanning had no scan: missing each time.
    const judgement = (occasion: string, minutes: number) => ({
      id: `j-${occasion}`,
      entityRef: ctx.entityRef,
      environment: 'staging',
      operationId: 'op-1',
      occasion,
      release: { version: '1.3.2', digest: DIGEST },
      judgedAt: new Date(NOW.getTime() + minutes * MINUTE),
      allowed: true,
      heldOtherwise: false,
      overrideId: 'bg-1',
      overrideAvailable: true,
      gates: [{ id: 'image-scanning', status: 'missing' }],
      configDigest: 'digest',
      inputs: { evidence: [], signoffs: [], waivers: [] },
    });
    const service = new ReplayService({
      judgements: {
        listWithInputs: async () => [
          judgement('preflight', 0),
          judgement('confirm', 5),
          judgement('promote', 30),
        ],
      } as any,
      reader: {
        inFlight: async () => [],
        records: async () => ({
          evidence: new Map(),
          signoffs: new Map(),
          waivers: new Map(),
          runbooks: new Map(),
        }),
      } as any,
      clock: { now: () => new Date(NOW.getTime() + DAY) } as any,
      policy: { config: ctx.config },
      configDigest: 'digest',
    });
    // A waiver of image-scanning as if granted at each decision: the deploy's gate turns waived.
    const res = await service.replay(
      { gate: 'image-scanning', waiver: { duration: 'P7D' } },
      {
        from: new Date(NOW.getTime() - DAY),
        to: new Date(NOW.getTime() + DAY),
        timeZone: 'UTC',
      },
      { entityRef: ctx.entityRef, entityRefs: [ctx.entityRef] },
    );
    expect(res.past.length).toBeGreaterThan(0);
    // README: "The answer lists the past deploys that would have been judged differently"; the
    // Gate policy page says "N allowed deploys would have been blocked" from this list. One
    // deploy must count once (here it counted 3 times).
    const operations = res.past.map(p => p.operationId);
    expect(operations).toEqual([...new Set(operations)]);
    expect(res.pastCount).toBe(1);
  });
});

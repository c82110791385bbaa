import { context, DAY, DIGEST, NOW } from '../gates/__testUtils__/context';
import { emptyRecords } from './inputs';
import { ReplayService } from './ReplayService';

const MINUTE = 60_000;

/** ReplayService over stubbed stores: what it lists of the past. */
/** The service over stubbed stores that answer as the real ones do: by the period asked. */
function serviceOver(judgements: Array<{ judgedAt: Date }>) {
  const ctx = context([]);
  const read: Array<{ from: Date; to: Date }> = [];
  const service = new ReplayService({
    judgements: {
      listWithInputs: async (q: { from: Date; to: Date }) => {
        read.push(q);
        return judgements.filter(
          j => j.judgedAt >= q.from && j.judgedAt < q.to,
        );
      },
    } as any,
    reader: {
      inFlight: async () => [],
      records: async () => emptyRecords(),
    } as any,
    clock: { now: () => new Date(NOW.getTime() + DAY) } as any,
    policy: { config: ctx.config },
    configDigest: 'digest',
  });
  // A waiver of image-scanning as if granted at each decision: the deploy's gate turns waived.
  const replay = () =>
    service.replay(
      { gate: 'image-scanning', waiver: { duration: 'P7D' } },
      {
        // Two slices of a month at most (slicesOf): the second starts at NOW.
        from: new Date(NOW.getTime() - 30 * DAY),
        to: new Date(NOW.getTime() + DAY),
        timeZone: 'UTC',
      },
      { entityRef: ctx.entityRef, entityRefs: [ctx.entityRef] },
    );
  return { replay, read };
}

/**
 * One canary deploy of 1.3.2 to staging, judged as it went: preflight, the person's
 * confirmation and the promotion. image-scanning had no scan: missing each time.
 */
const judgement = (
  occasion: string,
  minutes: number,
  configDigest = 'digest',
) => ({
  id: `j-${occasion}`,
  entityRef: context([]).entityRef,
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
  configDigest,
  inputs: { evidence: [], signoffs: [], waivers: [] },
});

/** ReplayService over stubbed stores: what it lists of the past. */
describe('ReplayService', () => {
  it('lists a past deploy once, not once per judgement (preflight, confirmation, promotion), across the slices it reads', async () => {
    // The preflight falls in the first slice of the period read, the rest in the next.
    const { replay, read } = serviceOver([
      judgement('preflight', -5),
      judgement('confirm', 5),
      judgement('promote', 30),
    ]);
    const res = await replay();
    expect(read.length).toBeGreaterThan(1);
    expect(res.baseline.replayed).toBe(3);
    expect(res.past.length).toBeGreaterThan(0);
    // README: "The answer lists the past deploys that would have been judged differently"; the
    // Gate policy page says "N allowed deploys would have been blocked" from this list. One
    // deploy must count once (here it counted 3 times).
    const operations = res.past.map(p => p.operationId);
    expect(operations).toEqual([...new Set(operations)]);
    expect(res.pastCount).toBe(1);
    // From the judgement that decided it: the last.
    expect(res.past[0].judgedAt).toBe(
      new Date(NOW.getTime() + 30 * MINUTE).toISOString(),
    );
  });

  it('does not list a deploy whose deciding judgement cannot be replayed, though an earlier one flips', async () => {
    // The promotion was judged under another configuration: what decided the deploy is unknown.
    const { replay } = serviceOver([
      judgement('preflight', -5),
      judgement('promote', 30, 'another-config'),
    ]);
    const res = await replay();
    expect(res.baseline).toMatchObject({ replayed: 1, unreplayable: 1 });
    expect(res.pastCount).toBe(0);
  });
});

describe('ReplayService reads', () => {
  it('handles a failed in-flight read at once (never an unhandled rejection while the slices are judged) and fails the replay with it', async () => {
    const ctx = context([]);
    // The in-flight read fails at once; whether anything handles it before the slices are read
    // (50 ms) is what Node checks for an unhandled rejection.
    const failed = Promise.reject(new Error('connection terminated'));
    let handled = false;
    const then = failed.then.bind(failed);
    failed.then = ((...args: Parameters<typeof then>) => {
      handled = true;
      return then(...args);
    }) as typeof failed.then;
    const service = new ReplayService({
      judgements: {
        listWithInputs: () =>
          new Promise(resolve => setTimeout(() => resolve([]), 50)),
      } as any,
      reader: {
        inFlight: () => failed,
        records: async () => emptyRecords(),
      } as any,
      clock: { now: () => NOW } as any,
      policy: { config: ctx.config },
      configDigest: 'digest',
    });
    const replay = service.replay(
      { gate: 'image-scanning', maxAge: 'P1D' },
      { from: new Date(NOW.getTime() - 60 * DAY), to: NOW, timeZone: 'UTC' },
      { entityRefs: [ctx.entityRef] },
    );
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(handled).toBe(true);
    await expect(replay).rejects.toThrow('connection terminated');
  });
});

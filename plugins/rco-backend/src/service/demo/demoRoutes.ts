import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { DemoClock } from '../../lib/clock';
import { audited } from '../audited';
import { TypedRouter } from '../releaseRoutes';

/** The local portal's demo side, when rco.demoEvidence is on. */
export interface DemoSide {
  clock: DemoClock;
  /** Brings the demo evidence up to the clock's now (one report per kind, not every slot). */
  catchUp(): Promise<unknown>;
  /**
   * Collects from the simulated clusters now (set once the collection exists): after the clock
   * moves, the cluster's objects are seen again at the new time, as the next scheduled run would.
   */
  collect?: () => Promise<unknown>;
  /**
   * The generated 90-day history of the demo services (issue 17), once written: the metrics
   * label every answer over it as demo data.
   */
  history?: { from: string; to: string; entities: string[] };
}

const view = (clock: DemoClock) => ({
  offsetMs: clock.offsetMs,
  now: clock.now().toISOString(),
});

/**
 * GET and POST /demo/clock. Without the demo (every deployed portal: the production guard
 * refuses rco.demoEvidence) both answer 404, as if the route did not exist.
 */
export function registerDemoRoutes(
  router: TypedRouter,
  o: {
    demo?: DemoSide;
    httpAuth: HttpAuthService;
    auditor: AuditorService;
  },
) {
  const demoOrNotFound = () => {
    if (!o.demo) {
      throw new NotFoundError(
        'There is no demo clock: rco.demoEvidence is off (it is on in the local portal only)',
      );
    }
    return o.demo;
  };

  router.get('/demo/clock', async (req, res) => {
    const demo = demoOrNotFound();
    await o.httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(view(demo.clock));
  });

  router.post('/demo/clock', async (req, res) => {
    const demo = demoOrNotFound();
    // A person moves the clock, never a token (403 for a service principal).
    await o.httpAuth.credentials(req, { allow: ['user'] });
    const advance = req.body.advance;
    await audited(
      o.auditor,
      { eventId: 'demo-clock-advance', request: req, meta: { advance } },
      async () => {
        demo.clock.advance(advance);
        await demo.catchUp();
      },
      () => ({ offsetMs: demo.clock.offsetMs }),
    );
    res.json(view(demo.clock));
  });
}

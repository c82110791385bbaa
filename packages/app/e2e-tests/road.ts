// The road to production from the e2e tests' side (issue 15): the portal's demo clock, the
// road as the API answers it, and what blocks a release from entering an environment now.
import { APIRequestContext, expect } from '@playwright/test';
import { BACKEND, demoRelease, RCO_API, tokenFor } from './api';

const asGuest = async (request: APIRequestContext) => ({
  Authorization: `Bearer ${await tokenFor(request, 'guest')}`,
});

/** Moves the local portal's demo clock forward: a soak passes in seconds, not in a day. */
export async function advanceClock(request: APIRequestContext, iso: string) {
  const res = await request.post(`${BACKEND}/api/rco/demo/clock`, {
    headers: await asGuest(request),
    data: { advance: iso },
  });
  expect(res.status(), await res.text()).toBe(200);
  return Date.parse((await res.json()).now);
}

/** What keeps the demo release from entering the environment now, as GET /road says. */
export async function blockersInto(
  request: APIRequestContext,
  environment: string,
): Promise<Array<{ kind: string; message: string; until?: string }>> {
  const res = await request.get(
    `${RCO_API}/road?version=${demoRelease.version}&digest=${demoRelease.digest}`,
    { headers: await asGuest(request) },
  );
  expect(res.status(), await res.text()).toBe(200);
  const stage = (await res.json()).stages.find(
    (s: any) => s.environment === environment,
  );
  expect(stage, `the road has ${environment}`).toBeTruthy();
  return stage.blockers;
}

/**
 * The demo configuration freezes production over the weekend (Berlin time): a run that lands
 * in a freeze moves the clock to its end, so the journey holds on any day of the week.
 */
export async function passFreezes(
  request: APIRequestContext,
  environment: string,
  from: number,
) {
  let now = from;
  for (let i = 0; i < 3; i++) {
    const freeze = (await blockersInto(request, environment)).find(
      b => b.kind === 'freeze' && b.until,
    );
    if (!freeze) return now;
    const seconds = Math.ceil((Date.parse(freeze.until!) - now) / 1000) + 60;
    now = await advanceClock(request, `PT${seconds}S`);
  }
  return now;
}

/** `YYYY-MM-DDTHH:mm` of an instant in UTC, as a datetime-local field takes it. */
export const utcLocal = (ms: number) => new Date(ms).toISOString().slice(0, 16);

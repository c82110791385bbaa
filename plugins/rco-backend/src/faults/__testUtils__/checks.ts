import { TERMINAL_OPERATION_STATES } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import request from 'supertest';
import { asUser } from '../../__testUtils__/operationsBackend';
import { Ledger } from '../../database/Ledger';
import { reconcileLedger } from '../../database/LedgerReconciler';
import { Outcome, Target, waitUntil } from './burst';

/**
 * What a caller may see while the database is away: our 503 naming the database, nothing of
 * the driver's words. From an instance that is stopping (`stopping` says which answers came
 * from one) also no answer at all, or Backstage's own 503 "Service is shutting down".
 */
export function assertCleanAnswers(
  outcomes: Outcome[],
  o: { secrets: string[]; stopping?: (outcome: Outcome) => boolean },
) {
  const unexpected = outcomes.filter(
    x =>
      !(x.status >= 200 && x.status < 300) &&
      x.status !== 503 &&
      !(x.status === 0 && o.stopping?.(x)),
  );
  expect(
    unexpected.map(x => `${x.kind} on ${x.instance}: ${x.status} ${x.text}`),
  ).toEqual([]);
  for (const x of outcomes.filter(y => y.status === 503)) {
    const shuttingDown =
      o.stopping?.(x) && x.body?.error?.message === 'Service is shutting down';
    expect(x.body.error).toEqual({
      name: 'ServiceUnavailableError',
      message: shuttingDown
        ? 'Service is shutting down'
        : 'The database is unavailable: try again shortly',
    });
  }
  const all = outcomes.map(x => x.text).join('\n');
  for (const secret of o.secrets) expect(all).not.toContain(secret);
  // Nothing of the driver's words in a refusal: no statement, no address, no stack.
  const refusals = outcomes
    .filter(x => x.status >= 300)
    .map(x => x.text)
    .join('\n');
  for (const leak of ['insert into', 'select ', 'ECONNREFUSED', '"stack"']) {
    expect(refusals.toLowerCase()).not.toContain(leak.toLowerCase());
  }
}

/**
 * Every record a 2xx answer announced is stored with its ledger entry, no entry lacks its row
 * (nor a row its entry: the ledger reconciler compares them all) and every chain verifies.
 */
export async function assertNothingLost(knex: Knex, outcomes: Outcome[]) {
  const ok = (kind: Outcome['kind']) =>
    outcomes.filter(x => x.kind === kind && x.status >= 200 && x.status < 300);
  const uploaded = ok('upload').flatMap(x =>
    x.body.items.map((i: any) => i.id as string),
  );
  const signed = ok('signoff').map(x => x.body.id as string);
  const entries = await knex('rco_ledger')
    .whereIn('entry_type', ['evidence-upload', 'signoff'])
    .select('entry_type', 'payload');
  const entryIds = (type: string) =>
    new Set(
      entries
        .filter(e => e.entry_type === type)
        .map(e => JSON.parse(e.payload).id),
    );
  const evidenceRows = new Set(
    (await knex('rco_evidence').select('id')).map(r => r.id),
  );
  const signoffRows = new Set(
    (await knex('rco_signoffs').select('id')).map(r => r.id),
  );
  expect(uploaded.filter(id => !evidenceRows.has(id))).toEqual([]);
  expect(uploaded.filter(id => !entryIds('evidence-upload').has(id))).toEqual(
    [],
  );
  expect(signed.filter(id => !signoffRows.has(id))).toEqual([]);
  expect(signed.filter(id => !entryIds('signoff').has(id))).toEqual([]);
  const reconciliation = await reconcileLedger(knex);
  expect(reconciliation.problems).toEqual([]);
  expect(await new Ledger(knex).verify()).toMatchObject({ ok: true });
  return { uploads: uploaded.length, signoffs: signed.length };
}

const terminal = (state: string) =>
  (TERMINAL_OPERATION_STATES as string[]).includes(state);

/**
 * Operations carry on after the fault: none is left half way (requested or preflight with nobody
 * holding it, running with a lease nobody renews). The reconciler ends or adopts them within a
 * bounded time; the test then confirms the plans still waiting and promotes the paused canaries
 * through `via`, and every operation must reach a terminal state.
 */
export async function assertOperationsSettle(
  knex: Knex,
  via: Target,
  ms: number,
) {
  const ops = async () =>
    knex('rco_operations').select(
      'id',
      'entity_ref',
      'state',
      'awaiting',
      'lease_owner',
      'lease_expires_at',
    );
  const post = (path: string, body: object) =>
    request(via.url)
      .post(`/api/rco/operations/${path}`)
      .set('Authorization', asUser('alice'))
      .send(body)
      .timeout(20_000);
  const end = Date.now() + ms;
  // When each operation was last nudged: a nudge the database missed is sent again later.
  const nudged = new Map<string, number>();
  const due = (key: string) => {
    if (Date.now() - (nudged.get(key) ?? 0) < 1_000) return false;
    nudged.set(key, Date.now());
    return true;
  };
  await waitUntil(
    'every operation to end',
    async () => {
      const rows = await ops();
      for (const op of rows) {
        const name = op.entity_ref.split('/').pop();
        if (op.state === 'awaiting-confirmation' && due(op.id)) {
          await post(`${op.id}/confirm`, {
            confirmation: name,
            ...(op.awaiting !== 'plan' ? { step: op.awaiting } : {}),
          });
        }
        if (op.state !== 'running') continue;
        const view = await request(via.url)
          .get(`/api/rco/operations/${op.id}`)
          .set('Authorization', asUser('alice'))
          .timeout(20_000);
        if (view.body.progress?.phase === 'paused' && due(op.id)) {
          await post(`${op.id}/promote`, {});
        }
      }
      return rows.every(r => terminal(r.state));
    },
    Math.max(0, end - Date.now()),
  );
  return ops();
}

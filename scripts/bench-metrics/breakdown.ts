/* eslint-disable no-console */
// Where the time of a cold metrics answer and of a replay goes, measured in-process on the same
// database with the plugin's own classes: each query of MetricsReader.read alone, the rules
// (delivery.ts, effectiveness.ts), and the replay's reads against its judging.
import { Knex } from 'knex';
import { Duration } from 'luxon';
import { JudgementStore } from '../../plugins/rco-backend/src/database/JudgementStore';
import { deliveryMetrics } from '../../plugins/rco-backend/src/metrics/delivery';
import { gateEffectiveness } from '../../plugins/rco-backend/src/metrics/effectiveness';
import { MetricsReader } from '../../plugins/rco-backend/src/metrics/MetricsReader';
import { parsePeriod } from '../../plugins/rco-backend/src/metrics/periods';
import { readsOf } from '../../plugins/rco-backend/src/metrics/replay';
import { ReplayReader } from '../../plugins/rco-backend/src/metrics/ReplayReader';
import { ReplayService } from '../../plugins/rco-backend/src/metrics/ReplayService';
import { MetricsService } from '../../plugins/rco-backend/src/metrics/MetricsService';
import { RcoConfig } from '../../plugins/rco-backend/src/config';
import { systemClock } from '../../plugins/rco-backend/src/lib/clock';
import { groupFacts } from '../../plugins/rco-backend/src/setupSummary';

const DAY = 86_400_000;

async function time<T>(what: string, fn: () => Promise<T> | T) {
  const t = performance.now();
  const value = await fn();
  console.log(
    `  ${what.padEnd(58)}${Math.round(performance.now() - t)
      .toString()
      .padStart(7)} ms`,
  );
  return value;
}

/** How the recorded deploy decisions judged each gate (the history's shape, not a figure). */
export async function gateHistogram(db: Knex) {
  const rows: Array<{ gates: string; allowed: unknown }> = await db(
    'rco_judgements',
  ).select('gates', 'allowed');
  const by = new Map<string, Map<string, number>>();
  for (const row of rows)
    for (const g of JSON.parse(row.gates)) {
      const m = by.get(g.id) ?? new Map<string, number>();
      m.set(g.status, (m.get(g.status) ?? 0) + 1);
      by.set(g.id, m);
    }
  const allowed = rows.filter(r => !!r.allowed).length;
  console.log(
    `judgements: ${allowed} of ${rows.length} allowed; gate statuses:`,
  );
  for (const [gate, m] of by)
    console.log(
      `  ${gate.padEnd(28)}${[...m].map(([s, n]) => `${s} ${n}`).join(', ')}`,
    );
}

export async function breakdown(db: Knex, names: string[]) {
  const refs = names.map(n => `component:default/${n}`).sort();
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const period = parsePeriod({}, now);
  const window = Duration.fromISO('PT24H');
  const range = {
    environment: 'production',
    from: new Date(period.from.getTime() - 30 * DAY),
    to: new Date(period.to.getTime() + window.toMillis()),
  };
  const judgements = new JudgementStore(db);
  const reader = new MetricsReader(db, judgements);
  console.log('\n== in-process breakdown (same database, plugin classes) ==');
  const facts = await time('MetricsReader.read (all six queries at once)', () =>
    reader.read(range, refs),
  );
  console.log(
    `    facts: ${facts.operations.length} operations, ${facts.judgements.length} judgements, ${facts.overrides.length} overrides, ${facts.firstEvidence.size} first-evidence digests`,
  );
  await time('  judgements.list alone (gates JSON.parse included)', () =>
    judgements.list({ ...range }),
  );
  await time('  first evidence per digest (GROUP BY) alone', () =>
    db('rco_evidence')
      .select('entity_ref', 'subject_digest')
      .min({ first: 'collected_at' })
      .whereNotNull('subject_digest')
      .groupBy('entity_ref', 'subject_digest'),
  );
  await time('  operations alone', () =>
    db('rco_operations')
      .select('id', 'entity_ref', 'state', 'created_at', 'finished_at')
      .where({ environment: 'production' })
      .andWhere('created_at', '>=', range.from)
      .andWhere('created_at', '<', range.to),
  );
  await time('  waivers alone', () =>
    db('rco_waivers')
      .select('*')
      .where('created_at', '<', range.to)
      .andWhere('expires_at', '>=', range.from),
  );
  const delivery = await time('deliveryMetrics (compute)', () =>
    deliveryMetrics(facts, period, 'production', {
      ms: window.toMillis(),
      iso: window.toISO()!,
    }),
  );
  await time('gateEffectiveness (compute)', () =>
    gateEffectiveness(facts, delivery.failures, period, 'production', now),
  );
  const replayReader = new ReplayReader(db);
  const change = {
    gate: 'image-scanning' as const,
    blockingSeverities: ['CRITICAL', 'HIGH', 'MEDIUM'] as any,
  };
  const listed = await time('replay: judgements.listWithInputs', () =>
    judgements.listWithInputs({
      from: period.from,
      to: period.to,
      entityRefs: refs,
    }),
  );
  const inFlight = await time('replay: inFlight (stored verdicts)', () =>
    replayReader.inFlight(refs),
  );
  await time(
    'replay: records (evidence of the gate, decisions, runbooks)',
    () => replayReader.records([...listed, ...inFlight], readsOf(change)),
  );
}

/**
 * The services themselves in-process, without HTTP, auth or the catalog: the cold and warm
 * metrics answer (and its size as JSON), and the replay, whose own durationMs covers reads and
 * judging alike.
 */
export async function services(
  db: Knex,
  names: string[],
  config: RcoConfig,
  digest: string,
) {
  const entityRefs = names.map(n => `component:default/${n}`);
  const judgements = new JudgementStore(db);
  const reader = new MetricsReader(db, judgements);
  const metrics = new MetricsService({
    reader,
    clock: systemClock,
    environments: ['staging', 'production'],
    failureWindow: config.failureWindow,
  });
  console.log('\n== in-process services (no HTTP, auth or catalog) ==');
  await time('MetricsReader.marker (every request, warm too)', () =>
    reader.marker(),
  );
  const query = { environment: 'production' };
  const answer = await time('MetricsService.metrics, cold', () =>
    metrics.metrics(query, { entityRefs }),
  );
  const warm: number[] = [];
  let hits = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    if ((await metrics.metrics(query, { entityRefs })) === answer) hits += 1;
    warm.push(performance.now() - t);
  }
  console.log(
    `  MetricsService.metrics, warm (5):${' '.repeat(26)}${warm
      .map(w => Math.round(w))
      .join(
        ', ',
      )} ms (${hits} of 5 kept answers; markers ${await reader.marker()} ${await reader.marker()})`,
  );
  const text = await time('JSON.stringify of the answer', () =>
    JSON.stringify(answer),
  );
  console.log(`    answer: ${Math.round(text.length / 1024)} KiB`);
  const replay = new ReplayService({
    judgements,
    reader: new ReplayReader(db),
    clock: systemClock,
    policy: { config: config.gates, groups: groupFacts(config) },
    configDigest: digest,
  });
  const result = await time('ReplayService.replay image-scanning +MEDIUM', () =>
    replay.replay(
      {
        gate: 'image-scanning',
        blockingSeverities: ['CRITICAL', 'HIGH', 'MEDIUM'],
      },
      metrics.period({}),
      { entityRefs },
    ),
  );
  console.log(
    `    replay answer: ${Math.round(
      JSON.stringify(result).length / 1024,
    )} KiB (${result.pastCount} past, ${
      result.inFlightCount
    } in flight; lists capped)`,
  );
}

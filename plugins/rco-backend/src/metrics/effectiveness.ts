import {
  ChangeFailure,
  GATES,
  GateBlock,
  GateEffectiveness,
  GateEscape,
  GateId,
  GateStatus,
  OverrideOutcome,
} from '@helix-portal/plugin-rco-common';
import { Judgement } from '../database/JudgementStore';
import { MetricsFacts, ran } from './facts';
import {
  groupBy,
  hoursBetween,
  inPeriod,
  Period,
  spread,
  weekFinder,
} from './periods';

const BLOCKING: GateStatus[] = ['fail', 'missing', 'stale'];
export const blocking = (status: GateStatus) => BLOCKING.includes(status);

/** How a judgement let a release past a gate, or undefined when the gate held it. */
function passedBy(j: Judgement, gate: GateId): GateEscape['via'] | undefined {
  const status = j.gates.find(g => g.id === gate)?.status;
  return status ? viaOf(j, status) : undefined;
}

/**
 * Per operation: its first judgement (preflight: what the gates said when it was asked for) and
 * the last that allowed it (what it ran on), for those that ran.
 */
function decisionsOf(facts: MetricsFacts) {
  const ranIds = new Set(facts.operations.filter(ran).map(o => o.id));
  const first = new Map<string, Judgement>();
  const decided = new Map<string, Judgement>();
  for (const j of facts.judgements) {
    if (!j.operationId) continue;
    if (!first.has(j.operationId)) first.set(j.operationId, j);
    if (j.allowed && ranIds.has(j.operationId)) decided.set(j.operationId, j);
  }
  return { first, decided };
}

/** A release as the metrics count it: the entity, the environment and the image. */
const releaseKey = (j: Judgement) =>
  `${j.entityRef} ${j.environment} ${j.release.digest ?? j.release.version}`;

/** How a judgement let a release past a gate with this status, or undefined when it held it. */
function viaOf(
  j: Judgement,
  status: GateStatus,
): GateEscape['via'] | undefined {
  if (status === 'pass') return 'pass';
  if (status === 'waived') return 'waiver';
  return j.allowed && j.overrideId ? 'break-glass' : undefined;
}

/**
 * Each release's blocks by each gate, and what ended them, in one pass over the judgements
 * (oldest first): a block opens at the first judgement the gate held and closes at the first
 * that got past it.
 */
function blocksOf(judgements: Judgement[]): GateBlock[] {
  const open = new Map<string, GateBlock>();
  const blocks: GateBlock[] = [];
  for (const j of judgements) {
    const release = releaseKey(j);
    for (const { id: gate, status } of j.gates) {
      const key = `${gate} ${release}`;
      let block = open.get(key);
      // A block opens when a deploy is asked for (preflight); a confirmation or promotion of a
      // deploy already let through only closes one (break-glass would count twice otherwise).
      if (!block && blocking(status) && j.occasion === 'preflight') {
        block = {
          gate,
          entityRef: j.entityRef,
          environment: j.environment,
          release: j.release,
          blockedAt: j.judgedAt.toISOString(),
          operationId: j.operationId ?? '',
          status,
        };
        open.set(key, block);
        blocks.push(block);
      }
      const via = block && viaOf(j, status);
      if (block && via) {
        block.greenAt = j.judgedAt.toISOString();
        block.greenBy = via === 'pass' ? 'evidence' : via;
        block.greenOperationId = j.operationId;
        block.hours = hoursBetween(new Date(block.blockedAt), j.judgedAt);
        open.delete(key);
      }
    }
  }
  return blocks;
}

/**
 * Gate effectiveness of one environment over a period (definitions: README). `counts` has how
 * many of each there were; of the overrides only the newest `listed` are described (a portfolio
 * has tens of thousands of waivers, and describing each was a tenth of a cold answer).
 */
export function gateEffectiveness(
  facts: MetricsFacts,
  failures: ChangeFailure[],
  period: Period,
  environment: string,
  now: Date,
  listed = Infinity,
): GateEffectiveness & { counts: NonNullable<GateEffectiveness['counts']> } {
  const judgements = facts.judgements.filter(
    j => j.environment === environment,
  );
  const { first, decided } = decisionsOf({ ...facts, judgements });
  // Each release once: asking again for a blocked release is not another block (review: 20
  // requests read as 20 blocks). The first preflight of each release in the period, and
  // whether the gate blocked any of its preflights there.
  const asked = [...first.values()].filter(j => inPeriod(j.judgedAt, period));
  const releases = new Map<
    string,
    { first: Judgement; blocking: Set<GateId> }
  >();
  for (const j of asked) {
    const key = releaseKey(j);
    const seen = releases.get(key) ?? { first: j, blocking: new Set<GateId>() };
    for (const g of j.gates) if (blocking(g.status)) seen.blocking.add(g.id);
    releases.set(key, seen);
  }
  const ranInPeriod = [...decided.values()].filter(j =>
    inPeriod(j.judgedAt, period),
  );
  const escapes: GateEscape[] = failures.flatMap(f => {
    const j = decided.get(f.operationId);
    if (!j) return [];
    return GATES.flatMap(g => {
      const via = passedBy(j, g.id);
      return via
        ? [
            {
              gate: g.id,
              via,
              operationId: f.operationId,
              entityRef: f.entityRef,
              environment: f.environment,
              release: f.release,
              failure: f.signal,
              failedAt: f.signalAt,
            },
          ]
        : [];
    });
  });
  const evidenceAges = ranInPeriod.flatMap(j =>
    j.gates
      .filter(g => g.oldest)
      .map(g => ({
        gate: g.id,
        operationId: j.operationId!,
        hours: hoursBetween(new Date(g.oldest!), j.judgedAt),
      })),
  );
  const allBlocks = blocksOf(judgements).filter(b =>
    inPeriod(new Date(b.blockedAt), period),
  );
  const agesOf = new Map<GateId, number[]>();
  for (const a of evidenceAges) {
    const ages = agesOf.get(a.gate);
    if (ages) ages.push(a.hours);
    else agesOf.set(a.gate, [a.hours]);
  }
  const judgedReleases = [...releases.values()];
  const blocksBy = groupBy(allBlocks, b => b.gate);
  const escapesBy = groupBy(escapes, e => e.gate);
  const gates = GATES.map(g => {
    const blocks = blocksBy.get(g.id) ?? [];
    const green = blocks.filter(b => b.greenBy);
    const ages = agesOf.get(g.id) ?? [];
    const mine = escapesBy.get(g.id) ?? [];
    return {
      gate: g.id,
      title: g.title,
      judged: judgedReleases.length,
      blocked: judgedReleases.filter(r => r.blocking.has(g.id)).length,
      blockedReleases: blocks.length,
      turnedGreen: {
        evidence: green.filter(b => b.greenBy === 'evidence').length,
        waiver: green.filter(b => b.greenBy === 'waiver').length,
        'break-glass': green.filter(b => b.greenBy === 'break-glass').length,
      },
      blockedToGreenHours: spread(green.map(b => b.hours!)),
      evidenceAgeHours: { ...spread(ages), samples: ages.length },
      escapes: {
        pass: mine.filter(e => e.via === 'pass').length,
        waiver: mine.filter(e => e.via === 'waiver').length,
        'break-glass': mine.filter(e => e.via === 'break-glass').length,
      },
    };
  });
  const weekAt = weekFinder(period);
  // Each release once per week it was asked for in, blocked if any of its preflights then were.
  const perWeek = new Map<string, Map<GateId, boolean>>();
  for (const j of asked) {
    const key = `${weekAt(j.judgedAt)} ${releaseKey(j)}`;
    const held = perWeek.get(key) ?? new Map<GateId, boolean>();
    for (const g of j.gates)
      held.set(g.id, (held.get(g.id) ?? false) || blocking(g.status));
    perWeek.set(key, held);
  }
  const cellMap = new Map<string, { judged: number; blocked: number }>();
  for (const [key, held] of perWeek) {
    const week = key.split(' ')[0];
    for (const [gate, blocked] of held) {
      const cell = cellMap.get(`${gate} ${week}`) ?? { judged: 0, blocked: 0 };
      cell.judged += 1;
      if (blocked) cell.blocked += 1;
      cellMap.set(`${gate} ${week}`, cell);
    }
  }
  const cells = [...cellMap].map(([key, c]) => {
    const [gate, week] = key.split(' ');
    return { gate: gate as GateId, week, ...c };
  });
  const overrides = overrideOutcomes(
    facts,
    decided,
    failures,
    period,
    environment,
    now,
    listed,
  );
  return {
    gates,
    cells,
    blocks: allBlocks,
    escapes,
    overrides: overrides.listed,
    evidenceAges,
    counts: {
      blocks: allBlocks.length,
      escapes: escapes.length,
      overrides: overrides.total,
      evidenceAges: evidenceAges.length,
    },
  };
}

/** The waivers and break-glass overrides of the period, newest first, and how each ended. */
function overrideOutcomes(
  facts: MetricsFacts,
  decided: Map<string, Judgement>,
  failures: ChangeFailure[],
  period: Period,
  environment: string,
  now: Date,
  listed: number,
): { listed: OverrideOutcome[]; total: number } {
  const failed = new Set(failures.map(f => f.operationId));
  // Which deploys went through each waiver or override, indexed once.
  const uses = new Map<string, string[]>();
  const use = (id: string, op: string) => {
    const ops = uses.get(id);
    if (ops) ops.push(op);
    else uses.set(id, [op]);
  };
  for (const j of decided.values()) {
    for (const g of j.gates) if (g.waiver) use(g.waiver, j.operationId!);
    if (j.overrideId) use(j.overrideId, j.operationId!);
  }
  const inForce = facts.overrides
    .filter(
      o =>
        o.createdAt < period.to &&
        (o.revokedAt ?? o.expiresAt) >= period.from &&
        (o.kind === 'waiver'
          ? !o.environment || o.environment === environment
          : o.environment === environment),
    )
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const described = inForce.slice(0, listed).map(o => {
    const through = [...new Set(uses.get(o.id) ?? [])];
    let outcome: OverrideOutcome['outcome'];
    if (through.some(id => failed.has(id))) outcome = 'failed';
    else if (through.length) outcome = 'healthy';
    else if (!o.revokedAt && o.expiresAt > now) outcome = 'active';
    else outcome = 'unused';
    return {
      kind: o.kind,
      id: o.id,
      entityRef: o.entityRef,
      ...(o.gate ? { gate: o.gate } : {}),
      ...(o.environment ? { environment: o.environment } : {}),
      ...(o.releaseVersion ? { releaseVersion: o.releaseVersion } : {}),
      grantedBy: o.grantedBy,
      justification: o.justification,
      createdAt: o.createdAt.toISOString(),
      expiresAt: o.expiresAt.toISOString(),
      ...(o.revokedAt ? { revokedAt: o.revokedAt.toISOString() } : {}),
      operations: through,
      outcome,
    };
  });
  return { listed: described, total: inForce.length };
}

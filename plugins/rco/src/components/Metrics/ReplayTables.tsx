import {
  ReplayedJudgement,
  ReplayChange,
  ReplayedVerdict,
  ReplayResponse,
} from '@helix-portal/plugin-rco-common';
import { Box, Typography } from '@material-ui/core';
import { Column, tableOf } from './csv';
import { TableSection } from './DataTable';
import { DEMO_LABEL, instant, releaseWords } from './format';

const PAST: Column<ReplayedJudgement>[] = [
  { title: 'Judged at', cell: p => instant(p.judgedAt) },
  { title: 'Service', cell: p => p.entityRef },
  { title: 'Environment', cell: p => p.environment },
  { title: 'Release', cell: p => releaseWords(p.release) },
  { title: 'Gate then', cell: p => p.before },
  { title: 'Gate with the change', cell: p => p.after },
  { title: 'Deploy then', cell: p => p.decisionBefore },
  { title: 'Deploy with the change', cell: p => p.decisionAfter },
  { title: 'Operation', cell: p => p.operationId },
];

const IN_FLIGHT: Column<ReplayedVerdict>[] = [
  { title: 'Service', cell: v => v.entityRef },
  { title: 'Environment', cell: v => v.environment || 'any' },
  { title: 'Release', cell: v => releaseWords(v.release) },
  { title: 'Gate now', cell: v => v.before },
  { title: 'Gate with the change', cell: v => v.after },
  { title: 'Ready now', cell: v => (v.readyBefore ? 'yes' : 'no') },
  { title: 'Ready with the change', cell: v => (v.readyAfter ? 'yes' : 'no') },
];

const firstOf = (listed: number, total?: number) =>
  total !== undefined && total > listed
    ? ` (the first ${listed} of ${total})`
    : '';

/** Which change a replay shows, in words: the gate and each threshold it changes. */
export function changeWords(c: ReplayChange, gateTitle?: string) {
  const parts: string[] = [];
  if (c.maxAge) parts.push(`maximum evidence age ${c.maxAge}`);
  if (c.blockingSeverities)
    parts.push(
      `failing severities ${c.blockingSeverities.join(', ') || 'none'}`,
    );
  if (c.waiver) {
    const w = c.waiver;
    parts.push(
      `a waiver in ${w.environment || 'every environment'}` +
        `${w.releaseVersion ? ` for ${w.releaseVersion}` : ''}` +
        `${w.duration ? ` lasting ${w.duration}` : ''}`,
    );
  }
  return `Replayed: ${gateTitle ?? c.gate} with ${
    parts.join('; ') || 'no change'
  }.`;
}

/** The replay's counts in one sentence, and the baseline's honesty check. */
export function replaySummary(r: ReplayResponse) {
  const allowed = r.past.filter(
    p => p.decisionBefore === 'blocked' && p.decisionAfter === 'allowed',
  ).length;
  const blocked = r.past.filter(
    p => p.decisionBefore === 'allowed' && p.decisionAfter === 'blocked',
  ).length;
  const past = r.pastCount ?? r.past.length;
  const inFlight = r.inFlightCount ?? r.inFlight.length;
  // The split is over the listed deploys; said so when the list is cut.
  const listed =
    past > r.past.length ? ` among the first ${r.past.length}` : '';
  return (
    `${past} past deploys would be judged differently (${blocked} allowed deploys would have been blocked, ` +
    `${allowed} blocked ones allowed${listed}); ${inFlight} of ${r.inFlightJudged} releases in flight would change.`
  );
}

/**
 * What a replayed change would have done: the counts, how faithfully the unchanged policy
 * reproduces the stored judgements (the baseline), and the judgements and releases in flight
 * that would change, each a table with its CSV.
 */
export function ReplayTables(props: {
  result: ReplayResponse;
  name: string;
  /** The change asked for (else the response's), said above the figures. */
  change?: ReplayChange;
  gateTitle?: string;
}) {
  const r = props.result;
  const b = r.baseline;
  const change = props.change ?? r.change;
  return (
    <Box data-testid={`rco-replay-${props.name}`}>
      {change && (
        <Typography
          variant="subtitle2"
          paragraph
          data-testid={`rco-replay-${props.name}-change`}
        >
          {changeWords(change, props.gateTitle)}
        </Typography>
      )}
      {r.demo && (
        <Typography
          variant="body2"
          paragraph
          data-testid={`rco-replay-${props.name}-demo`}
        >
          {DEMO_LABEL}. Some of these deploys come from it, not from real
          releases.
        </Typography>
      )}
      <Typography variant="body1" paragraph role="status">
        {replaySummary(r)}
      </Typography>
      <Typography variant="body2" paragraph>
        Baseline: the policy in force reproduces {b.matched} of {b.replayed}{' '}
        stored judgements exactly
        {b.unreplayable
          ? `; ${b.unreplayable} could not be replayed (evidence pruned or judged before the replay existed)`
          : ''}
        . {r.scope.services} services, {instant(r.scope.from)} to{' '}
        {instant(r.scope.to)}.
      </Typography>
      {b.mismatched.length > 0 && (
        <Typography variant="body2" color="error" paragraph>
          Not reproduced:{' '}
          {b.mismatched
            .map(
              m =>
                `${m.operationId} (${m.gate}: stored ${m.stored}, replayed ${m.replayed})`,
            )
            .join('; ')}
          . Treat the figures below with that in mind.
        </Typography>
      )}
      <TableSection
        name={`${props.name}-past`}
        title="Past deploys that would change"
        data={tableOf(
          `Past deploys the change would judge differently (each by the judgement that decided it)${firstOf(
            r.past.length,
            r.pastCount,
          )}`,
          PAST,
          r.past,
        )}
        empty="No past deploy would have been decided differently."
      />
      <TableSection
        name={`${props.name}-in-flight`}
        title="Releases in flight that would change"
        data={tableOf(
          `Releases in flight whose state the change would alter now${firstOf(
            r.inFlight.length,
            r.inFlightCount,
          )}`,
          IN_FLIGHT,
          r.inFlight,
        )}
        empty="No release in flight would change."
      />
    </Box>
  );
}

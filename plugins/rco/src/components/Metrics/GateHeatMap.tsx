import { GateWeekCell, GATES } from '@helix-portal/plugin-rco-common';
import { Theme, useTheme } from '@material-ui/core/styles';
import { ChartFrame } from './ChartFrame';
import { heatCell } from './chartTheme';
import { Column, tableOf } from './csv';
import { percent } from './format';

const LABEL = 190;
const HEAD = 28;
const CELL_W = 56;
const CELL_H = 28;

const share = (c: GateWeekCell) => (c.judged ? c.blocked / c.judged : 0);

const columnsOf = (title: (gate: string) => string): Column<GateWeekCell>[] => [
  { title: 'Gate', cell: c => title(c.gate) },
  { title: 'Week (from Monday)', cell: c => c.week },
  { title: 'Releases judged', cell: c => String(c.judged) },
  { title: 'Releases blocked', cell: c => String(c.blocked) },
  { title: 'Blocked share', cell: c => (c.judged ? percent(share(c)) : '—') },
];

/**
 * Gates by weeks: each cell's red is the share of the releases the gate judged that week that
 * it blocked (each release counted once a week, however many deploys were tried; the theme's
 * error colour, more opaque the larger the share), with "blocked/judged"
 * printed in a colour that contrasts with it at 4.5:1 or more. Drawn by hand: recharts
 * has no heat map.
 */
export function GateHeatMap(props: {
  cells: GateWeekCell[];
  /**
   * The period's weeks (the trend's: m.delivery.weeks). The backend sends cells only for weeks
   * with judgements; these keep the empty weeks as columns, as the trend shows them.
   */
  weeks: string[];
  /** Titles by gate id (the response's rows), the catalogue's otherwise. */
  titles: Record<string, string>;
  timeZone: string;
}) {
  const theme = useTheme<Theme>();
  const title = (gate: string) =>
    props.titles[gate] ?? GATES.find(g => g.id === gate)?.title ?? gate;
  // Gates in checklist order, weeks in time order.
  const order = (gate: string) => GATES.findIndex(g => g.id === gate);
  const gates = [...new Set(props.cells.map(c => c.gate))].sort(
    (a, b) => order(a) - order(b),
  );
  const weeks = [
    ...new Set([...props.weeks, ...props.cells.map(c => c.week)]),
  ].sort();
  // Every gate in every week: a week without a release judged is an empty cell, 0/0 in the table.
  const byKey = new Map(props.cells.map(c => [`${c.gate}|${c.week}`, c]));
  const cells = gates.flatMap(gate =>
    weeks.map(
      week =>
        byKey.get(`${gate}|${week}`) ?? { gate, week, judged: 0, blocked: 0 },
    ),
  ) as GateWeekCell[];
  const table = tableOf(
    `Releases judged and blocked per gate and week (weeks start Monday, ${props.timeZone})`,
    columnsOf(title),
    cells,
  );
  const width = LABEL + weeks.length * CELL_W;
  const height = HEAD + gates.length * CELL_H;
  const text = theme.palette.text;
  const blocked = props.cells.reduce((n, c) => n + c.blocked, 0);
  return (
    <ChartFrame
      name="heatmap"
      title="Blocks by gate and week"
      summary={`Heat map of ${gates.length} gates over ${weeks.length} weeks, ${blocked} releases blocked in all (each release counted once a week); a stronger red is a larger share of the releases judged that the gate blocked. The table below holds the numbers.`}
      table={table}
    >
      <div style={{ overflowX: 'auto' }}>
        <svg
          aria-hidden
          focusable="false"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          style={{ fontFamily: theme.typography.fontFamily, fontSize: 12 }}
        >
          {weeks.map((w, i) => (
            <text
              key={w}
              x={LABEL + i * CELL_W + CELL_W / 2}
              y={HEAD - 10}
              textAnchor="middle"
              fill={text.secondary}
            >
              {w.slice(5)}
            </text>
          ))}
          {gates.map((g, row) => (
            <text
              key={g}
              x={LABEL - 8}
              y={HEAD + row * CELL_H + CELL_H / 2 + 4}
              textAnchor="end"
              fill={text.primary}
            >
              {title(g).length > 26 ? `${title(g).slice(0, 25)}…` : title(g)}
            </text>
          ))}
          {cells.map(c => {
            const x = LABEL + weeks.indexOf(c.week) * CELL_W;
            const y = HEAD + gates.indexOf(c.gate) * CELL_H;
            const tone = heatCell(theme, share(c));
            return (
              <g key={`${c.gate}|${c.week}`} data-cell={`${c.gate}|${c.week}`}>
                <rect
                  x={x + 1}
                  y={y + 1}
                  width={CELL_W - 2}
                  height={CELL_H - 2}
                  fill={c.judged ? tone.background : 'none'}
                  stroke={theme.palette.divider}
                />
                {c.judged > 0 && (
                  <text
                    x={x + CELL_W / 2}
                    y={y + CELL_H / 2 + 4}
                    textAnchor="middle"
                    fill={tone.color}
                  >
                    {c.blocked}/{c.judged}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
    </ChartFrame>
  );
}

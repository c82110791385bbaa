import { DeliveryWeek } from '@helix-portal/plugin-rco-common';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFrame } from './ChartFrame';
import { SizedChart } from './ChartSize';
import { chartChrome, useChartColors } from './chartTheme';
import { Column, tableOf } from './csv';
import { hours } from './format';

const COLUMNS: Column<DeliveryWeek>[] = [
  { title: 'Week (from Monday)', cell: w => w.week },
  { title: 'Deploys', cell: w => String(w.deploys) },
  { title: 'Failures', cell: w => String(w.failures) },
  { title: 'Lead time, median (hours)', cell: w => hours(w.leadTimeHours) },
  {
    title: 'Time to restore, median (hours)',
    cell: w => hours(w.restoreHours),
  },
];

const HOUR_SERIES = new Set<unknown>(['leadTimeHours', 'restoreHours']);

/** The tooltip's value: hours as the table shows them, counts as they are. */
export const trendTooltipValue = (
  value: unknown,
  _name: unknown,
  item: { dataKey?: unknown },
) =>
  HOUR_SERIES.has(item.dataKey) && typeof value === 'number'
    ? hours(value)
    : String(value);

/**
 * One series of the chart, all drawn alike (a plain function, not a component: the chart finds
 * its lines by their element type). Counts go on the left axis, hours on the right.
 */
function weekLine(
  axis: 'count' | 'hours',
  dataKey: keyof DeliveryWeek,
  name: string,
  stroke: string,
  dot: { fill: string },
  dash?: string,
) {
  return (
    <Line
      yAxisId={axis}
      dataKey={dataKey}
      name={name}
      stroke={stroke}
      strokeWidth={2}
      {...(dash ? { strokeDasharray: dash } : {})}
      isAnimationActive={false}
      dot={dot}
    />
  );
}

/**
 * Week by week: deploys and failures on the left axis (counts), the median lead time and time to
 * restore on the right (hours). A week without a median leaves a gap, never a zero.
 */
export function TrendChart(props: { weeks: DeliveryWeek[]; timeZone: string }) {
  const colors = useChartColors();
  const chrome = chartChrome(colors);
  // Recharts fills its dots white: on the dark theme's paper they would glare.
  const dot = { fill: colors.paper };
  const table = tableOf(
    `Deploys, failures, lead time and time to restore per week (weeks start Monday, ${props.timeZone})`,
    COLUMNS,
    props.weeks,
  );
  const deploys = props.weeks.reduce((n, w) => n + w.deploys, 0);
  const failures = props.weeks.reduce((n, w) => n + w.failures, 0);
  return (
    <ChartFrame
      name="trend"
      title="Week by week"
      summary={`Line chart over ${props.weeks.length} weeks: ${deploys} deploys and ${failures} failures in all, with the weekly median lead time and time to restore in hours. The table below holds the numbers.`}
      table={table}
    >
      <SizedChart height={280}>
        {size => (
          <ComposedChart
            {...size}
            data={props.weeks}
            margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
            aria-hidden
          >
            <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
            <XAxis dataKey="week" {...chrome.axis} />
            <YAxis yAxisId="count" allowDecimals={false} {...chrome.axis} />
            <YAxis
              yAxisId="hours"
              orientation="right"
              unit=" h"
              {...chrome.axis}
            />
            <Tooltip
              {...chrome.tooltip}
              formatter={trendTooltipValue}
              cursor={{ stroke: colors.grid }}
            />
            <Legend {...chrome.legend} />
            {weekLine('count', 'deploys', 'Deploys', colors.deploys, dot)}
            {weekLine(
              'count',
              'failures',
              'Failures',
              colors.failures,
              dot,
              '6 3',
            )}
            {weekLine(
              'hours',
              'leadTimeHours',
              'Lead time (h)',
              colors.leadTime,
              dot,
            )}
            {weekLine(
              'hours',
              'restoreHours',
              'Time to restore (h)',
              colors.restore,
              dot,
              '2 2',
            )}
          </ComposedChart>
        )}
      </SizedChart>
    </ChartFrame>
  );
}

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import { SizedChart } from './ChartSize';
import { chartChrome, useChartColors } from './chartTheme';
import { Column, tableOf } from './csv';
import { num } from './format';
import { Bin, histogram } from './histogram';

const label = (b: Bin) =>
  b.to === Infinity
    ? `${num(b.from)} h or more`
    : `${num(b.from)}–${num(b.to)} h`;

/** A distribution of durations in hours, as bars per bin, with its table and CSV. */
export function Histogram(props: {
  name: string;
  title: string;
  /** What is counted ("Deploys"). */
  counted: string;
  values: number[];
  caption: string;
  /** How many there were in all, when the backend sent only the newest. */
  total?: number;
}) {
  const colors = useChartColors();
  const chrome = chartChrome(colors);
  const bins = histogram(props.values).map(b => ({ ...b, label: label(b) }));
  const columns: Column<Bin>[] = [
    { title: 'From (hours)', cell: b => num(b.from) },
    {
      title: 'To (hours, exclusive)',
      cell: b => (b.to === Infinity ? 'and more' : num(b.to)),
    },
    { title: props.counted, cell: b => String(b.count) },
  ];
  const cut =
    props.total !== undefined && props.total > props.values.length
      ? ` (the newest ${props.values.length} of ${props.total})`
      : '';
  const table = tableOf(`${props.caption}${cut}`, columns, bins);
  return (
    <ChartFrame
      name={props.name}
      title={props.title}
      summary={`Histogram of ${
        props.values.length
      } ${props.counted.toLowerCase()} in ${
        bins.length
      } bins. The table below holds the numbers.`}
      table={table}
    >
      <SizedChart height={220}>
        {size => (
          <BarChart {...size} data={bins} aria-hidden>
            <CartesianGrid stroke={colors.grid} strokeDasharray="3 3" />
            <XAxis dataKey="label" {...chrome.axis} />
            <YAxis allowDecimals={false} {...chrome.axis} />
            <Tooltip {...chrome.tooltip} cursor={{ fill: colors.grid }} />
            <Bar
              dataKey="count"
              name={props.counted}
              fill={colors.bars}
              isAnimationActive={false}
            />
          </BarChart>
        )}
      </SizedChart>
    </ChartFrame>
  );
}

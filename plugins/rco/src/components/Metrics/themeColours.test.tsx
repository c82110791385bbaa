import { createTheme, ThemeProvider } from '@material-ui/core/styles';
import { render } from '@testing-library/react';
import { ChartWidth } from './ChartSize';
import { chartColors, heatCell } from './chartTheme';
import { GateHeatMap } from './GateHeatMap';
import { Histogram } from './Histogram';
import { TrendChart } from './TrendChart';
import { metrics } from './testFixtures';

// Backstage's dark palette (@backstage/theme): where a hard-coded white or black would show.
const dark = createTheme({
  palette: {
    type: 'dark',
    background: { paper: '#424242', default: '#333333' },
    primary: { main: '#9CC9FF' },
    secondary: { main: '#FF88B2' },
  },
});

/** Every fill and stroke painted inside the element's svgs. */
function paints(container: HTMLElement) {
  const used = new Set<string>();
  container.querySelectorAll('svg *').forEach(el => {
    for (const attr of ['fill', 'stroke']) {
      const v = el.getAttribute(attr);
      if (v && v !== 'none' && !v.startsWith('url(')) used.add(v);
    }
  });
  return used;
}

const inDark = (el: JSX.Element) =>
  render(
    <ThemeProvider theme={dark}>
      <ChartWidth.Provider value={700}>{el}</ChartWidth.Provider>
    </ThemeProvider>,
  );

/** Issue 17, point 4: the charts paint only with the theme's colours. */
describe('chart colours in the dark theme', () => {
  it('the trend and the histograms use only colours taken from the theme', () => {
    const m = metrics();
    const { container } = inDark(
      <>
        <TrendChart weeks={m.delivery.weeks} timeZone="UTC" />
        <Histogram
          name="lead-time"
          title="Lead time"
          counted="Deploys"
          values={m.delivery.leadTimes.map(l => l.hours)}
          caption="Lead time"
        />
      </>,
    );
    const allowed = new Set<string>(Object.values(chartColors(dark)));
    const used = paints(container);
    expect(used.size).toBeGreaterThan(3);
    expect([...used].filter(c => !allowed.has(c))).toEqual([]);
    // The line dots sit on the paper (recharts would fill them white).
    const dots = container.querySelectorAll('.recharts-line-dot');
    expect(dots.length).toBeGreaterThan(0);
    dots.forEach(d => expect(d.getAttribute('fill')).toBe('#424242'));
  });

  it('the heat map paints cells from the error colour and its numbers for contrast', () => {
    const cells = metrics().effectiveness.cells;
    const { container } = inDark(
      <GateHeatMap cells={cells} weeks={[]} titles={{}} timeZone="UTC" />,
    );
    const allowed = new Set<string>([
      dark.palette.text.primary,
      dark.palette.text.secondary,
      dark.palette.divider,
      ...cells.flatMap(c => {
        const tone = heatCell(dark, c.judged ? c.blocked / c.judged : 0);
        return [tone.background, tone.color];
      }),
    ]);
    expect([...paints(container)].filter(c => !allowed.has(c))).toEqual([]);
  });
});

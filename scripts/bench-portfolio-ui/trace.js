// Reading the figures: the longest main-thread task of a Chromium trace, and (debugging only) a
// source-mapped CPU profile.
const fs = require('node:fs');
const path = require('node:path');

/**
 * The longest RunTask on a renderer main thread in a Chromium trace, in ms: by the wall clock
 * (`dur`) and by the thread's own CPU time (`tdur`), which leaves out the time the thread waited
 * for a core on a busy machine.
 */
function longestTask(trace) {
  const { traceEvents } = JSON.parse(trace.toString());
  const main = new Set(
    traceEvents
      .filter(
        e => e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
      )
      .map(e => `${e.pid}:${e.tid}`),
  );
  const tasks = traceEvents.filter(
    e =>
      e.ph === 'X' &&
      (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') &&
      main.has(`${e.pid}:${e.tid}`),
  );
  if (tasks.length === 0) return { wall: 0, cpu: 0 };
  const longest = tasks.reduce((a, b) => (b.dur > a.dur ? b : a));
  const cpu = Math.max(...tasks.map(e => e.tdur ?? 0));
  if (process.env.BENCH_DEBUG) {
    const byCpu = tasks.find(e => (e.tdur ?? 0) === cpu);
    const before = traceEvents
      .filter(e => e.cat?.includes('blink.user_timing') && e.ts <= byCpu.ts)
      .sort((a, b) => b.ts - a.ts)[0]?.name;
    console.error(
      `longest by CPU ${cpu / 1000} ms, after the action: ${before}`,
    );
  }
  if (process.env.BENCH_DEBUG) {
    // What the longest task did: the events inside it on the same thread, longest first.
    const inside = traceEvents
      .filter(
        e =>
          e.ph === 'X' &&
          e !== longest &&
          e.pid === longest.pid &&
          e.tid === longest.tid &&
          e.ts >= longest.ts &&
          e.ts + (e.dur ?? 0) <= longest.ts + longest.dur,
      )
      .sort((a, b) => b.dur - a.dur)
      .slice(0, 12)
      .map(
        e =>
          `  ${(e.dur / 1000).toFixed(1)} ms (cpu ${(
            (e.tdur ?? 0) / 1000
          ).toFixed(1)}) ${e.name} ${JSON.stringify(e.args?.data ?? {}).slice(
            0,
            200,
          )}`,
      );
    // The user action it followed (each action leaves a performance mark).
    const mark = traceEvents
      .filter(e => e.cat?.includes('blink.user_timing') && e.ts <= longest.ts)
      .sort((a, b) => b.ts - a.ts)[0]?.name;
    console.error(`after the action: ${mark}`);
    console.error(
      `longest task ${longest.dur / 1000} ms (cpu ${
        (longest.tdur ?? 0) / 1000
      } ms):\n${inside.join('\n')}`,
    );
  }
  return { wall: longest.dur / 1000, cpu: cpu / 1000 };
}

/** Debugging aid (BENCH_PROFILE=1): the functions with the most self time, source-mapped. */
function printProfile(profile, { BASE, DIST }) {
  const { SourceMapConsumer } = require('source-map-js');
  const maps = new Map();
  const mapped = frame => {
    const file = frame.url.startsWith(BASE)
      ? path.join(DIST, new URL(frame.url).pathname)
      : undefined;
    if (!file || !fs.existsSync(`${file}.map`))
      return `${frame.functionName} ${frame.url}`;
    if (!maps.has(file)) {
      maps.set(
        file,
        new SourceMapConsumer(
          JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')),
        ),
      );
    }
    const pos = maps.get(file).originalPositionFor({
      line: frame.lineNumber + 1,
      column: frame.columnNumber,
    });
    return `${pos.name ?? frame.functionName} ${pos.source?.replace(
      /.*node_modules\//,
      '',
    )}:${pos.line}`;
  };
  const self = new Map();
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const key = mapped(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  // Inclusive time of the page's own components (and MUI's), by walking each sample's stack.
  const parent = new Map();
  for (const n of profile.nodes)
    for (const c of n.children ?? []) parent.set(c, n.id);
  const total = new Map();
  profile.samples.forEach((id, i) => {
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const key = mapped(byId.get(n).callFrame);
      if (
        seen.has(key) ||
        !/plugins\/rco|@material-ui\/core|plugin-catalog-react/.test(key)
      )
        continue;
      seen.add(key);
      total.set(
        key,
        (total.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000,
      );
    }
  });
  console.error('inclusive:');
  console.error(
    [...total]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, ms]) => `  ${ms.toFixed(1)} ms ${k}`)
      .join('\n'),
  );
  console.error('self:');
  console.error(
    [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([k, ms]) => `  ${ms.toFixed(1)} ms ${k}`)
      .join('\n'),
  );
}

module.exports = { longestTask, printProfile };

/* eslint-disable no-console */
// Reads the backend's V8 CPU profile (node --cpu-prof, BENCH_CPU_PROF=1) and prints where its
// time went: the functions with the most self time, and the project's own files by total time.
import fs from 'node:fs';
import path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '')
    .replace(/.*\/(plugins|packages)\//, '$1/');

/** Each profile in `dir` with its nodes by id and each node's parent. */
function readProfiles(dir: string) {
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter(f => f.endsWith('.cpuprofile'))
    : [];
  return files.map(file => {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const nodes = new Map<number, Node>(
      profile.nodes.map((n: Node) => [n.id, n]),
    );
    const parent = new Map<number, number>();
    for (const n of nodes.values())
      for (const c of n.children ?? []) parent.set(c, n.id);
    return { file, profile, nodes, parent };
  });
}

export function summariseProfiles(dir: string, top = 25) {
  for (const { file, profile, nodes, parent } of readProfiles(dir)) {
    const self = new Map<number, number>();
    const dt: number[] = profile.timeDeltas;
    profile.samples.forEach((id: number, i: number) =>
      self.set(id, (self.get(id) ?? 0) + (dt[i + 1] ?? 0) / 1000),
    );
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const bySelf = new Map<string, number>();
    const byOwnFile = new Map<string, number>();
    for (const [id, ms] of self) {
      const frame = nodes.get(id)!.callFrame;
      const key = `${frame.functionName || '(anonymous)'} ${short(frame.url)}:${
        frame.lineNumber + 1
      }`;
      bySelf.set(key, (bySelf.get(key) ?? 0) + ms);
      // Inclusive time of the project's files: each sample counted once per file on its stack.
      const seen = new Set<string>();
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const url = nodes.get(n)!.callFrame.url;
        if (
          !/\/plugins\/[^/]+\/src\//.test(url) ||
          url.includes('node_modules')
        )
          continue;
        const f = short(url);
        if (!seen.has(f)) {
          seen.add(f);
          byOwnFile.set(f, (byOwnFile.get(f) ?? 0) + ms);
        }
      }
    }
    const idle = bySelf.get('(idle) :0') ?? 0;
    console.log(
      `\n== CPU profile ${file}: ${(total / 1000).toFixed(1)} s sampled, ${(
        (total - idle) /
        1000
      ).toFixed(1)} s busy`,
    );
    console.log('  most self time:');
    for (const [key, ms] of [...bySelf]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)) {
      console.log(`    ${(ms / 1000).toFixed(2).padStart(7)} s  ${key}`);
    }
    // Who calls the project's costliest functions (their self time, by calling frame).
    const own = [...bySelf]
      .filter(([key]) => key.includes('plugins/'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([key]) => key);
    for (const key of own) {
      const callers = new Map<string, number>();
      for (const [id, ms] of self) {
        const frame = nodes.get(id)!.callFrame;
        const k = `${frame.functionName || '(anonymous)'} ${short(frame.url)}:${
          frame.lineNumber + 1
        }`;
        if (k !== key) continue;
        // The nearest caller that is not the function itself.
        let p = parent.get(id);
        while (
          p !== undefined &&
          nodes.get(p)!.callFrame.functionName === frame.functionName
        )
          p = parent.get(p);
        const c = p === undefined ? undefined : nodes.get(p)!.callFrame;
        const ck = c
          ? `${c.functionName || '(anonymous)'} ${short(c.url)}:${
              c.lineNumber + 1
            }`
          : '(root)';
        callers.set(ck, (callers.get(ck) ?? 0) + ms);
      }
      console.log(`  callers of ${key}:`);
      for (const [ck, ms] of [...callers]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)) {
        console.log(`    ${(ms / 1000).toFixed(2).padStart(7)} s  ${ck}`);
      }
    }
    console.log("  the project's files, inclusive time:");
    for (const [key, ms] of [...byOwnFile]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)) {
      console.log(`    ${(ms / 1000).toFixed(2).padStart(7)} s  ${key}`);
    }
  }
}

/** The phases measured, as spans of the monotonic clock V8's profiles also use (µs). */
const spans: { name: string; from: number; to: number }[] = [];
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Runs one measured phase and remembers when it ran, to read the profile for it alone. */
export async function profiled<T>(name: string, run: () => Promise<T>) {
  const from = nowUs();
  try {
    return await run();
  } finally {
    spans.push({ name, from, to: nowUs() });
  }
}

/** Who a frame belongs to: a package, one of the project's plugins, Node itself, or V8. */
function owner(frame: Node['callFrame']): string {
  const url = frame.url;
  if (!url) return frame.functionName || '(unknown)';
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const parts = url.slice(inModules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // Any checkout of the repository (the benchmark may run from another worktree).
  const plugin = /\/(plugins|packages)\/([^/]+)\/src\//.exec(url);
  if (plugin) return `${plugin[1]}/${plugin[2]}`;
  if (url.startsWith('node:')) return 'node (core)';
  return 'other';
}

/**
 * For each measured phase: how much CPU the backend used, and which packages were on the stack
 * (inclusive: a sample counts once for every package on its stack, so the catalog's share
 * includes the database driver it called). This is what limits a figure, phase by phase; the
 * whole-run summary above also holds start-up and background work.
 */
export function summarisePhases(dir: string, top = 14) {
  for (const { file, profile, nodes, parent } of readProfiles(dir)) {
    const dt: number[] = profile.timeDeltas;
    const at: number[] = [];
    let t = profile.startTime;
    for (let i = 0; i < dt.length; i++) at.push((t += dt[i]));
    for (const span of spans) {
      let busy = 0;
      let sampled = 0;
      const byOwner = new Map<string, number>();
      const bySelf = new Map<string, number>();
      profile.samples.forEach((id: number, i: number) => {
        if (at[i] < span.from || at[i] > span.to) return;
        const ms = (dt[i + 1] ?? 0) / 1000;
        sampled += ms;
        const leaf = nodes.get(id)!.callFrame;
        if (leaf.functionName === '(idle)') return;
        busy += ms;
        const key = `${leaf.functionName || '(anonymous)'} ${short(leaf.url)}`;
        bySelf.set(key, (bySelf.get(key) ?? 0) + ms);
        const seen = new Set<string>();
        for (
          let n: number | undefined = id;
          n !== undefined;
          n = parent.get(n)
        ) {
          const o = owner(nodes.get(n)!.callFrame);
          if (o === '(root)' || seen.has(o)) continue;
          seen.add(o);
          byOwner.set(o, (byOwner.get(o) ?? 0) + ms);
        }
      });
      console.log(
        `\n== CPU of phase "${span.name}" (${file}): ${(busy / 1000).toFixed(
          2,
        )} s busy of ${(sampled / 1000).toFixed(1)} s`,
      );
      const share = (ms: number) =>
        `${(ms / 1000).toFixed(2).padStart(6)} s ${(
          (100 * ms) /
          Math.max(busy, 1)
        )
          .toFixed(0)
          .padStart(3)} %`;
      console.log('  on the stack (inclusive), by package:');
      for (const [o, ms] of [...byOwner]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top))
        console.log(`    ${share(ms)}  ${o}`);
      console.log('  most self time:');
      for (const [k, ms] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 8))
        console.log(`    ${share(ms)}  ${k}`);
    }
  }
}

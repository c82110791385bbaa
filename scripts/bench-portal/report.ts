/* eslint-disable no-console */
// Every figure printed beside its target (issue 14's table), and kept for the summary at the end.
import os from 'node:os';
import { fmt } from './http';

export interface Figure {
  name: string;
  value: string;
  target?: string;
  met?: boolean;
}

export const figures: Figure[] = [];

/** Prints one figure; `met` undefined means the figure has no target (context only). */
export function figure(
  name: string,
  value: string,
  target?: string,
  met?: boolean,
) {
  figures.push({ name, value, target, met });
  const verdict = met === undefined ? '' : met ? '  met' : '  NOT MET';
  console.log(
    `  ${name}: ${value}${target ? `   (target ${target})${verdict}` : ''}`,
  );
}

export const note = (text: string) => console.log(`    ${text}`);
// The machine is shared: the load average says how much of it the figures had.
const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' ');
export const heading = (text: string) =>
  console.log(
    `\n== ${text} (load average ${load()}, ${os.cpus().length} cores)`,
  );

/** "p50 x / p95 y (n requests)" of latencies. */
export function latencies(
  values: number[],
  p: (v: number[], q: number) => number,
) {
  return `p50 ${fmt(p(values, 50))} / p95 ${fmt(p(values, 95))} / max ${fmt(
    Math.max(...values),
  )} (${values.length} requests)`;
}

export function summary() {
  console.log(
    `\n== Summary (each figure beside its target; load average ${load()})`,
  );
  for (const f of figures) {
    if (f.target === undefined) continue;
    console.log(
      `  ${f.met ? 'met    ' : 'NOT MET'}  ${f.name}: ${f.value} (target ${
        f.target
      })`,
    );
  }
}

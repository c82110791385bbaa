import { performance } from 'node:perf_hooks';
import { secretLintProfiler } from '@secretlint/profiler';
import { secretlintRanges } from './secretlint';

/**
 * secretlint profiles every run by default: a performance mark per rule per run, kept in the
 * process's performance timeline and in the profiler's own arrays, and a PerformanceObserver
 * that is never disconnected. In a backend that scans every evidence upload, that grows without
 * bound (and in Jest it kept each test file's whole module registry alive).
 */
describe('secretlintRanges', () => {
  it('finds a secret with a known shape, and where it is in each text', async () => {
    const key = 'AKIAIOSFODNN7EXAMPLQ';
    const [clean, withKey] = await secretlintRanges([
      'nothing here',
      `id: ${key}`,
    ]);
    expect(clean).toEqual([]);
    expect(withKey.map(([from, to]) => `id: ${key}`.slice(from, to))).toEqual([
      key,
    ]);
  });

  it('keeps nothing behind from its runs (no profiling marks, no observer)', async () => {
    const before = performance.getEntriesByType('mark').length;
    for (let i = 0; i < 20; i++) await secretlintRanges([`run ${i}`]);
    expect(performance.getEntriesByType('mark').length).toBe(before);
    expect(secretLintProfiler.isEnabled).toBe(false);
    // The observer is private in the profiler's types: read the field it is held in.
    const held = secretLintProfiler as unknown as { observer?: unknown };
    expect(held.observer).toBeUndefined();
    expect(await secretLintProfiler.getEntries()).toEqual([]);
  });
});

// Two backend instances behind one PostgreSQL: the second instance's first portfolio request,
// the read and upload figures round-robin over both, and writes through one seen by the other.
import type { Backend } from './backend';
import { Ctx, settle, take } from './context';
import { fmt, pct } from './http';
import { portfolioFirst, portfolioPages, statusFigure } from './reads';
import { figure, note } from './report';
import { uploadFigures, verdictVisible } from './writes';

export async function twoInstances(
  ctx: Ctx,
  b: Backend,
  services: number,
  phases: Set<string>,
) {
  note(
    `second instance started in ${(b.startMs / 1000).toFixed(1)} s on port ${
      b.port
    }`,
  );
  const [a] = ctx.backends;
  if (phases.has('portfolio')) {
    ctx.backends = [b];
    await portfolioFirst(ctx, services, ' (second instance)');
  }
  ctx.backends = [a, b];
  note(await settle(ctx));
  const label = ' (two instances, round-robin)';
  if (phases.has('status')) await statusFigure(ctx, label);
  if (phases.has('portfolio')) await portfolioPages(ctx, services, label);
  if (phases.has('uploads')) await uploadFigures(ctx, label);
  // A write through one instance, read through the other, both ways.
  const { names } = take(ctx, 10);
  const seen: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const [writer, reader] = i % 2 ? [b, a] : [a, b];
    const r = await verdictVisible(
      ctx,
      writer.baseUrl,
      reader.baseUrl,
      names[i],
      100 + i,
    );
    seen.push(r.ms);
    if (r.portfolioMs !== undefined) seen.push(r.portfolioMs);
  }
  const missed = seen.filter(v => Number.isNaN(v)).length;
  figure(
    'a write through one instance is visible through the other (upload, then status and portfolio row)',
    missed
      ? `NOT visible within 10 s in ${missed} of ${seen.length} reads`
      : `visible after median ${fmt(pct(seen, 50))}, max ${fmt(
          Math.max(...seen),
        )} (${names.length} uploads, both ways)`,
    'visible, <= 100 ms',
    !missed && Math.max(...seen) <= 100,
  );
}

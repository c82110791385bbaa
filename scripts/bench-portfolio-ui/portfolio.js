// The bench's stand-in for GET /portfolio: N generated services, and the contract's filtering,
// sorting, paging, totals and per-gate counts over them (done in the bench's process, so the
// page's figures are its own).
// The ten gates of the runbook's checklist (rco-common's catalogue), in its order.
const GATES = [
  ['acronym-clarity', 'Acronym Clarity'],
  ['secret-hygiene', 'Secret Hygiene'],
  ['migration-controls', 'Migration Controls'],
  ['image-scanning', 'Image & Dependency Scanning'],
  ['progressive-delivery', 'Progressive Delivery Validation'],
  ['policy-enforcement', 'Policy Enforcement'],
  ['monitoring-alerting', 'Monitoring & Alerting'],
  ['documentation-completeness', 'Documentation Completeness'],
  ['rto-rpo-verification', 'RTO/RPO Verification'],
  ['dpo-signoff', 'DPO Sign-off'],
];
const STATUSES = ['pass', 'fail', 'missing', 'stale', 'waived'];

/** N services with a deterministic spread of statuses (most pass, as in a real portfolio). */
function generate(n) {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const now = Date.parse('2026-11-30T09:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const name = `svc-${String(i).padStart(5, '0')}`;
    const gates = GATES.map(([id]) => {
      const r = random();
      const status =
        r < 0.75
          ? 'pass'
          : r < 0.83
          ? 'fail'
          : r < 0.91
          ? 'missing'
          : r < 0.97
          ? 'stale'
          : 'waived';
      const validUntil =
        status === 'pass'
          ? new Date(now + Math.floor(random() * 30 * 86400e3)).toISOString()
          : undefined;
      return { id, status, validUntil };
    });
    const soon = gates
      .filter(g => g.validUntil && Date.parse(g.validUntil) - now < 3 * 86400e3)
      .map(g => g.id);
    const blockedBy = gates
      .filter(g => ['fail', 'missing', 'stale'].includes(g.status))
      .map(g => g.id);
    const waived = gates.filter(g => g.status === 'waived').map(g => g.id);
    const until = gates
      .map(g => g.validUntil)
      .filter(Boolean)
      .sort()[0];
    return {
      entityRef: `component:default/${name}`,
      title: `Service ${name}`,
      owners: [`group:default/team-${i % 40}`],
      release: { version: `1.${i % 50}.${i % 7}`, digest: undefined },
      summary: {
        passing: gates.filter(g => g.status === 'pass').length,
        total: gates.length,
        blockedBy,
        waived,
        ready: blockedBy.length === 0,
        text: '',
      },
      gates,
      expiresSoon: soon,
      validUntil: until,
      judgedAt: new Date(now).toISOString(),
    };
  });
}

const count = (item, status) =>
  item.gates.filter(g => g.status === status).length;
const risk = i =>
  i.summary.ready
    ? 0
    : count(i, 'fail') * 100 + count(i, 'missing') * 10 + count(i, 'stale');

/** GET /portfolio as the contract has it, over the generated rows. */
function portfolio(rows, params) {
  const owner = params.get('owner');
  const gate = params.get('gate');
  const status = params.get('status');
  const q = (params.get('q') ?? '').toLowerCase();
  const expiring = params.get('expiring') === 'true';
  const filtered = rows.filter(
    i =>
      (!owner ||
        i.owners.some(o => o === owner || o.split('/').pop() === owner)) &&
      (!gate && !status
        ? true
        : i.gates.some(
            g => (!gate || g.id === gate) && (!status || g.status === status),
          )) &&
      (!q ||
        i.entityRef.toLowerCase().includes(q) ||
        i.title.toLowerCase().includes(q)) &&
      (!expiring || i.expiresSoon.length > 0),
  );
  const sort = params.get('sort') ?? 'ref';
  const by = {
    ref: (a, b) => a.entityRef.localeCompare(b.entityRef),
    title: (a, b) => a.title.localeCompare(b.title),
    risk: (a, b) => risk(b) - risk(a) || a.title.localeCompare(b.title),
    expires: (a, b) =>
      (a.validUntil ?? '~').localeCompare(b.validUntil ?? '~') ||
      a.entityRef.localeCompare(b.entityRef),
  }[sort];
  const sorted = [...filtered].sort(by);
  if (params.get('order') === 'desc') sorted.reverse();
  const offset = Number(params.get('offset') ?? 0);
  const limit = Math.min(1000, Number(params.get('limit') ?? 50));
  const has = (i, s) => i.gates.some(g => g.status === s);
  return {
    totalItems: sorted.length,
    items: sorted.slice(offset, offset + limit),
    totals: {
      services: sorted.length,
      ready: sorted.filter(i => i.summary.ready).length,
      blocked: sorted.filter(i => !i.summary.ready).length,
      failing: sorted.filter(i => has(i, 'fail')).length,
      missing: sorted.filter(i => has(i, 'missing')).length,
      stale: sorted.filter(i => has(i, 'stale')).length,
    },
    columns: GATES.map(([id, title]) => {
      const counts = Object.fromEntries(STATUSES.map(s => [s, 0]));
      for (const i of sorted) counts[i.gates.find(g => g.id === id).status]++;
      return { id, title, counts };
    }),
    horizon: 'P3D',
    pending: 0,
  };
}

module.exports = { generate, portfolio };

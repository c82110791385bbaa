import {
  GateEffectivenessRow,
  GateEscape,
} from '@helix-portal/plugin-rco-common';
import { Column, tableOf } from './csv';
import { TableSection } from './DataTable';
import { instant, num, releaseWords } from './format';

const GATE_COLUMNS: Column<GateEffectivenessRow>[] = [
  { title: 'Gate', cell: g => g.title },
  { title: 'Judged', cell: g => String(g.judged) },
  { title: 'Blocked', cell: g => String(g.blocked) },
  { title: 'Releases blocked', cell: g => String(g.blockedReleases) },
  { title: 'Green by evidence', cell: g => String(g.turnedGreen.evidence) },
  { title: 'Green by waiver', cell: g => String(g.turnedGreen.waiver) },
  {
    title: 'Green by break-glass',
    cell: g => String(g.turnedGreen['break-glass']),
  },
  {
    title: 'Blocked to green, median (hours)',
    cell: g => num(g.blockedToGreenHours.median),
  },
  {
    title: 'Blocked to green, p90 (hours)',
    cell: g => num(g.blockedToGreenHours.p90),
  },
  {
    title: 'Evidence age, median (hours)',
    cell: g => num(g.evidenceAgeHours.median),
  },
  {
    title: 'Evidence age, p90 (hours)',
    cell: g => num(g.evidenceAgeHours.p90),
  },
  {
    title: 'Evidence age samples',
    cell: g => String(g.evidenceAgeHours.samples),
  },
  { title: 'Escapes after a pass', cell: g => String(g.escapes.pass) },
  { title: 'Escapes after a waiver', cell: g => String(g.escapes.waiver) },
  {
    title: 'Escapes after break-glass',
    cell: g => String(g.escapes['break-glass']),
  },
];

/**
 * Each gate's effectiveness: how often it blocked, what turned its blocks green and how fast,
 * how old its evidence was at deploys, and which deploys got past it and then failed.
 */
export function GateEffectivenessTable(props: {
  gates: GateEffectivenessRow[];
  scope: string;
}) {
  return (
    <TableSection
      name="effectiveness"
      title="Gate effectiveness"
      data={tableOf(
        `Gate effectiveness, ${props.scope}`,
        GATE_COLUMNS,
        props.gates,
      )}
      empty="No deploy was judged in this period."
    />
  );
}

const VIA: Record<GateEscape['via'], string> = {
  pass: 'passed',
  waiver: 'waived',
  'break-glass': 'break-glass',
};

/** Deploys that got past a gate (passed, waived or by break-glass) and then failed. */
export function EscapesTable(props: {
  escapes: GateEscape[];
  titles: Record<string, string>;
  scope: string;
  /** How many there were in all, when only the newest were sent. */
  total?: number;
}) {
  const cut =
    props.total !== undefined && props.total > props.escapes.length
      ? ` (the newest ${props.escapes.length} of ${props.total})`
      : '';
  const columns: Column<GateEscape>[] = [
    { title: 'Gate', cell: e => props.titles[e.gate] ?? e.gate },
    { title: 'Got past by', cell: e => VIA[e.via] ?? e.via },
    { title: 'Service', cell: e => e.entityRef },
    { title: 'Environment', cell: e => e.environment },
    { title: 'Release', cell: e => releaseWords(e.release) },
    { title: 'Failure', cell: e => e.failure },
    { title: 'Failed at', cell: e => instant(e.failedAt) },
    { title: 'Operation', cell: e => e.operationId },
  ];
  return (
    <TableSection
      name="escapes"
      title="Escapes"
      data={tableOf(`Escapes, ${props.scope}${cut}`, columns, props.escapes)}
      empty="No deploy that got past a gate failed in this period."
    />
  );
}

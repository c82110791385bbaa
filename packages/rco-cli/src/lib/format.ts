import type {
  GateResult,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import Table from 'cli-table3';
import { oneLine } from './errors';

/** One line about what an evidence summary says, whatever its type. */
export function summarize(summary: any): string {
  if (!summary || typeof summary !== 'object') return '';
  switch (summary.type) {
    case 'vulnerability-scan': {
      const c = summary.counts ?? {};
      return `${summary.tool} scan: ${c.CRITICAL ?? 0} critical, ${
        c.HIGH ?? 0
      } high, ${c.MEDIUM ?? 0} medium, ${c.LOW ?? 0} low`;
    }
    case 'sbom':
      return `${summary.format} SBOM ${summary.specVersion}: ${summary.components} components`;
    case 'signature':
      return `${summary.tool} signature${
        summary.verified ? ', verified by the console' : ' (claimed by CI)'
      }`;
    case 'secret-scan':
      return `${summary.tool}: ${summary.findings?.length ?? 0} findings`;
    case 'policy-report':
      return `policy report ${summary.name}: ${
        summary.counts?.pass ?? 0
      } pass, ${summary.counts?.fail ?? 0} fail`;
    case 'gatekeeper-constraint':
      return `Gatekeeper ${summary.constraintKind} ${summary.name}: ${summary.totalViolations} violations`;
    case 'velero':
      return `Velero ${summary.object} ${summary.name}: ${
        summary.phase ?? 'no phase'
      }`;
    case 'attestation':
      return `${summary.attestation}: ${
        summary.succeeded ? 'succeeded' : 'failed'
      }`;
    default: {
      const name = summary.name ? ` ${summary.name}` : '';
      return `${String(summary.type ?? 'evidence').replace(/-/g, ' ')}${name}`;
    }
  }
}

/** `file: kind id created|existing – summary`, one line per stored record. */
export function formatRecord(file: string, record: any): string {
  const state = record.created === false ? 'existing' : 'created';
  const about = [
    record.subject?.digest,
    record.subject?.version && `version ${record.subject.version}`,
    record.subject?.environment && `in ${record.subject.environment}`,
  ]
    .filter(Boolean)
    .join(', ');
  return oneLine(
    `${file}: ${record.kind} ${record.id} ${state} – ${summarize(
      record.summary,
    )}${about ? ` (${about})` : ''}`,
  );
}

const section = (g: GateResult) =>
  g.section ? `runbook section ${g.section}` : 'no runbook section';

/** A failing (or waiting) gate in one line: id, title, reasons and runbook section. */
export function describeGate(g: GateResult): string {
  const reasons = g.reasons?.length ? g.reasons.join('; ') : 'no reason given';
  // Reasons quote evidence and runbooks: one line each, whatever they hold.
  return oneLine(
    `${g.id} (${g.title}) ${g.status}: ${reasons} [${section(g)}]`,
  );
}

/** The verdict as a table for people. */
export function statusTable(status: ReleaseStatusResponse): string {
  const table = new Table({
    head: ['Gate', 'Status', 'Why', 'Runbook section'],
    colWidths: [30, 9, 60, 34],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const g of status.gates) {
    table.push([
      `${g.title}\n${g.id}`,
      g.status,
      (g.reasons ?? []).join('\n') || '–',
      g.section ?? '–',
    ]);
  }
  const release = [
    status.release?.version && `version ${status.release.version}`,
    status.release?.digest,
    status.release?.environment && `in ${status.release.environment}`,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `${status.entityRef}${release ? ` – ${release}` : ''}`,
    table.toString(),
    `${status.summary.text} (${status.summary.passing}/${
      status.summary.total
    } passing${
      status.summary.waived.length
        ? `, waived: ${status.summary.waived.join(', ')}`
        : ''
    })`,
  ].join('\n');
}

import {
  EvidenceKind,
  GateNextStep,
  ReleaseStatusResponse,
  Runbook,
} from '@helix-portal/plugin-rco-common';
import { PRODUCERS } from '../gates/uploadCommands';
import { EntityName, PageLinks } from './links';

export type BlockerStep = {
  action: GateNextStep['action'];
  text: string;
  /** The MCP action that does this step for the caller, where an agent may do it. */
  tool?: string;
  kind?: string;
  environment?: string;
  /** How CI produces the document the command sends. */
  produce?: string;
  /**
   * upload/fix: the `rco evidence push` command, as the status route builds it (rcoPushCommand:
   * every value shell-quoted; RCO_URL and RCO_TOKEN come from the pipeline's environment).
   */
  command?: string;
  /** signoff/waive: who may decide (as the caller sees the catalog). */
  people?: string[];
  group?: string;
};

export type Blocker = {
  gate: string;
  title: string;
  status: string;
  why: string[];
  condition?: string;
  runbookSection?: { id: string; number?: number; title?: string; url: string };
  fix: BlockerStep[];
};

/** Steps an agent can take itself (as the caller); the others are for people or for CI. */
const AGENT_TOOLS: Partial<Record<GateNextStep['action'], string>> = {
  'rollback-dry-run': 'rco.start-rollback-dry-run',
  'request-release': 'rco.request-release',
  waive: 'rco.propose-waiver',
};

function step(s: GateNextStep): BlockerStep {
  const producer = s.kind ? PRODUCERS[s.kind as EvidenceKind] : undefined;
  return {
    action: s.action,
    text: s.text,
    ...(AGENT_TOOLS[s.action] ? { tool: AGENT_TOOLS[s.action] } : {}),
    ...(s.kind ? { kind: s.kind } : {}),
    ...(s.environment ? { environment: s.environment } : {}),
    ...(s.cliCommand && producer ? { produce: producer.tool } : {}),
    ...(s.cliCommand ? { command: s.cliCommand } : {}),
    ...(s.people ? { people: s.people.map(p => `${p.name} (${p.ref})`) } : {}),
    ...(s.group ? { group: s.group } : {}),
  };
}

/**
 * What keeps a release from going out, gate by gate: each gate that is not passing or waived,
 * why (the status route's reasons and condition), the runbook section that describes it, and
 * what would fix it with the exact `rco evidence push` command; then each sign-off role still open.
 */
export function explainBlockers(
  status: ReleaseStatusResponse,
  runbook: Runbook | undefined,
  entity: EntityName,
  links: PageLinks,
) {
  const sections = new Map((runbook?.sections ?? []).map(s => [s.id, s]));
  const blockers: Blocker[] = status.gates
    .filter(g => g.status !== 'pass' && g.status !== 'waived')
    .map(g => {
      const section = g.section ? sections.get(g.section) : undefined;
      return {
        gate: g.id,
        title: g.title,
        status: g.status,
        why: g.reasons,
        ...(g.condition ? { condition: g.condition } : {}),
        ...(g.section
          ? {
              runbookSection: {
                id: g.section,
                ...(section
                  ? { number: section.number, title: section.title }
                  : {}),
                url: links.runbookSection(entity, g.section),
              },
            }
          : {}),
        fix: (g.next ?? []).map(step),
      };
    });
  const signoffs = Object.entries(status.fourEyes?.roles ?? {})
    .filter(([, r]) => r.status !== 'approved')
    .map(([role, r]) => ({
      role,
      status: r.status,
      ...(r.reason ? { why: r.reason } : {}),
      fix: (r.next ?? []).map(step),
    }));
  return {
    entityRef: status.entityRef,
    release: status.release,
    ready: status.summary.ready,
    summary: status.summary.text,
    blockers,
    signoffs,
    page: links.release(entity),
  };
}

import { DateTime, Duration } from 'luxon';
import { GATES, GATE_IDS } from '../catalogue';
import { RunbookProblem } from './parse';
import { Runbook } from './schema';

/**
 * A section body that only holds a placeholder says nothing: the section is as good as empty.
 * Matched against the whole trimmed body, so prose that merely mentions "TODO" is fine.
 */
const PLACEHOLDER =
  /^(todo|tbd|tbc|fixme|wip|n\/?a|none|placeholder|\.\.\.|…|-+|lorem ipsum[^]*)[.!]?$/i;

const millis = (iso: string) => Duration.fromISO(iso).toMillis();

function sectionProblems(runbook: Runbook): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const numbers = new Map<number, number>();
  runbook.sections.forEach((section, index) => {
    if (PLACEHOLDER.test(section.body.trim())) {
      problems.push({
        path: `sections[${index}].body`,
        message: `holds only a placeholder ("${section.body.trim()}"): write the section "${
          section.title
        }"`,
      });
    }
    const first = numbers.get(section.number);
    if (first !== undefined) {
      problems.push({
        path: `sections[${index}].number`,
        message: `number ${section.number} is already used by section "${runbook.sections[first].id}"`,
      });
    } else {
      numbers.set(section.number, index);
    }
  });
  return problems;
}

function checklistProblems(runbook: Runbook): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const listed = new Set(runbook.gateChecklist.map(item => item.gate));
  for (const gate of GATE_IDS) {
    if (!listed.has(gate)) {
      const title = GATES.find(g => g.id === gate)?.title ?? gate;
      problems.push({
        path: 'gateChecklist',
        message: `has no item for gate "${gate}" (${title}): every gate of the Final Review Gate Checklist must link to the runbook section that explains how it is verified`,
      });
    }
  }
  runbook.gateChecklist.forEach((item, index) => {
    if (!item.maxAge) return;
    if (millis(item.maxAge) <= 0) {
      problems.push({
        path: `gateChecklist[${index}].maxAge`,
        message: `${item.maxAge} must be a duration longer than zero`,
      });
      return;
    }
    const defaultAge = GATES.find(g => g.id === item.gate)?.maxAge;
    if (defaultAge && millis(item.maxAge) > millis(defaultAge)) {
      problems.push({
        path: `gateChecklist[${index}].maxAge`,
        message: `${item.maxAge} is longer than the gate's default ${defaultAge}: a runbook may only tighten the maximum evidence age`,
      });
    }
  });
  return problems;
}

function targetProblems(runbook: Runbook): RunbookProblem[] {
  return (['rto', 'rpo', 'rollbackDryRunMaxAge'] as const)
    .filter(key => millis(runbook.targets[key]) <= 0)
    .map(key => ({
      path: `targets.${key}`,
      message: `${runbook.targets[key]} must be a duration longer than zero`,
    }));
}

function changelogProblems(runbook: Runbook): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const seen = new Set<string>();
  let latest = -1;
  runbook.changelog.forEach((entry, index) => {
    if (!DateTime.fromISO(entry.date, { zone: 'utc' }).isValid) {
      problems.push({
        path: `changelog[${index}].date`,
        message: `${entry.date} is not a real calendar date`,
      });
    }
    if (seen.has(entry.version)) {
      problems.push({
        path: `changelog[${index}].version`,
        message: `version ${entry.version} has two entries`,
      });
    }
    seen.add(entry.version);
    // The newest date wins; on the same date the later entry (changelogs grow downwards).
    if (latest < 0 || entry.date >= runbook.changelog[latest].date) {
      latest = index;
    }
  });
  const newest = runbook.changelog[latest];
  if (newest && newest.version !== runbook.metadata.version) {
    problems.push({
      path: `changelog[${latest}].version`,
      message: `the latest entry (${newest.date}) is version ${newest.version}, but metadata.version is ${runbook.metadata.version}: add an entry for ${runbook.metadata.version} or correct the version`,
    });
  }
  return problems;
}

/**
 * What the schema cannot see in a runbook it accepted: placeholder sections, section numbers
 * used twice, gates of the checklist without an item (hence without a section), durations that
 * are zero or loosen a gate's maximum age, and a changelog whose latest entry is not the
 * document's version. Pure, so the CLI and the backend can run the same rules.
 *
 * @public
 */
export function lintRunbook(runbook: Runbook): RunbookProblem[] {
  return [
    ...sectionProblems(runbook),
    ...checklistProblems(runbook),
    ...targetProblems(runbook),
    ...changelogProblems(runbook),
  ];
}

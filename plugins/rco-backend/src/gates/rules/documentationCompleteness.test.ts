import { context, runbook } from '../__testUtils__/context';
import { documentationCompleteness } from './documentationCompleteness';

describe('documentation-completeness', () => {
  it.each([
    {
      name: 'no runbook: missing',
      rb: () => undefined,
      status: 'missing',
      reason: 'No valid runbook',
    },
    {
      name: 'the example runbook, artefacts in helix-core: pass',
      rb: runbook,
      status: 'pass',
      reason: 'glossary of',
    },
    {
      name: 'artefacts in another repository: fail',
      rb: () => {
        const r = runbook();
        r.metadata.repository = 'https://github.com/elsewhere/rco';
        return r;
      },
      status: 'fail',
      reason: 'not linked to the Helix Core repository',
    },
    {
      name: 'an empty section: fail, naming it',
      rb: () => {
        const r = runbook();
        r.sections[0].body = '  ';
        return r;
      },
      status: 'fail',
      reason: 'Empty sections:',
    },
  ])('$name', ({ rb, status, reason }) => {
    const outcome = documentationCompleteness(context([], { runbook: rb() }));
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});

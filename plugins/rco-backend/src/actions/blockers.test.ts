import { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { rcoPushCommand } from '../gates/uploadCommands';
import { explainBlockers } from './blockers';
import { pageLinks } from './links';

const ENTITY = { kind: 'component', namespace: 'default', name: 'rco' };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const TARGET = {
  baseUrl: 'http://localhost:7007/api/rco',
  entity: ENTITY,
  release: { version: '1.5.0', digest: DIGEST },
};
const TRIVY_CLI = rcoPushCommand('trivy', TARGET);
const POLICY_CLI = rcoPushCommand('policy-report', TARGET, 'staging');

const gate = (id: string, status: string, extra: object = {}) =>
  ({
    id,
    title: id,
    verification: '',
    status,
    reasons: [`${id} is ${status}`],
    evidence: [],
    evaluatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  } as any);

describe('explainBlockers', () => {
  const status = {
    entityRef: 'component:default/rco',
    release: { version: '1.5.0', digest: DIGEST, environment: 'staging' },
    gates: [
      gate('acronym-clarity', 'pass'),
      gate('secret-hygiene', 'waived'),
      gate('image-scanning', 'fail', {
        section: 'image-scanning',
        condition: 'No critical vulnerabilities',
        next: [
          {
            action: 'fix',
            text: 'Fix the criticals, then upload again',
            kind: 'trivy',
            command: 'curl -fsS -H "Authorization: Bearer $RCO_CI_TOKEN" …',
            cliCommand: TRIVY_CLI,
          },
        ],
      }),
      gate('policy-enforcement', 'missing', {
        section: 'unknown-section',
        next: [
          {
            action: 'upload',
            text: 'Upload',
            kind: 'policy-report',
            environment: 'staging',
            cliCommand: POLICY_CLI,
          },
          { action: 'waive', text: 'Or Security waives it' },
        ],
      }),
      gate('dpo-signoff', 'missing', {
        next: [
          {
            action: 'signoff',
            text: 'The DPO signs',
            people: [{ ref: 'user:default/dana', name: 'Dana' }],
            group: 'group:default/dpo',
          },
        ],
      }),
    ],
    pillars: [],
    fourEyes: {
      roles: {
        po: { status: 'approved', decisions: [] },
        dpo: {
          status: 'missing',
          reason: 'Nobody signed',
          decisions: [],
          next: [],
        },
        security: { status: 'rejected', decisions: [] },
      },
    },
    summary: {
      passing: 1,
      total: 5,
      blockedBy: [],
      waived: [],
      ready: false,
      text: '1 of 5',
    },
    evaluatedAt: '2026-01-01T00:00:00Z',
  } as unknown as ReleaseStatusResponse;
  const runbook = {
    sections: [
      { id: 'image-scanning', number: 9, title: 'Image scanning', body: 'x' },
    ],
  } as any;

  it('lists each gate not passing or waived with why, the section and the command', () => {
    const out = explainBlockers(
      status,
      runbook,
      ENTITY,
      pageLinks('http://localhost:3000/'),
    );
    expect(out.ready).toBe(false);
    expect(out.page).toBe(
      'http://localhost:3000/catalog/default/component/rco/release',
    );
    expect(out.blockers.map(b => [b.gate, b.status])).toEqual([
      ['image-scanning', 'fail'],
      ['policy-enforcement', 'missing'],
      ['dpo-signoff', 'missing'],
    ]);
    const [scan, policy, dpo] = out.blockers;
    expect(scan).toMatchObject({
      why: ['image-scanning is fail'],
      condition: 'No critical vulnerabilities',
      runbookSection: {
        id: 'image-scanning',
        number: 9,
        title: 'Image scanning',
        url: 'http://localhost:3000/catalog/default/component/rco/runbook#section-image-scanning',
      },
    });
    // The status route's rco command, not the curl one (which names the CI token variable).
    expect(scan.fix[0].command).toBe(TRIVY_CLI);
    expect(TRIVY_CLI).toBe(
      `rco evidence push trivy.json --entity='component:default/rco' --digest='${DIGEST}' --version='1.5.0'`,
    );
    expect(JSON.stringify(out)).not.toContain('RCO_CI_TOKEN');
    expect(scan.fix[0].produce).toMatch(/^trivy image/);
    expect(policy.fix[0]).toMatchObject({
      environment: 'staging',
      command: POLICY_CLI,
    });
    expect(POLICY_CLI).toContain("--environment='staging'");
    // What an agent may do itself names its tool: a waiver it may only propose.
    expect(policy.fix[1]).toEqual({
      action: 'waive',
      text: 'Or Security waives it',
      tool: 'rco.propose-waiver',
    });
    expect(policy.runbookSection).toEqual({
      id: 'unknown-section',
      url: 'http://localhost:3000/catalog/default/component/rco/runbook#section-unknown-section',
    });
    expect(scan.fix[0].tool).toBeUndefined();
    expect(dpo.fix[0]).toEqual({
      action: 'signoff',
      text: 'The DPO signs',
      people: ['Dana (user:default/dana)'],
      group: 'group:default/dpo',
    });
    expect(out.signoffs).toEqual([
      { role: 'dpo', status: 'missing', why: 'Nobody signed', fix: [] },
      { role: 'security', status: 'rejected', fix: [] },
    ]);
  });

  it('still explains a release of a service whose runbook could not be read', () => {
    const out = explainBlockers(
      status,
      undefined,
      ENTITY,
      pageLinks(undefined),
    );
    expect(out.blockers[0].runbookSection).toEqual({
      id: 'image-scanning',
      url: '/catalog/default/component/rco/runbook#section-image-scanning',
    });
  });
});

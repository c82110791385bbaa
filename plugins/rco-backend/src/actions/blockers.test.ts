import { execFileSync } from 'node:child_process';
import { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { explainBlockers, rcoEvidenceCommand } from './blockers';
import { pageLinks } from './links';

const ENTITY = { kind: 'component', namespace: 'default', name: 'rco' };
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** What a POSIX shell makes of the command's words (NUL-separated: a word may hold a newline). */
const argv = (command: string) =>
  execFileSync(
    'sh',
    ['-c', command.replace(/^rco evidence push /, "printf '%s\\0' ")],
    {
      env: { DIGEST: 'sha256:env', GIT_SHA: 'abc123', PATH: process.env.PATH },
    },
  )
    .toString()
    .split('\0')
    .slice(0, -1);

describe('rcoEvidenceCommand', () => {
  it('names the file, entity, digest and kind, then the version (image evidence)', () => {
    expect(
      rcoEvidenceCommand('trivy', ENTITY, { version: '1.5.0', digest: DIGEST }),
    ).toBe(
      `rco evidence push trivy.json --entity 'component:default/rco' --digest '${DIGEST}' --kind 'trivy' --version '1.5.0'`,
    );
  });

  it('adds the environment for evidence about a place', () => {
    expect(
      rcoEvidenceCommand(
        'policy-report',
        ENTITY,
        { digest: DIGEST },
        'staging',
      ),
    ).toBe(
      `rco evidence push policyreports.json --entity 'component:default/rco' --digest '${DIGEST}' --kind 'policy-report' --environment 'staging'`,
    );
  });

  it("uses the pipeline's $DIGEST and $GIT_SHA when the release does not name them", () => {
    const command = rcoEvidenceCommand('gitleaks', ENTITY, {
      version: '2.0.0',
    });
    expect(command).toBe(
      `rco evidence push gitleaks.json --entity 'component:default/rco' --digest "$DIGEST" --kind 'gitleaks' --version '2.0.0' --commit "$GIT_SHA"`,
    );
    expect(argv(command)).toEqual([
      'gitleaks.json',
      '--entity',
      'component:default/rco',
      '--digest',
      'sha256:env',
      '--kind',
      'gitleaks',
      '--version',
      '2.0.0',
      '--commit',
      'abc123',
    ]);
  });

  it.each([
    '1.0;rm -rf /',
    "1.0' ; touch /tmp/pwned; echo '",
    '1.0"$(id)"`id`',
    '1.0\n--output /etc/passwd',
  ])('keeps the version %j one word', version => {
    const words = argv(
      rcoEvidenceCommand('trivy', ENTITY, { version, digest: DIGEST }),
    );
    expect(words).toHaveLength(9);
    expect(words[8]).toBe(version);
  });
});

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
          },
        ],
      }),
      gate('policy-enforcement', 'missing', {
        section: 'unknown-section',
        next: [
          { action: 'upload', text: 'Upload', kind: 'policy-report' },
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
    expect(scan.fix[0].command).toBe(
      `rco evidence push trivy.json --entity 'component:default/rco' --digest '${DIGEST}' --kind 'trivy' --version '1.5.0'`,
    );
    expect(scan.fix[0].produce).toMatch(/^trivy image/);
    // Cluster evidence: the release's environment fills --environment.
    expect(policy.fix[0].command).toContain("--environment 'staging'");
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

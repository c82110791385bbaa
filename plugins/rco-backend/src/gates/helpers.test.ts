import { EvidenceRecord } from '../database/EvidenceStore';
import { matchesRelease, sameSubject } from './helpers';

const D = `sha256:${'a'.repeat(64)}`;
const E = `sha256:${'b'.repeat(64)}`;
const rec = (subject: EvidenceRecord['subject']) =>
  ({ subject } as EvidenceRecord);

describe('matchesRelease', () => {
  it.each<[string, EvidenceRecord['subject'], boolean]>([
    ['the same digest and version', { digest: D, version: '1.5.0' }, true],
    [
      'the same digest under another version label (an image is its digest)',
      { digest: D, version: '9.9.9' },
      true,
    ],
    [
      'the same digest under another commit label',
      { digest: D, commit: 'f00dfeed' },
      true,
    ],
    [
      'another digest under the same version',
      { digest: E, version: '1.5.0' },
      false,
    ],
    ['no digest, the same version', { version: '1.5.0' }, true],
    ['no digest, another version', { version: '9.9.9' }, false],
    ['no digest, another commit', { commit: 'f00dfeed' }, false],
    [
      'a record of unknown kind in another environment (unknown kinds stay per environment)',
      { digest: D, environment: 'staging' },
      false,
    ],
    ['nothing said', {}, true],
  ])('%s: %s', (_name, subject, expected) =>
    expect(
      matchesRelease(rec(subject), {
        version: '1.5.0',
        digest: D,
        commit: 'c0ffee00',
        environment: 'production',
      }),
    ).toBe(expected),
  );

  it('compares labels when the release names no digest', () => {
    expect(
      matchesRelease(rec({ digest: D, version: '9.9.9' }), {
        version: '1.5.0',
      }),
    ).toBe(false);
  });
});

describe('matchesRelease by evidence scope (issue 12, point 4)', () => {
  const recOf = (kind: string, subject: EvidenceRecord['subject']) =>
    ({ kind, subject } as EvidenceRecord);
  const staging = { version: '1.5.0', digest: D, environment: 'staging' };

  it('counts a Trivy scan uploaded with environment=production when judging staging', () => {
    expect(
      matchesRelease(
        recOf('trivy', { digest: D, environment: 'production' }),
        staging,
      ),
    ).toBe(true);
  });

  it.each(['grype', 'cyclonedx', 'spdx', 'cosign', 'sigstore-bundle'])(
    'counts %s of the digest in every environment',
    kind =>
      expect(
        matchesRelease(
          recOf(kind, { digest: D, environment: 'production' }),
          staging,
        ),
      ).toBe(true),
  );

  it('counts a gitleaks scan of the release from another environment (commit scope)', () => {
    expect(
      matchesRelease(
        recOf('gitleaks', { version: '1.5.0', environment: 'production' }),
        staging,
      ),
    ).toBe(true);
  });

  it.each([
    'policy-report',
    'gatekeeper-constraint',
    'velero-backup',
    'velero-restore',
    'argo-rollout',
    'argo-analysis-run',
    'workload',
    'network-policy',
    'rollback-dry-run',
    'helm-history',
  ])("does not count production's %s for staging", kind =>
    expect(
      matchesRelease(recOf(kind, { environment: 'production' }), staging),
    ).toBe(false),
  );

  it('still binds image evidence to its digest', () => {
    expect(
      matchesRelease(
        recOf('trivy', { digest: E, environment: 'staging' }),
        staging,
      ),
    ).toBe(false);
  });
});

describe('sameSubject', () => {
  it.each<
    [string, EvidenceRecord['subject'], EvidenceRecord['subject'], boolean]
  >([
    [
      'one digest, two version labels',
      { digest: D, version: '1' },
      { digest: D, version: '2' },
      true,
    ],
    ['two digests', { digest: D }, { digest: E }, false],
    ['no digests, one commit', { commit: 'abc' }, { commit: 'abc' }, true],
    ['no digests, two commits', { commit: 'abc' }, { commit: 'def' }, false],
    ['a digest and none', { digest: D }, {}, false],
  ])('%s: %s', (_name, a, b, expected) =>
    expect(sameSubject(rec(a), rec(b))).toBe(expected),
  );
});

describe('matchesRelease and collected evidence', () => {
  it('ties collected evidence to its environment whatever the kind’s scope (R1 M4)', () => {
    const rule = {
      kind: 'prometheus-rule',
      subject: { environment: 'staging' },
    } as EvidenceRecord;
    // An upload of a service-scoped kind counts everywhere; a collected one only where read.
    expect(matchesRelease(rule, { environment: 'production' })).toBe(true);
    const collected = { ...rule, provenance: {} } as EvidenceRecord;
    expect(matchesRelease(collected, { environment: 'production' })).toBe(
      false,
    );
    expect(matchesRelease(collected, { environment: 'staging' })).toBe(true);
  });
});

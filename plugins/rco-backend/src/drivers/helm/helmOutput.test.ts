import { readSample } from '../../__testUtils__/fixtures';
import { SecretMasker, classifyHelmError } from './helmErrors';
import { imageValues, mergeReleaseValues } from './helmFiles';
import { parseHistory, parseStatus } from './helmOutput';
import { reconcileHistory } from './reconcile';

const noMask = new SecretMasker({});

describe('helm output readers', () => {
  it('reads the Helm 3 history golden newest first', () => {
    expect(parseHistory(readSample('helm-v3-history.json'))).toEqual([
      {
        revision: 4,
        status: 'deployed',
        updatedAt: '1977-09-02T22:04:05Z',
        chart: 'foo-0.1.0-beta.1',
        appVersion: '1.0',
        description: 'Release mock',
      },
      {
        revision: 3,
        status: 'superseded',
        updatedAt: '1977-09-02T22:04:05Z',
        chart: 'foo-0.1.0-beta.1',
        appVersion: '1.0',
        description: 'Release mock',
      },
    ]);
  });

  it('tolerates Helm 4 shapes: string revisions, chart objects, camelCase, extra fields', () => {
    const out = JSON.stringify([
      {
        revision: '7',
        updated: '2025-11-12T10:00:00Z',
        status: 'deployed',
        chart: {
          metadata: { name: 'foo', version: '2.0.0', appVersion: '2.0' },
        },
        description: 'Upgrade complete',
        labels: { team: 'payments' },
      },
      {
        revision: 6,
        status: 'superseded',
        chart: 'foo-1.9.0',
        appVersion: '1.9',
      },
    ]);
    expect(parseHistory(out)).toEqual([
      {
        revision: 7,
        status: 'deployed',
        updatedAt: '2025-11-12T10:00:00Z',
        chart: 'foo-2.0.0',
        appVersion: '2.0',
        description: 'Upgrade complete',
      },
      {
        revision: 6,
        status: 'superseded',
        chart: 'foo-1.9.0',
        appVersion: '1.9',
      },
    ]);
  });

  it('rejects output that is not a history', () => {
    expect(() => parseHistory('Release "foo" has been upgraded')).toThrow(
      'helm history -o json did not print JSON',
    );
    expect(() =>
      parseHistory('[{"revision":"four","status":"deployed"}]'),
    ).toThrow(/unexpected shape: 0.revision/);
  });

  it('reads the Helm 3 status golden, which has no revision', () => {
    expect(parseStatus(readSample('helm-v3-status.json'))).toEqual({
      name: 'flummoxed-chickadee',
      namespace: 'default',
      revision: undefined,
      status: 'deployed',
      description: undefined,
    });
    expect(
      parseStatus('{"name":"foo","version":5,"info":{"status":"deployed"}}')
        .revision,
    ).toBe(5);
    expect(() => parseStatus('{"name":"foo"}')).toThrow(
      /unexpected shape: info/,
    );
  });
});

describe('helm error classification and masking', () => {
  it.each([
    [
      'Error: UPGRADE FAILED: release foo failed, and has been rolled back due to atomic being set: timed out waiting for the condition',
      'atomic-rolled-back',
      'timed out waiting for the condition',
    ],
    [
      'Error: UPGRADE FAILED: release foo failed, and has been rolled back due to rollback-on-failure being set: context deadline exceeded',
      'atomic-rolled-back',
      'context deadline exceeded',
    ],
    [
      'Error: INSTALLATION FAILED: release foo failed, and has been uninstalled due to atomic being set: timed out waiting for the condition',
      'atomic-uninstalled',
      'timed out waiting for the condition',
    ],
    [
      'W1112 deprecated\nError: UPGRADE FAILED: context deadline exceeded',
      'timeout',
      undefined,
    ],
    [
      'Error: another operation (install/upgrade/rollback) is in progress',
      'locked',
      undefined,
    ],
    ['Error: release: not found', 'not-found', undefined],
    ['Error: chart "foo" version "9.9.9" not found', 'other', undefined],
  ])('classifies %j', (stderr, kind, cause) => {
    const failure = classifyHelmError(stderr, noMask);
    expect(failure.kind).toBe(kind);
    expect(failure.cause).toBe(cause);
    expect(failure.error).not.toMatch(/^(Error:|UPGRADE FAILED)/);
  });

  it('masks token-like text but keeps Kubernetes kinds and digests readable', () => {
    const masker = new SecretMasker({
      values: { short: 'abc', key: 'long-values-secret' },
    });
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(
      masker.mask(
        `kind Secret: Unauthorized; Authorization: Bearer abc.def; password: hunter22; ` +
          `clientSecret=s3cr3t; jwt eyJhbGciOi.eyJzdWIiOi.sig; long-values-secret; abc; ${digest}`,
      ),
    ).toBe(
      `kind Secret: Unauthorized; Authorization: Bearer ***; password: ***; ` +
        `clientSecret=***; jwt ***; ***; abc; ${digest}`,
    );
  });
});

describe('values convention', () => {
  it('splits tags, ports and digests', () => {
    expect(imageValues('registry:5000/team/foo')).toEqual({
      repository: 'registry:5000/team/foo',
    });
    expect(imageValues('registry:5000/team/foo:1.2')).toEqual({
      repository: 'registry:5000/team/foo',
      tag: '1.2',
    });
    expect(imageValues('foo:1.2@sha256:abc')).toEqual({
      repository: 'foo',
      digest: 'sha256:abc',
    });
  });

  it('replaces a configured digest when a tag is deployed, and keeps the input intact', () => {
    const values = {
      image: { repository: 'old', digest: 'sha256:old' },
      replicas: 2,
    };
    expect(mergeReleaseValues(values, { image: 'new:2.0' })).toEqual({
      image: { repository: 'new', tag: '2.0' },
      replicas: 2,
    });
    expect(values.image.digest).toBe('sha256:old');
    expect(mergeReleaseValues(values, { version: '2.0' })).toEqual(values);
  });
});

describe('reconcileHistory', () => {
  const id = (t: string) => t;
  it('treats every revision as new on a first install (no baseline)', () => {
    const entries = [
      { revision: 1, status: 'deployed', description: 'Install complete' },
    ];
    expect(reconcileHistory('foo', entries, undefined, id)).toMatchObject({
      phase: 'succeeded',
      revision: '1',
    });
  });

  it('says unknown for a missing release or a baseline that is not a revision', () => {
    expect(reconcileHistory('foo', [], '4', id).message).toContain(
      'does not exist',
    );
    expect(
      reconcileHistory('foo', [{ revision: 5, status: 'deployed' }], 'abc', id)
        .phase,
    ).toBe('unknown');
  });

  it('does not call a deploy that someone rolled back by hand a success', () => {
    // What remains after a person clears a pending-upgrade lock with `helm rollback`.
    const entries = [
      { revision: 6, status: 'deployed', description: 'Rollback to 4' },
      { revision: 5, status: 'superseded', description: 'Upgrade complete' },
    ];
    const result = reconcileHistory('foo', entries, '4', id);
    expect(result.phase).toBe('rolled-back');
    expect(result.reasons?.[0]).toMatch(
      /rollback to revision 4.*the deploy did not stay/,
    );
  });
});

import { InputError } from '@backstage/errors';
import { parse } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { veleroBackupParser, veleroRestoreParser } from './velero';

type Raw = {
  metadata: { name: string };
  status: Record<string, unknown>;
};

const sample = () => parse(readSample('velero-backup-completed.yaml')) as Raw;

/** A Restore as `kubectl get restore -o yaml` prints it after a partly failed run. */
const restore = () => ({
  apiVersion: 'velero.io/v1',
  kind: 'Restore',
  metadata: { name: 'shop-restore-20240301', namespace: 'velero' },
  spec: { backupName: 'shop-daily-20240301', includedNamespaces: ['shop'] },
  status: {
    phase: 'PartiallyFailed',
    startTimestamp: '2024-03-01T10:00:00Z',
    completionTimestamp: '2024-03-01T10:04:12Z',
    errors: 2,
    warnings: 5,
    progress: { itemsRestored: 40, totalItems: 42 },
  },
});

describe('veleroBackupParser', () => {
  it('reads the completed Backup sample', () => {
    const raw = sample();
    expect(veleroBackupParser.detect(raw)).toBe(true);
    const { summary, sanitized, subject } = veleroBackupParser.parse(raw);
    expect(summary).toEqual({
      type: 'velero',
      object: 'Backup',
      name: raw.metadata.name,
      phase: raw.status.phase,
      startTimestamp: raw.status.startTimestamp,
      completionTimestamp: raw.status.completionTimestamp,
      // The sample has one warning and no errors field (Velero omits zero).
      errors: undefined,
      warnings: 1,
      // What the backup covers decides which place it may vouch for.
      includedNamespaces: ['cluster-migrate-test-app'],
      itemsBackedUp: 26,
      totalItems: 26,
      schedule: undefined,
    });
    expect(summary).toMatchObject({
      name: 'migrate-backup',
      phase: 'Completed',
    });
    expect(sanitized).toEqual(sample());
    expect(subject).toEqual({});
  });

  it('does not claim a Restore', () => {
    expect(veleroBackupParser.detect(restore())).toBe(false);
    expect(
      veleroBackupParser.detect({ ...sample(), apiVersion: 'velero.io/v2' }),
    ).toBe(false);
  });

  it('rejects a Backup without status or with non-numeric counts', () => {
    const { status, ...noStatus } = sample();
    expect(status).toBeDefined();
    expect(() => veleroBackupParser.parse(noStatus)).toThrow(InputError);
    expect(() => veleroBackupParser.parse(noStatus)).toThrow(
      'Velero Backup has no status',
    );
    const bad = sample();
    bad.status.warnings = 'one';
    expect(() => veleroBackupParser.parse(bad)).toThrow(
      'Velero Backup status: warnings is not a number',
    );
    expect(() => veleroBackupParser.parse(restore())).toThrow(
      'Not a Velero Backup',
    );
  });
});

describe('Velero item counts', () => {
  it('refuses negative or fractional counts and a progress that is not an object', () => {
    for (const progress of [
      { itemsRestored: -1 },
      { itemsRestored: 1.5 },
      'none',
    ]) {
      const doc = restore();
      (doc.status as { progress: unknown }).progress = progress;
      expect(() => veleroRestoreParser.parse(doc)).toThrow(/status\.progress/);
    }
  });
});

describe('veleroRestoreParser', () => {
  it('reads a Restore with the backup it restored', () => {
    const doc = restore();
    expect(veleroRestoreParser.detect(doc)).toBe(true);
    expect(veleroRestoreParser.detect(sample())).toBe(false);
    expect(veleroRestoreParser.parse(doc).summary).toEqual({
      type: 'velero',
      object: 'Restore',
      name: 'shop-restore-20240301',
      phase: 'PartiallyFailed',
      startTimestamp: '2024-03-01T10:00:00Z',
      completionTimestamp: '2024-03-01T10:04:12Z',
      backupName: 'shop-daily-20240301',
      errors: 2,
      warnings: 5,
      // The restore drill's namespaces: a drill of another namespace vouches for nothing here.
      includedNamespaces: ['shop'],
      schedule: undefined,
      itemsRestored: 40,
    });
  });

  it('rejects a Restore that names no backup', () => {
    const doc = restore();
    doc.spec.backupName = '';
    expect(() => veleroRestoreParser.parse(doc)).toThrow(
      'Velero Restore has no spec.backupName',
    );
    const { metadata, ...noMeta } = restore();
    expect(metadata).toBeDefined();
    expect(() => veleroRestoreParser.parse(noMeta)).toThrow(
      'Velero Restore has no metadata.name',
    );
  });
});

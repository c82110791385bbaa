import { InputError } from '@backstage/errors';
import { AttestationSummary } from '@helix-portal/plugin-rco-common';
import { parse } from 'yaml';
import {
  namingReportParser,
  rollbackDryRunParser,
  vaultAttestationParser,
} from './attestation';

const vault = () =>
  parse(`
apiVersion: rco.helix.dev/v1
kind: VaultPolicyAttestation
metadata:
  name: shop-api-vault
  managedFields: [{ manager: kubectl }]
spec:
  policy: shop-api-read
  leastPrivilege: true
  verifiedAt: "2025-11-13T09:00:00Z"
  paths:
    - secret/data/shop/api/*
    - database/creds/shop-api-ro
`);

const dryRun = () => ({
  apiVersion: 'rco.helix.dev/v1',
  kind: 'RollbackDryRun',
  metadata: { name: 'shop-api-rollback-check' },
  spec: {
    release: 'shop-api',
    fromRevision: 7,
    toRevision: 6,
    succeeded: false,
    performedAt: '2025-11-13T09:30:00+01:00',
    tool: 'helm',
  },
});

const naming = (mislabelled: string[]) => ({
  apiVersion: 'rco.helix.dev/v1',
  kind: 'NamingReport',
  spec: {
    canonicalName: 'shop-api',
    scannedAt: '2025-11-13T10:00:00Z',
    labelled: ['Deployment/shop/shop-api', 'Service/shop/shop-api'],
    mislabelled,
  },
});

const summaryOf = (parser: typeof vaultAttestationParser, doc: unknown) =>
  parser.parse(doc).summary as AttestationSummary;

describe('attestation parsers', () => {
  it('reads a Vault policy attestation', () => {
    const doc = vault();
    expect(vaultAttestationParser.detect(doc)).toBe(true);
    const { summary, sanitized, subject } = vaultAttestationParser.parse(doc);
    expect(summary).toEqual({
      type: 'attestation',
      attestation: 'vault-attestation',
      succeeded: true,
      performedAt: '2025-11-13T09:00:00Z',
      details: {
        policy: 'shop-api-read',
        leastPrivilege: true,
        paths: ['secret/data/shop/api/*', 'database/creds/shop-api-ro'],
      },
    });
    expect(subject).toEqual({});
    expect(sanitized).toEqual({
      ...vault(),
      metadata: { name: 'shop-api-vault' },
    });
  });

  it('reads a rollback dry-run, failed', () => {
    const summary = summaryOf(rollbackDryRunParser, dryRun());
    expect(summary).toEqual({
      type: 'attestation',
      attestation: 'rollback-dry-run',
      succeeded: false,
      performedAt: '2025-11-13T09:30:00+01:00',
      details: {
        release: 'shop-api',
        fromRevision: 7,
        toRevision: 6,
        tool: 'helm',
        succeeded: false,
      },
    });
  });

  it('passes a naming report only when nothing is mislabelled', () => {
    expect(summaryOf(namingReportParser, naming([]))).toMatchObject({
      attestation: 'naming-report',
      succeeded: true,
      performedAt: '2025-11-13T10:00:00Z',
      details: { canonicalName: 'shop-api', mislabelled: [] },
    });
    const failed = summaryOf(
      namingReportParser,
      naming(['ConfigMap/shop/shop-app']),
    );
    expect(failed.succeeded).toBe(false);
    expect(failed.details.mislabelled).toEqual(['ConfigMap/shop/shop-app']);
  });

  it('names every invalid field', () => {
    const doc = vault();
    doc.spec.leastPrivilege = 'yes';
    delete doc.spec.paths;
    expect(() => vaultAttestationParser.parse(doc)).toThrow(InputError);
    expect(() => vaultAttestationParser.parse(doc)).toThrow(
      'VaultPolicyAttestation is invalid: spec.leastPrivilege: Expected boolean; spec.paths: Required',
    );

    const badTool = dryRun();
    (badTool.spec as Record<string, unknown>).tool = 'kubectl';
    (badTool.spec as Record<string, unknown>).toRevision = 0;
    expect(() => rollbackDryRunParser.parse(badTool)).toThrow(
      /spec\.toRevision: .*greater than 0/,
    );
    expect(() => rollbackDryRunParser.parse(badTool)).toThrow(
      /spec\.tool: Invalid enum value/,
    );

    const badTime = naming([]);
    badTime.spec.scannedAt = 'yesterday';
    expect(() => namingReportParser.parse(badTime)).toThrow(
      'NamingReport is invalid: spec.scannedAt: must be an RFC 3339 timestamp',
    );
  });

  it('rejects unknown fields, since the format is ours', () => {
    const extra = naming([]);
    (extra.spec as Record<string, unknown>).mislabeled = ['typo'];
    expect(() => namingReportParser.parse(extra)).toThrow(
      /spec: Unrecognized key\(s\) in object: 'mislabeled'/,
    );
    const extraTop = { ...dryRun(), status: {} };
    expect(() => rollbackDryRunParser.parse(extraTop)).toThrow(
      /\(document\): Unrecognized key/,
    );
  });

  it('detects each kind at rco.helix.dev/v1 only, by exactly one parser', () => {
    const parsers = [
      vaultAttestationParser,
      rollbackDryRunParser,
      namingReportParser,
    ];
    for (const doc of [vault(), dryRun(), naming([])]) {
      expect(parsers.filter(p => p.detect(doc))).toHaveLength(1);
    }
    expect(
      rollbackDryRunParser.detect({
        ...dryRun(),
        apiVersion: 'rco.helix.dev/v2',
      }),
    ).toBe(false);
    expect(
      rollbackDryRunParser.detect({ ...dryRun(), apiVersion: 'helix.dev/v1' }),
    ).toBe(false);
    // A wrong apiVersion given straight to parse is reported, not guessed.
    expect(() =>
      rollbackDryRunParser.parse({ ...dryRun(), apiVersion: 'v1' }),
    ).toThrow(
      /apiVersion: Invalid literal value, expected "rco.helix.dev\/v1"/,
    );
  });
});

import fs from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { readSample, samplesDir } from '../../__testUtils__/fixtures';
import { cosignParser } from './cosign';
import { cyclonedxParser } from './cyclonedx';
import { gitleaksParser } from './gitleaks';
import { grypeParser } from './grype';
import { sigstoreBundleParser } from './sigstoreBundle';
import { spdxParser } from './spdx';
import { trivyParser } from './trivy';
import { trufflehogParser } from './trufflehog';
import { EvidenceParser } from './types';

/** The scanner parsers: between them, each document must be claimed at most once. */
const scanners: EvidenceParser[] = [
  trivyParser,
  grypeParser,
  cyclonedxParser,
  spdxParser,
  cosignParser,
  sigstoreBundleParser,
  gitleaksParser,
  trufflehogParser,
];

const claimedBy = (doc: unknown) =>
  scanners.filter(parser => parser.detect(doc)).map(parser => parser.kind);

const json = (file: string): unknown => JSON.parse(readSample(file));

/** Minimal documents of the formats without a shared sample. */
const spdx = {
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'app',
  packages: [],
};
const bundle = {
  mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  verificationMaterial: { publicKey: { hint: 'k' }, tlogEntries: [] },
  messageSignature: { signature: 'MEUCIQ…' },
};
const trufflehogLine = {
  SourceMetadata: { Data: { Filesystem: { file: 'a', line: 1 } } },
  DetectorName: 'AWS',
  Verified: false,
  Raw: 'x',
};

describe('scanner detection', () => {
  it.each([
    ['trivy-image-alpine310.json', 'trivy'],
    ['grype-json-image.json', 'grype'],
    ['cyclonedx-1.7-trivy-pom-with-vulns.json', 'cyclonedx'],
    ['cosign-verify-key-based.json', 'cosign'],
    ['gitleaks-report-json-simple.json', 'gitleaks'],
  ])('claims the sample %s as %s only', (file, kind) => {
    expect(claimedBy(json(file))).toEqual([kind]);
  });

  it.each([
    ['SPDX', spdx, 'spdx'],
    ['Sigstore bundle', bundle, 'sigstore-bundle'],
    ['trufflehog NDJSON', [trufflehogLine, trufflehogLine], 'trufflehog'],
    ['trufflehog single line', trufflehogLine, 'trufflehog'],
  ])('claims an inline %s document once', (_name, doc, kind) => {
    expect(claimedBy(doc)).toEqual([kind]);
  });

  it.each([
    ['a Pod', { apiVersion: 'v1', kind: 'Pod' }],
    ['a List', { apiVersion: 'v1', kind: 'List', items: [] }],
    ['an empty array', []],
    ['an empty object', {}],
    ['null', null],
    ['a string', 'SchemaVersion: 2'],
  ])('claims nothing for %s', (_name, doc) => {
    expect(claimedBy(doc)).toEqual([]);
  });

  // The Kubernetes objects and other tools' outputs among the shared samples are not scans.
  const others = fs
    .readdirSync(samplesDir)
    .filter(file => /\.(ya?ml|json)$/.test(file))
    .filter(
      file =>
        ![
          'trivy-image-alpine310.json',
          'grype-json-image.json',
          'cyclonedx-1.7-trivy-pom-with-vulns.json',
          'cosign-verify-key-based.json',
          'gitleaks-report-json-simple.json',
        ].includes(file),
    );

  it('has other samples to check against', () => {
    expect(others.length).toBeGreaterThan(0);
  });

  it.each(others)('claims nothing in %s', file => {
    const docs = file.endsWith('.json')
      ? [json(file)]
      : parseAllDocuments(readSample(file)).map(doc => doc.toJS());
    for (const doc of docs) expect(claimedBy(doc)).toEqual([]);
  });
});

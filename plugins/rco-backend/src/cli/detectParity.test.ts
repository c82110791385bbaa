import {
  detectEvidenceKind,
  EVIDENCE_DETECTION_ORDER,
  EVIDENCE_KINDS,
  evidenceDetectors,
  splitEvidenceDocuments,
} from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import path from 'node:path';
import { examplesDir, samplesDir } from '../__testUtils__/fixtures';
import { decodeEvidenceBody } from '../evidence/decode';
import { builtinParsers } from '../evidence/parsers';

/**
 * The rco CLI refuses an unrecognised file before uploading it, with rco-common's
 * detectEvidenceKind; the upload route recognises documents with its readers' `detect`. Both
 * come from rco-common's evidenceDetectors, tried in EVIDENCE_DETECTION_ORDER: the first block
 * proves the readers use exactly those, the rest that the CLI and the backend then agree on
 * every real document we have (the CLI must not refuse what the backend takes, nor send what it
 * refuses).
 */
function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    if (e.isDirectory()) return files(path.join(dir, e.name));
    return /\.(json|ya?ml)$/.test(e.name) ? [path.join(dir, e.name)] : [];
  });
}

const documents = [
  ...files(samplesDir),
  ...files(path.join(examplesDir, 'rco/evidence')),
  ...files(path.join(examplesDir, 'cluster')),
];

const lookAlikes: unknown[] = [
  [],
  {},
  { apiVersion: 'apps/v2', kind: 'Deployment' },
  { apiVersion: 'velero.io/v1', kind: 'Schedule' },
  { SchemaVersion: 3, Results: [] },
  { name: 'x', info: { status: 'deployed' }, apiVersion: 'v1' },
  [{ revision: '1', status: 'deployed', chart: 'c' }],
  { msg: 'only a log line', level: 'info' },
];

/** Kinds the sample files lack, so that every kind has a document below. */
const handMade: unknown[] = [
  {
    spdxVersion: 'SPDX-2.3',
    SPDXID: 'SPDXRef-DOCUMENT',
    dataLicense: 'CC0-1.0',
    packages: [],
  },
  [
    { DetectorName: 'AWS', SourceMetadata: { Data: {} }, Raw: 'x' },
    { level: 'info', msg: 'finished scanning' },
  ],
  { apiVersion: 'rco.helix.dev/v1', kind: 'AlertingState', spec: {} },
];

/** Every document of every file, as the upload route splits them, and the hand-made ones. */
const corpus = [
  ...documents.flatMap(file =>
    decodeEvidenceBody(fs.readFileSync(file, 'utf8')).map(d => d.doc),
  ),
  ...handMade,
];

describe('the backend readers use the shared detection', () => {
  it('tries the readers in the shared order, one per kind', () => {
    expect(builtinParsers.map(p => p.kind)).toEqual(EVIDENCE_DETECTION_ORDER);
    expect([...EVIDENCE_DETECTION_ORDER].sort()).toEqual(
      [...EVIDENCE_KINDS].sort(),
    );
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(evidenceDetectors)).toBe(true);
    expect(Object.isFrozen(EVIDENCE_DETECTION_ORDER)).toBe(true);
  });

  it.each(builtinParsers.map(p => [p.kind, p] as const))(
    "%s: answers as rco-common's detector for its kind on every document",
    (kind, parser) => {
      const shared = evidenceDetectors[kind];
      // Either the very function, or a local type guard that only calls it.
      const docs = [...corpus, ...lookAlikes];
      expect(docs.filter(doc => parser.detect(doc))).toEqual(
        docs.filter(doc => shared(doc)),
      );
      // A guard calling another kind's detector would answer alike only if the corpus had no
      // document of this kind: every kind has one.
      expect(docs.some(doc => shared(doc))).toBe(true);
    },
  );
});

describe('detectEvidenceKind (rco-common) and the backend readers', () => {
  it('has documents to compare', () => {
    expect(documents.length).toBeGreaterThan(30);
  });

  it.each(documents.map(f => [path.relative(examplesDir, f), f]))(
    'split and recognise %s alike',
    (_name, file) => {
      const text = fs.readFileSync(file, 'utf8');
      const backend = decodeEvidenceBody(text).map(d => d.doc);
      const cli = splitEvidenceDocuments(text);
      expect(cli).toEqual(backend);
      expect(cli.map(detectEvidenceKind)).toEqual(
        backend.map(doc => builtinParsers.find(p => p.detect(doc))?.kind),
      );
    },
  );

  it('agrees on look-alikes that neither should claim', () => {
    for (const doc of lookAlikes) {
      expect({ doc, kind: detectEvidenceKind(doc) }).toEqual({
        doc,
        kind: builtinParsers.find(p => p.detect(doc))?.kind,
      });
    }
  });
});

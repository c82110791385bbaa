import {
  detectEvidenceKind,
  splitEvidenceDocuments,
} from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import path from 'node:path';
import { examplesDir, samplesDir } from '../__testUtils__/fixtures';
import { decodeEvidenceBody } from '../evidence/decode';
import { builtinParsers } from '../evidence/parsers';

/**
 * The rco CLI refuses an unrecognised file before uploading it, with rco-common's
 * detectEvidenceKind; the upload route recognises documents with its readers' own `detect`.
 * Both must agree on every real document we have, or the CLI would refuse what the backend
 * takes (or send what it refuses).
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
    const lookAlikes = [
      [],
      {},
      { apiVersion: 'apps/v2', kind: 'Deployment' },
      { apiVersion: 'velero.io/v1', kind: 'Schedule' },
      { SchemaVersion: 3, Results: [] },
      { name: 'x', info: { status: 'deployed' }, apiVersion: 'v1' },
      [{ revision: '1', status: 'deployed', chart: 'c' }],
      { msg: 'only a log line', level: 'info' },
    ];
    for (const doc of lookAlikes) {
      expect({ doc, kind: detectEvidenceKind(doc) }).toEqual({
        doc,
        kind: builtinParsers.find(p => p.detect(doc))?.kind,
      });
    }
  });
});

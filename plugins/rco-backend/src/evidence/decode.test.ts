import { decodeEvidenceBody, MAX_DOCUMENTS } from './decode';

describe('decodeEvidenceBody', () => {
  it('reads JSON with a byte-order mark', () => {
    const [doc] = decodeEvidenceBody('\uFEFF{"a":1}');
    expect(doc.doc).toEqual({ a: 1 });
  });

  it('does not echo the uploaded text in a JSON error', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLEsecretvalue';
    expect(() => decodeEvidenceBody(`{"Secret": ${secret}}`)).toThrow(
      /Invalid JSON/,
    );
    let message = '';
    try {
      decodeEvidenceBody(`{"Secret": ${secret}}`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Invalid JSON/);
    expect(message).not.toContain(secret);
  });

  it('splits multi-document YAML and Kubernetes lists, and refuses too many documents', () => {
    const docs = decodeEvidenceBody('a: 1\n---\nb: 2\n');
    expect(docs.map(d => d.doc)).toEqual([{ a: 1 }, { b: 2 }]);
    const items = Array.from({ length: MAX_DOCUMENTS + 1 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `c${i}` },
    }));
    expect(() =>
      decodeEvidenceBody(
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
      ),
    ).toThrow(`at most ${MAX_DOCUMENTS}`);
  });

  it('keeps the uploaded text of a single document so it can be stored as sent', () => {
    const text = 'kind: Thing\nname: x # comment\n';
    expect(decodeEvidenceBody(text)).toEqual([
      { doc: { kind: 'Thing', name: 'x' }, text, format: 'yaml' },
    ]);
  });
});

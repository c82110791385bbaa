import { Composer, Document } from 'yaml';
import { decodeEvidenceBody, MAX_DOCUMENTS } from './decode';

const SECRET = 'AKIA2E0A8F3B244C9986';

function messageOf(body: string): string {
  try {
    decodeEvidenceBody(body);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the body to be refused');
}

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

  it.each([
    [`{"Secret": ${SECRET}}`, 'line 1, column 12'],
    [
      `{"a": 1,\n "Secret": ${SECRET}, "b": "${'x'.repeat(40)}"}`,
      'line 2, column 12',
    ],
    [`{"Secret": "${SECRET}\u0001"}`, 'line 1, column 33'],
    [`{"Secret": "${SECRET}`, 'line 1, column 33'],
    [`{"Secret": "${SECRET}"} ${SECRET}`, 'line 1, column 36'],
    [`[${SECRET}]`, 'line 1, column 2'],
    [`{"a": [1,\n  2,\n`, 'line 2, column 5'],
    [`{"Secret" ${SECRET}}`, 'line 1, column 11'],
    [`{"Secret": "\\q${SECRET}"}`, 'line 1, column 14'],
  ])('says where a JSON error is, never what is there: %j', (body, where) => {
    const message = messageOf(body);
    expect(message).toMatch(/^Invalid JSON at /);
    expect(message).toContain(where);
    expect(message).not.toContain(SECRET.slice(0, 6));
  });

  it.each([
    `a: 1\nb: [${SECRET}\n`,
    `a: "${SECRET}\n`,
    `a: 1\na: ${SECRET}\n`,
    `a:\n  - x\n b: ${SECRET}\n`,
    `a: *${SECRET}\n`,
    `{"Secret": ${SECRET}, ]\n`.replace('{', 'x: {'),
    `${'- x\n'.repeat(3)}${SECRET}: [\n`,
  ])('says where a YAML error is, never what is there: %j', body => {
    const message = messageOf(body);
    expect(message).toMatch(/YAML/);
    expect(message).not.toContain(SECRET.slice(0, 6));
  });

  it('NDJSON errors name the line, not its text', () => {
    const message = messageOf(`{"a":1}\n{"Secret": ${SECRET}}\n`);
    expect(message).toMatch(/NDJSON line 2/);
    expect(message).not.toContain(SECRET.slice(0, 6));
  });

  it('stops composing YAML documents one past the limit', () => {
    const compose = Composer.prototype.compose;
    let composed = 0;
    const spy = jest
      .spyOn(Composer.prototype, 'compose')
      .mockImplementation(function* counted(this: Composer, ...args: any[]) {
        for (const doc of (compose as any).apply(this, args)) {
          composed++;
          yield doc;
        }
      } as any);
    try {
      const body = 'a: 1\n---\n'.repeat(100_000);
      const started = Date.now();
      expect(() => decodeEvidenceBody(body)).toThrow(
        `at most ${MAX_DOCUMENTS}`,
      );
      expect(composed).toBeLessThanOrEqual(MAX_DOCUMENTS + 1);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      spy.mockRestore();
    }
  });

  it('counts a YAML Kubernetes List before building its items', () => {
    const items = Array.from(
      { length: MAX_DOCUMENTS + 1 },
      (_, i) => `- {kind: ConfigMap, n: ${i}}`,
    );
    const toJS = jest.spyOn(Document.prototype, 'toJS');
    try {
      expect(() =>
        decodeEvidenceBody(
          `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`,
        ),
      ).toThrow(`at most ${MAX_DOCUMENTS}`);
      expect(toJS).not.toHaveBeenCalled();
    } finally {
      toJS.mockRestore();
    }
  });

  it.each([
    ['!!binary', 'note: !!binary QUtJQTJFMEE4RjNCMjQ0Qzk5ODY=\n'],
    ['!!omap', 'note: !!omap [ {k: v} ]\n'],
    ['!!set', 'note: !!set {a: null}\n'],
    ['a local tag', 'note: !secret x\n'],
    ['!!binary under %YAML 1.1', '%YAML 1.1\n---\nnote: !!binary QUtJQQ==\n'],
  ])('refuses a YAML tag the masker could not see through: %s', (_, body) => {
    expect(() => decodeEvidenceBody(body)).toThrow(
      /^Invalid YAML at line \d+, column \d+: tag resolve failed$/,
    );
  });

  it('reads a %YAML 1.1 document as plain data (core schema)', () => {
    const [{ doc }] = decodeEvidenceBody(
      '%YAML 1.1\n---\na: yes\nb: !!str 1\n',
    );
    expect(doc).toEqual({ a: 'yes', b: '1' });
  });
});

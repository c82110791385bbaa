import { applyJsonPatch, applyMergePatch, Json, PatchError } from './patches';

describe('the peer applies patches as the API server does', () => {
  // The examples of RFC 7386, appendix A.
  it.each<[Json, Json, Json]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('merge patch %j + %j = %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('applies JSON patch operations in order and refuses a failing one whole', () => {
    const doc: Json = { spec: { template: { a: 1 }, list: [1, 2] } };
    expect(
      applyJsonPatch(doc, [
        { op: 'replace', path: '/spec/template', value: { b: 2 } },
        { op: 'add', path: '/spec/list/-', value: 3 },
        { op: 'remove', path: '/spec/list/0' },
        { op: 'test', path: '/spec/template/b', value: 2 },
      ]),
    ).toEqual({ spec: { template: { b: 2 }, list: [2, 3] } });
    expect(() =>
      applyJsonPatch(doc, [{ op: 'replace', path: '/spec/missing', value: 1 }]),
    ).toThrow(PatchError);
    expect(doc).toEqual({ spec: { template: { a: 1 }, list: [1, 2] } });
  });
});

import { createLocator, splitPath } from './locate';

describe('splitPath', () => {
  it.each([
    ['sections[3].body', ['sections', 3, 'body']],
    ['metadata.version', ['metadata', 'version']],
    ['gateChecklist', ['gateChecklist']],
    ['(document)', []],
    ['', []],
  ])('%s', (path, keys) => {
    expect(splitPath(path)).toEqual(keys);
  });
});

describe('createLocator', () => {
  const source = [
    'apiVersion: rco.helix.dev/v1', // 1
    'metadata:', // 2
    '  version: "1.3.0"', // 3
    'sections:', // 4
    '  - id: scope', // 5
    '    body: |', // 6
    '      text', // 7
    '  - id: prerequisites', // 8
    '    number: 2', // 9
    'changelog: []', // 10
  ].join('\n');
  const locate = createLocator(source);

  it.each([
    ['metadata.version', 3],
    ['sections[0].body', 6],
    ['sections[1]', 8],
    ['sections[1].number', 9],
    // Missing fields point at their nearest ancestor that exists.
    ['sections[1].body', 8],
    ['sections[7].body', 4],
    ['metadata.title', 2],
    ['targets.rto', 1],
    ['changelog', 10],
    ['(document)', 1],
    ['line 12, column 3', 12],
  ])('%s is on line %d', (path, line) => {
    expect(locate(path)).toBe(line);
  });

  it('survives a document that is not a map', () => {
    expect(createLocator('- a\n- b\n')('metadata.version')).toBe(1);
    expect(createLocator('')('metadata')).toBe(1);
  });
});

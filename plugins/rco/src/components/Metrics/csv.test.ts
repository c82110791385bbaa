import { csvField, csvOf, tableOf } from './csv';

describe('CSV of a table', () => {
  it('quotes commas, quotes and line breaks, doubling quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('neutralises cells a spreadsheet would run as formulas, but keeps negative numbers', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(
      `"'=HYPERLINK(""http://x"")"`,
    );
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
    expect(csvField('-3')).toBe('-3');
    expect(csvField('-0.5')).toBe('-0.5');
    expect(csvField('a=b')).toBe('a=b');
  });

  it('holds exactly the table: its head, then each row in order, CRLF line ends', () => {
    const table = tableOf(
      'Caption',
      [
        { title: 'Gate', cell: (r: { g: string; n: number }) => r.g },
        { title: 'Blocked, all', cell: r => String(r.n) },
      ],
      [
        { g: 'Image scanning', n: 9 },
        { g: '=cmd|calc', n: 0 },
      ],
    );
    expect(table.body).toEqual([
      ['Image scanning', '9'],
      ['=cmd|calc', '0'],
    ]);
    expect(csvOf(table)).toBe(
      'Gate,"Blocked, all"\r\nImage scanning,9\r\n\'=cmd|calc,0\r\n',
    );
  });
});

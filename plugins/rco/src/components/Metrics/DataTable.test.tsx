import { fireEvent, render, screen } from '@testing-library/react';
import { captureSaves } from '../../__testUtils__/roadFixtures';
import { tableOf } from './csv';
import { CsvButton } from './DataTable';

/**
 * Every table with a median writes "—" for "none", and entity and people's
 * names may be non-ASCII. Excel opens a UTF-8 CSV without a byte order mark as the local ANSI
 * code page, so "—" reads "â€”". The download should start with the UTF-8 BOM.
 */
describe('CSV download', () => {
  it('starts with a UTF-8 byte order mark so spreadsheets read "—" and non-ASCII names', async () => {
    const saved = captureSaves();
    const data = tableOf(
      'Lead time per week',
      [
        { title: 'Week', cell: (r: { w: string; h: string }) => r.w },
        { title: 'Lead time (hours)', cell: r => r.h },
      ],
      [{ w: '2026-11-16', h: '—' }],
    );
    render(<CsvButton data={data} filename="rco-trend.csv" />);
    fireEvent.click(screen.getByRole('button', { name: /Download CSV/ }));
    const bytes = new Uint8Array(await saved[0].blob.arrayBuffer());
    expect(Array.from(bytes.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
    // Once only, and the rest is the table.
    expect(new TextDecoder().decode(bytes.slice(3))).toBe(
      'Week,Lead time (hours)\r\n2026-11-16,—\r\n',
    );
  });
});

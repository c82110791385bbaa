/**
 * A chart's table alternative as plain data: the table on screen and its CSV are both built from
 * this one value, so the download holds exactly the rows and cells people read.
 */
export interface TableData {
  /** The table's caption (what it shows and over which scope). */
  caption: string;
  head: string[];
  body: string[][];
}

/** How a column reads its cell from a row: already formatted, as the table shows it. */
export interface Column<R> {
  title: string;
  cell: (row: R) => string;
}

export function tableOf<R>(
  caption: string,
  columns: Column<R>[],
  rows: R[],
): TableData {
  return {
    caption,
    head: columns.map(c => c.title),
    body: rows.map(r => columns.map(c => c.cell(r))),
  };
}

/** A plain number ("-3", "0.5"): data, not a formula, even with a leading minus. */
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One CSV field. A cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a
 * tab or a carriage return: CSV injection) gets a leading apostrophe, so it opens as text; a
 * field with a comma, quote or line break is quoted, its quotes doubled (RFC 4180).
 */
export function csvField(value: string): string {
  const safe =
    /^[=+\-@\t\r]/.test(value) && !NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The table as CSV: its head, then its rows, CRLF line ends (RFC 4180). */
export function csvOf(table: TableData): string {
  return [table.head, ...table.body]
    .map(row => row.map(csvField).join(','))
    .join('\r\n')
    .concat('\r\n');
}

// A panel's data as a CSV file, made in the browser from exactly what the panel shows.

export type Cell = string | number | null;

/** What a panel shows, as rows: the CSV export and the charts' text alternative both read it. */
export interface DataTable {
  columns: string[];
  rows: Cell[][];
}

/**
 * One cell: quoted when it holds a comma, quote or line break (quotes doubled, RFC 4180); text a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe, as the API's
 * exports do. Numbers are written as they are, negative ones included.
 */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: DataTable): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Hands the table to the browser as `<name>.csv`. */
export function downloadCsv(table: DataTable, name: string): void {
  const url = URL.createObjectURL(new Blob([toCsv(table)], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

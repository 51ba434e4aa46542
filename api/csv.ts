// CSV cells for exports a spreadsheet will open (contacts, campaign results, SLA breaches).

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe. Phone numbers (+…) and our own numbers and dates are written as they are.
 */
export function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Any value as a safe cell: empty for nothing, ISO for dates, JSON for objects. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return safeText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return safeText(JSON.stringify(value));
}

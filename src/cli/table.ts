/** Plain-text and CSV output of rows for the CLI. */

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function printTable(
  columns: string[],
  rows: Record<string, unknown>[],
  out: NodeJS.WritableStream = process.stdout,
): void {
  const widths = columns.map((column) =>
    Math.min(60, Math.max(column.length, ...rows.map((row) => cell(row[column]).length))),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) =>
        value.length > widths[i]! ? `${value.slice(0, widths[i]! - 1)}…` : value.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  out.write(`${line(columns)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of rows) out.write(`${line(columns.map((column) => cell(row[column])))}\n`);
  out.write(`(${rows.length} row${rows.length === 1 ? '' : 's'})\n`);
}

function csvField(value: unknown): string {
  const text = cell(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function printCsv(
  columns: string[],
  rows: Record<string, unknown>[],
  out: NodeJS.WritableStream = process.stdout,
): void {
  out.write(`${columns.map(csvField).join(',')}\n`);
  for (const row of rows) out.write(`${columns.map((column) => csvField(row[column])).join(',')}\n`);
}

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
  // Widths from the first rows: enough to line up what a person reads, and cheap on a million rows.
  const sample = rows.slice(0, 1000);
  const widths = columns.map((column) => {
    let width = column.length;
    for (const row of sample) width = Math.max(width, cell(row[column]).length);
    return Math.min(60, width);
  });
  const line = (values: string[]) =>
    values
      .map((value, i) =>
        value.length > widths[i]! ? `${value.slice(0, widths[i]! - 1)}…` : value.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  out.write(`${line(columns)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  // Written in blocks: one write per row would flood a pipe with millions of small writes.
  for (let start = 0; start < rows.length; start += 1000) {
    const block = rows
      .slice(start, start + 1000)
      .map((row) => line(columns.map((column) => cell(row[column]))));
    out.write(`${block.join('\n')}\n`);
  }
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

/** CSV of the numbers a table shows, unrounded as the API sent them (RFC 4180 quoting). */
import type { Row, Value } from './api.js';

function cell(value: Value | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: string[], rows: Row[]): string {
  const lines = [columns.map((name) => cell(name)).join(',')];
  for (const row of rows) lines.push(columns.map((name) => cell(row[name])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function downloadCsv(fileName: string, columns: string[], rows: Row[]): void {
  const blob = new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

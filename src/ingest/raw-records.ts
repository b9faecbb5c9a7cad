/**
 * The exact text of quarantined records, and the line an editor shows them at. DuckDB
 * numbers records, not lines, and a quoted CSV field may span lines; so for the few files
 * that have quarantined rows, the bytes are scanned once. Only wanted records are kept.
 */
import { createReadStream } from 'node:fs';

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface RawRecord {
  /** Physical line on which the record starts (1-based, header = line 1). */
  line: number;
  text: string;
}

export interface RawRecords {
  /** The header line, when the file has one. */
  header?: string;
  /** Keyed by what was asked for: the record number, or the physical line. */
  records: Map<number, RawRecord>;
}

/**
 * `by: 'record'`: CSV records, quote-aware, numbered 1.. after the header; blank lines are
 * not records (CSV readers skip them). `by: 'line'`: physical lines (NDJSON, space-aligned
 * text), numbered by line.
 */
export async function readRawRecords(
  file: string,
  options: { by: 'record' | 'line'; wanted: number[]; header: boolean },
): Promise<RawRecords> {
  const { by, header } = options;
  const wanted = new Set(options.wanted);
  const result: RawRecords = { records: new Map() };
  const last = Math.max(0, ...wanted);
  const headerKey = by === 'record' ? 0 : 1;
  const quoteAware = by === 'record';

  let line = 1; // physical line of the byte being read
  let startLine = 1; // physical line where the current record started
  let inQuotes = false;
  let counted = header && by === 'record' ? -1 : 0; // records numbered so far; the header becomes 0
  let sawContent = false;
  let parts: Buffer[] = [];
  let partStart = 0;
  const nextKey = () => (by === 'record' ? counted + 1 : startLine);
  const wants = (key: number) => wanted.has(key) || (header && key === headerKey);
  let capturing = wants(nextKey());
  const done = () => nextKey() > last && (!header || result.header !== undefined);

  const endRecord = (chunk: Buffer, end: number) => {
    if (capturing) parts.push(chunk.subarray(partStart, end));
    if (by === 'line' || sawContent) {
      if (by === 'record') counted++;
      const key = by === 'record' ? counted : startLine;
      if (capturing) {
        const text = Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
        if (header && key === headerKey) result.header = text;
        else result.records.set(key, { line: startLine, text });
      }
    }
    parts = [];
    sawContent = false;
    startLine = line;
    capturing = wants(nextKey());
  };

  for await (const data of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const chunk = data as Buffer;
    partStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) {
        line++;
        if (inQuotes) continue;
        endRecord(chunk, i);
        partStart = i + 1;
        if (done()) return result;
      } else {
        if (byte !== CARRIAGE_RETURN) sawContent = true;
        if (quoteAware && byte === QUOTE) inQuotes = !inQuotes;
      }
    }
    if (capturing) parts.push(chunk.subarray(partStart));
  }
  if (sawContent) endRecord(Buffer.alloc(0), 0); // a last record without a final newline
  return result;
}

/** Splits one RFC 4180 record (quotes, doubled quotes, separators and line breaks inside quotes). */
export function splitCsvRecord(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inQuotes) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') inQuotes = false;
      else field += char;
    } else if (char === '"') inQuotes = true;
    else if (text.startsWith(delimiter, i)) {
      fields.push(field);
      field = '';
      i += delimiter.length - 1;
    } else field += char;
  }
  fields.push(field);
  return fields;
}

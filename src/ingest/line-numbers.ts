/**
 * Physical line numbers of CSV records. DuckDB numbers records, not lines, and a quoted
 * field may span lines; a quarantined row must name the line an editor shows. So for the
 * few files that have quarantined rows, scan the bytes once, quote-aware.
 */
import { createReadStream } from 'node:fs';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Maps 1-based record numbers (header excluded when `header`) to the physical line on
 * which each record starts. Only the requested records are kept.
 */
export async function recordStartLines(
  file: string,
  records: number[],
  header: boolean,
): Promise<Map<number, number>> {
  const wanted = new Set(records);
  const found = new Map<number, number>();
  if (wanted.size === 0) return found;
  let line = 1;
  let inQuotes = false;
  // Record 0 is the header when there is one; the record after a newline outside quotes starts on the next line.
  let record = header ? 0 : 1;
  if (wanted.has(record)) found.set(record, line);
  let atRecordStart = false;
  const lastRecordWanted = Math.max(...wanted);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (atRecordStart) {
        atRecordStart = false;
        // Blank lines are skipped by the reader; they are not records.
        if (byte === NEWLINE || byte === 0x0d) {
          if (byte === NEWLINE) line++;
          atRecordStart = byte === NEWLINE;
          continue;
        }
        record++;
        if (wanted.has(record)) {
          found.set(record, line);
          if (record >= lastRecordWanted) return found;
        }
      }
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === NEWLINE) {
        line++;
        if (!inQuotes) atRecordStart = true;
      }
    }
  }
  return found;
}

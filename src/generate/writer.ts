/**
 * A streaming CSV writer (RFC 4180: comma, CRLF-free `\n` line ends, fields quoted only when
 * they hold a quote, comma or line break). Rows collect in a small string buffer that goes to
 * the file stream when it passes FLUSH_AT characters; a flush waits for 'drain' whenever the
 * stream says so, so memory stays flat whatever the number of rows.
 *
 * It counts physical lines (the header is line 1; a quoted line break adds one), which is
 * what ground truth records for bad rows.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

const FLUSH_AT = 1 << 16;
const NEEDS_QUOTES = /[",\r\n]/;

/** A field as RFC 4180 wants it. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function lineBreaks(value: string): number {
  let count = 0;
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) count++;
  return count;
}

export class CsvWriter {
  /** Data rows written (the header excluded). */
  rows = 0;
  /** The physical line the next row starts on. */
  nextLine = 2;
  private buffer = '';
  private failure: Error | undefined;

  private constructor(
    readonly file: string,
    private readonly stream: WriteStream,
  ) {
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  static async open(file: string, header: readonly string[]): Promise<CsvWriter> {
    const stream = createWriteStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    await once(stream, 'open');
    const writer = new CsvWriter(file, stream);
    writer.buffer = `${header.map(csvField).join(',')}\n`;
    return writer;
  }

  get name(): string {
    return path.basename(this.file);
  }

  /**
   * Appends one row already formatted and ending in `\n`, with no line break inside a field
   * (the hot path). Returns true when the caller should `await flush()`.
   */
  line(text: string): boolean {
    this.buffer += text;
    this.rows++;
    this.nextLine++;
    return this.buffer.length >= FLUSH_AT;
  }

  /** Appends one row from raw field values, quoting as needed. Returns true when a flush is due. */
  record(fields: readonly string[]): boolean {
    let text = '';
    let breaks = 0;
    for (let i = 0; i < fields.length; i++) {
      const value = fields[i]!;
      if (NEEDS_QUOTES.test(value)) {
        breaks += lineBreaks(value);
        text += `${i ? ',' : ''}"${value.replaceAll('"', '""')}"`;
      } else {
        text += i ? `,${value}` : value;
      }
    }
    this.buffer += `${text}\n`;
    this.rows++;
    this.nextLine += 1 + breaks;
    return this.buffer.length >= FLUSH_AT;
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Flushes, closes and returns the bytes written. */
  async close(): Promise<number> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
    return this.stream.bytesWritten;
  }
}

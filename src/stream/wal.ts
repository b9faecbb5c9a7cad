/**
 * The consumer's write-ahead log: every delivered message is appended here, and flushed to
 * disk (fdatasync), before the broker gets its acknowledgement. Landing reads from the log,
 * never from the network, so a kill at any moment loses nothing: what was acknowledged is on
 * disk, what was not is sent again by the broker.
 *
 * Offsets are byte positions in one endless log cut into segment files named by their first
 * offset (`<16 digits>.wal`). A record is
 *   u32 body length | u32 crc32(body) | body = f64 received_ms | u16 topic length | topic | payload
 * A torn tail (the process died mid-write) fails its length or checksum and is cut off at open.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export interface WalRecord {
  /** Offset of the record's first byte. */
  offset: number;
  /** Offset just after it: where the next record starts. */
  end: number;
  topic: string;
  payload: Buffer;
  receivedMs: number;
}

const HEADER = 8;
const SEGMENT_BYTES = 64 * 1024 * 1024;

function segmentName(base: number): string {
  return `${String(base).padStart(16, '0')}.wal`;
}

export class WriteAheadLog {
  private handle: FileHandle;
  private segmentBase: number;
  /** Bytes handed to append (durable or not). */
  private appended: number;
  private durable: number;
  private pending: Buffer[] = [];
  private syncing: Promise<number> | undefined;

  private constructor(
    readonly dir: string,
    handle: FileHandle,
    base: number,
    end: number,
  ) {
    this.handle = handle;
    this.segmentBase = base;
    this.appended = end;
    this.durable = end;
  }

  /** Opens the log in `dir`, cutting off a torn tail. */
  static async open(dir: string): Promise<WriteAheadLog> {
    await mkdir(dir, { recursive: true });
    const bases = await listSegments(dir);
    const base = bases[bases.length - 1] ?? 0;
    const file = path.join(dir, segmentName(base));
    const valid = bases.length === 0 ? 0 : scanValidLength(file);
    if (bases.length > 0) {
      const size = (await stat(file)).size;
      if (size !== valid) await truncate(file, valid);
    }
    const handle = await open(file, 'a');
    return new WriteAheadLog(dir, handle, base, base + valid);
  }

  /** Where the next record will start. */
  get endOffset(): number {
    return this.appended;
  }

  get durableOffset(): number {
    return this.durable;
  }

  /** Buffers a record; returns the offset just after it. Durable only after `sync`. */
  append(topic: string, payload: Buffer, receivedMs: number): number {
    const topicBytes = Buffer.from(topic, 'utf8');
    const bodyLength = 8 + 2 + topicBytes.length + payload.length;
    const record = Buffer.allocUnsafe(HEADER + bodyLength);
    record.writeDoubleLE(receivedMs, HEADER);
    record.writeUInt16LE(topicBytes.length, HEADER + 8);
    topicBytes.copy(record, HEADER + 10);
    payload.copy(record, HEADER + 10 + topicBytes.length);
    record.writeUInt32LE(bodyLength, 0);
    record.writeUInt32LE(crc32(record.subarray(HEADER)), 4);
    this.pending.push(record);
    this.appended += record.length;
    return this.appended;
  }

  /**
   * Writes what is buffered and flushes it to disk; resolves with the durable offset. Calls
   * made while a flush runs share the next one (group commit).
   */
  sync(): Promise<number> {
    if (this.syncing) return this.syncing.then(() => this.sync());
    if (this.pending.length === 0) return Promise.resolve(this.durable);
    const buffers = this.pending;
    const target = this.appended;
    this.pending = [];
    this.syncing = (async () => {
      try {
        await this.handle.writev(buffers);
        await this.handle.datasync();
        this.durable = target;
        if (this.durable - this.segmentBase >= SEGMENT_BYTES) await this.rotate();
        return this.durable;
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async rotate(): Promise<void> {
    await this.handle.close();
    this.segmentBase = this.durable;
    this.handle = await open(path.join(this.dir, segmentName(this.segmentBase)), 'a');
  }

  /** Resolves once everything up to `offset` is durable (joining flushes already under way). */
  async syncTo(offset: number): Promise<void> {
    while (this.durable < offset) await (this.syncing ?? this.sync());
  }

  /** Durable records from `from` (a record boundary) up to `to`, in order. */
  *read(from: number, to: number = this.durable): Generator<WalRecord> {
    if (from >= to) return;
    const bases = listSegmentsSync(this.dir);
    for (let s = 0; s < bases.length; s++) {
      const base = bases[s]!;
      const next = bases[s + 1] ?? Number.POSITIVE_INFINITY;
      if (next <= from || base >= to) continue;
      const fd = openSync(path.join(this.dir, segmentName(base)), 'r');
      try {
        let position = Math.max(from, base) - base;
        const header = Buffer.allocUnsafe(HEADER);
        while (base + position < to) {
          if (readSync(fd, header, 0, HEADER, position) < HEADER) break;
          const length = header.readUInt32LE(0);
          const body = Buffer.allocUnsafe(length);
          if (readSync(fd, body, 0, length, position + HEADER) < length) break;
          if (crc32(body) !== header.readUInt32LE(4)) break;
          const topicLength = body.readUInt16LE(8);
          yield {
            offset: base + position,
            end: base + position + HEADER + length,
            receivedMs: body.readDoubleLE(0),
            topic: body.toString('utf8', 10, 10 + topicLength),
            payload: body.subarray(10 + topicLength),
          };
          position += HEADER + length;
        }
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Removes segments whose records all lie before `offset` (they are landed). */
  async dropBefore(offset: number): Promise<void> {
    const bases = await listSegments(this.dir);
    for (let s = 0; s + 1 < bases.length; s++) {
      if (bases[s + 1]! <= offset && bases[s]! !== this.segmentBase)
        await rm(path.join(this.dir, segmentName(bases[s]!)), { force: true });
    }
  }

  async close(): Promise<void> {
    await this.sync();
    await this.handle.close();
  }
}

async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return parseSegmentNames(names);
}

/** Synchronous so that `read` stays a plain generator; the folder holds a handful of files. */
function listSegmentsSync(dir: string): number[] {
  return parseSegmentNames(readdirSync(dir));
}

function parseSegmentNames(names: string[]): number[] {
  return names
    .filter((name) => /^\d{16}\.wal$/.test(name))
    .map((name) => Number(name.slice(0, 16)))
    .sort((a, b) => a - b);
}

/** Length of the prefix of a segment made of whole, intact records. */
function scanValidLength(file: string): number {
  const fd = openSync(file, 'r');
  try {
    let position = 0;
    const header = Buffer.allocUnsafe(HEADER);
    for (;;) {
      if (readSync(fd, header, 0, HEADER, position) < HEADER) return position;
      const length = header.readUInt32LE(0);
      const body = Buffer.allocUnsafe(length);
      if (readSync(fd, body, 0, length, position + HEADER) < length) return position;
      if (crc32(body) !== header.readUInt32LE(4)) return position;
      position += HEADER + length;
    }
  } finally {
    closeSync(fd);
  }
}

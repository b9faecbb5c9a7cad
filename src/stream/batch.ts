/**
 * A micro-batch: the decoded records of a run of log records [from, to), kept until they land
 * as one load. Inside a batch a key seen twice keeps its latest version (the contract's
 * "latest arrival wins"), so a redelivered message never makes a duplicate row that the load
 * would quarantine. A batch is written as a drop folder of CSV files, one per entity.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Count, Reading, StateChange } from './contract.js';
import type { DeadLetter } from './dead-letters.js';
import type { StreamEvent } from './states.js';

export class Batch {
  readonly readings: Reading[] = [];
  readonly counts: (Count | undefined)[] = [];
  readonly states: StateChange[] = [];
  readonly deadLetters: DeadLetter[] = [];
  /**
   * machine -> sensor -> the latest ts seen. Readings of a series mostly arrive in time order:
   * those are new keys, at the cost of two map lookups. A reading at or before its series'
   * latest may repeat a key; such series are deduplicated once, when the batch is written.
   */
  private readonly latestTs = new Map<string, Map<string, { ts: number; disordered: boolean }>>();
  private readingKeys = 0;
  private disordered = false;
  private readonly countAt = new Map<string, number>();
  /** Offset just after the last record added. */
  to: number;
  messages = 0;
  readonly openedAt = Date.now();

  constructor(readonly from: number) {
    this.to = from;
  }

  get rows(): number {
    return this.readingKeys + this.countAt.size + this.states.length;
  }

  addReading(reading: Reading): void {
    let sensors = this.latestTs.get(reading.machine_id);
    if (sensors === undefined) {
      sensors = new Map();
      this.latestTs.set(reading.machine_id, sensors);
    }
    const series = sensors.get(reading.sensor);
    if (series === undefined) {
      sensors.set(reading.sensor, { ts: reading.ts, disordered: false });
      this.readingKeys++;
    } else if (reading.ts > series.ts) {
      series.ts = reading.ts;
      this.readingKeys++;
    } else {
      series.disordered = true;
      this.disordered = true;
    }
    this.readings.push(reading);
  }

  /** The readings to land: of each key, the latest arrival. */
  finalReadings(): readonly Reading[] {
    // In order, every reading is a new key: no copy of a batch that may hold 100 k readings.
    if (!this.disordered) return this.readings;
    const out: Reading[] = [];
    const seen = new Map<string, Set<number>>();
    for (let i = this.readings.length - 1; i >= 0; i--) {
      const reading = this.readings[i]!;
      if (this.latestTs.get(reading.machine_id)?.get(reading.sensor)?.disordered) {
        const key = `${reading.machine_id}\u0001${reading.sensor}`;
        let times = seen.get(key);
        if (times === undefined) {
          times = new Set();
          seen.set(key, times);
        }
        if (times.has(reading.ts)) continue;
        times.add(reading.ts);
      }
      out.push(reading);
    }
    return out.reverse();
  }

  addCount(count: Count): void {
    const key = `${count.machine_id}\u0001${count.interval_start}`;
    const at = this.countAt.get(key);
    if (at !== undefined) this.counts[at] = undefined;
    this.countAt.set(key, this.counts.length);
    this.counts.push(count);
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

function csv(value: string | null): string {
  if (value === null) return '';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Writes the batch's rows as a drop folder; returns how many rows per entity file. */
export async function writeBatchDrop(
  dir: string,
  batch: Batch,
  events: StreamEvent[],
): Promise<Record<string, number>> {
  await mkdir(dir, { recursive: true });
  const written: Record<string, number> = {};
  const readings = batch.finalReadings();
  if (readings.length > 0) {
    let lastTs = Number.NaN;
    let lastIso = '';
    // Machines and sensors repeat: escape each once, with its comma.
    const prefixes = new Map<string, Map<string, string>>();
    const prefix = (machine: string, sensor: string) => {
      let sensors = prefixes.get(machine);
      if (sensors === undefined) {
        sensors = new Map();
        prefixes.set(machine, sensors);
      }
      let text = sensors.get(sensor);
      if (text === undefined) {
        text = `${csv(machine)},${csv(sensor)},`;
        sensors.set(sensor, text);
      }
      return text;
    };
    written.sensor_readings = await writeCsv(
      path.join(dir, 'sensor_readings.csv'),
      'machine_id,sensor,ts,value,quality',
      readings,
      (row) => {
        if (row.ts !== lastTs) {
          lastTs = row.ts;
          lastIso = iso(row.ts);
        }
        return `${prefix(row.machine_id, row.sensor)}${lastIso},${row.value},${row.quality}`;
      },
    );
  }
  const counts = batch.counts.filter((row): row is Count => row !== undefined);
  if (counts.length > 0) {
    written.production_counts = await writeCsv(
      path.join(dir, 'production_counts.csv'),
      'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count',
      counts,
      (row) =>
        `${csv(row.machine_id)},${csv(row.order_id)},${csv(row.product_id)},${csv(row.operator_id)},${iso(row.interval_start)},${iso(row.interval_end)},${row.total_count},${row.reject_count}`,
    );
  }
  if (events.length > 0) {
    written.downtime_events = await writeCsv(
      path.join(dir, 'downtime_events.csv'),
      'event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note',
      events,
      (row) =>
        `${csv(row.event_id)},${csv(row.machine_id)},${iso(row.start_ts)},${row.end_ts === null ? '' : iso(row.end_ts)},${csv(row.reason_code)},,stream`,
    );
  }
  return written;
}

async function writeCsv<T>(
  file: string,
  header: string,
  rows: readonly T[],
  line: (row: T) => string,
): Promise<number> {
  const out = createWriteStream(file);
  let chunk = `${header}\n`;
  for (const row of rows) {
    chunk += `${line(row)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return rows.length;
}

/**
 * The alerts store: every alert event the detectors raise, as JSON lines in one file per UTC
 * day of the moment it was raised, `<lake>/_meta/alerts/<YYYY-MM-DD>.ndjson`. Each line is the
 * alert as it stood (id, machine, sensor, rule, first and last reading, values, severity)
 * plus `event` (open, update, close) and `raised_at`. A later line with the same `alert_id`
 * supersedes an earlier one; readers (the API's server-sent events, `lathe stream --alerts`)
 * follow the files like a log. Appends are buffered and flushed every few hundred ms.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { alertsDir } from './paths.js';

/** What the store needs of an alert; the detection library's Alert fits. */
export interface AlertLike {
  alert_id: string;
  machine_id: string;
  sensor: string;
  first_ts: string;
  last_ts: string;
  [field: string]: unknown;
}

export interface AlertRecord extends AlertLike {
  event: string;
  raised_at: string;
}

export class AlertStore {
  private buffer = new Map<string, string[]>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(readonly lake: string) {}

  add(alert: AlertLike, event: string, now = new Date()): AlertRecord {
    const raisedAt = now.toISOString();
    const record: AlertRecord = { ...alert, event, raised_at: raisedAt };
    const day = raisedAt.slice(0, 10);
    const lines = this.buffer.get(day) ?? [];
    lines.push(JSON.stringify(record));
    this.buffer.set(day, lines);
    return record;
  }

  /** Appends what is buffered to the day files. */
  flush(): Promise<void> {
    const buffered = this.buffer;
    this.buffer = new Map();
    this.flushing = this.flushing.then(async () => {
      if (buffered.size === 0) return;
      await mkdir(alertsDir(this.lake), { recursive: true });
      for (const [day, lines] of buffered)
        await appendFile(path.join(alertsDir(this.lake), `${day}.ndjson`), `${lines.join('\n')}\n`);
    });
    return this.flushing;
  }
}

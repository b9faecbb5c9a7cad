/** A drop large enough that loading it takes a few seconds: time to kill it or read beside it. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

/** Writes sensor_readings.csv with `rows` readings of machine M1 (valid against validDrop()). */
export async function writeManyReadings(
  dir: string,
  rows: number,
  startMs = Date.UTC(2026, 2, 3),
): Promise<void> {
  const out = createWriteStream(path.join(dir, 'sensor_readings.csv'));
  out.write('machine_id,sensor,ts,value,quality\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `M1,temperature_c,${new Date(startMs + i * 1000).toISOString()},${(50 + (i % 100) / 10).toFixed(1)},good\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

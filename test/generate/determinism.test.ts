import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TempDrop, tempDrop } from './csv.js';

async function digests(folder: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const name of (await readdir(folder)).sort()) {
    result.set(
      name,
      createHash('sha256')
        .update(await readFile(path.join(folder, name)))
        .digest('hex'),
    );
  }
  return result;
}

describe('generate: determinism', () => {
  const drops: TempDrop[] = [];
  before(async () => {
    drops.push(await tempDrop({ seed: 11, badRows: 0.02 }));
    drops.push(await tempDrop({ seed: 11, badRows: 0.02 }));
    drops.push(await tempDrop({ seed: 12, badRows: 0.02 }));
  });
  after(async () => {
    for (const drop of drops) await drop.cleanup();
  });

  test('the same seed and options give byte-identical drop and truth files', async () => {
    const [a, b] = drops as [TempDrop, TempDrop];
    assert.deepEqual(await digests(a.out), await digests(b.out));
    assert.deepEqual(await digests(a.truth), await digests(b.truth));
    assert.equal((await digests(a.out)).size, 18);
  });

  test('another seed gives other data', async () => {
    const [a, , c] = drops as [TempDrop, TempDrop, TempDrop];
    const first = await digests(a.out);
    const other = await digests(c.out);
    for (const entity of [
      'production_counts.csv',
      'sensor_readings.csv',
      'downtime_events.csv',
      'defects.csv',
    ]) {
      assert.notEqual(first.get(entity), other.get(entity), `${entity} should differ between seeds`);
    }
  });
});

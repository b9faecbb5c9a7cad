/** The stream's building blocks on their own: the write-ahead log, batches, state changes, decoding. */
import assert from 'node:assert/strict';
import { appendFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Batch } from '../../src/stream/batch.js';
import { decodeMessage, type MasterIndex } from '../../src/stream/contract.js';
import { eventId, resolveStates } from '../../src/stream/states.js';
import { WriteAheadLog } from '../../src/stream/wal.js';
import { Scratch } from '../support/drop.js';

let scratch: Scratch;
before(async () => {
  scratch = await Scratch.create('lathe-stream-units-');
});
after(() => scratch.dispose());

const master: MasterIndex = {
  machines: new Map([['M1', { line_id: 'L1', plant_id: 'P1' }]]),
  reasons: new Set(['JAM', 'BD']),
};

test('the log keeps what was synced, cuts a torn tail at open, and reads records back in order', async () => {
  const dir = scratch.path('wal');
  const wal = await WriteAheadLog.open(dir);
  const ends = [wal.append('a/b', Buffer.from('one'), 1), wal.append('a/c', Buffer.from('two'), 2)];
  assert.equal(await wal.sync(), ends[1]);
  wal.append('a/d', Buffer.from('synced at close'), 3);
  await wal.close();
  // A crash mid-append: half a record at the end of the segment.
  const segment = path.join(dir, '0000000000000000.wal');
  await appendFile(segment, Buffer.from([40, 0, 0, 0, 1, 2]));
  const reopened = await WriteAheadLog.open(dir);
  const records = [...reopened.read(0)];
  assert.deepEqual(
    records.map((record) => [record.topic, record.payload.toString(), record.receivedMs]),
    [
      ['a/b', 'one', 1],
      ['a/c', 'two', 2],
      ['a/d', 'synced at close', 3],
    ],
  );
  assert.equal((await stat(segment)).size, reopened.endOffset, 'the torn tail is cut off');
  assert.deepEqual(
    [...reopened.read(ends[0]!)].map((record) => record.topic),
    ['a/c', 'a/d'],
  );
  await reopened.close();
});

test('a batch keeps the latest arrival of a key, also when a series arrives out of order', () => {
  const batch = new Batch(0);
  const reading = (sensor: string, ts: number, value: number) =>
    ({ machine_id: 'M1', sensor, ts, value, quality: 'good' }) as const;
  batch.addReading(reading('t', 1, 10));
  batch.addReading(reading('t', 2, 20));
  batch.addReading(reading('v', 1, 5));
  batch.addReading(reading('t', 1, 11)); // sent again with a new value: the latest wins
  batch.addReading(reading('t', 0, 9)); // late, but a new key
  assert.deepEqual(
    batch.finalReadings().map((r) => [r.sensor, r.ts, r.value]),
    [
      ['t', 2, 20],
      ['v', 1, 5],
      ['t', 1, 11],
      ['t', 0, 9],
    ],
  );
});

test('state changes become downtime events with ids from machine and start; a replay changes nothing', () => {
  const at = (iso: string) => Date.parse(iso);
  const changes = [
    { machine_id: 'M1', ts: at('2026-03-02T06:00:00Z'), state: 'stopped', reason_code: 'JAM' },
    { machine_id: 'M1', ts: at('2026-03-02T06:05:00Z'), state: 'stopped', reason_code: 'BD' },
    { machine_id: 'M1', ts: at('2026-03-02T06:30:00Z'), state: 'running', reason_code: null },
    { machine_id: 'M1', ts: at('2026-03-02T07:00:00Z'), state: 'running', reason_code: null },
  ] as const;
  const options = { defaultReason: 'JAM', waitForStops: false, now: 0 };
  const first = resolveStates([], [], [...changes], options);
  assert.deepEqual(
    first.events.map((e) => [e.event_id, e.start_ts, e.end_ts, e.reason_code]),
    [
      [eventId('M1', changes[0].ts), changes[0].ts, changes[1].ts, 'JAM'],
      [eventId('M1', changes[1].ts), changes[1].ts, changes[2].ts, 'BD'],
    ],
  );
  assert.equal(eventId('M1', changes[0].ts), 'ST-M1-20260302T060000000Z');
  // The same messages again, on top of what landed: no new or changed row.
  const again = resolveStates(first.events, [], [...changes], options);
  assert.deepEqual(again.events, []);
  assert.deepEqual(again.rejected, []);
  // A stop inside a finished stop contradicts it.
  const late = resolveStates(
    first.events,
    [],
    [{ machine_id: 'M1', ts: at('2026-03-02T06:10:00Z'), state: 'stopped', reason_code: 'JAM' }],
    options,
  );
  assert.equal(late.rejected[0]?.code, 'state_out_of_order');
});

test('decoding: a bad element is rejected on its own, the rest of the array decodes', () => {
  const decoded = decodeMessage(
    'lathe/P1/L1/M1/telemetry',
    Buffer.from(
      JSON.stringify([
        { ts: '2026-03-02T06:00:00+01:00', sensor: 't', value: 1.5 },
        { ts: '2026-03-02T06:00:00Z', sensor: 't', value: '2.5', quality: 'uncertain' },
        { ts: '2026-03-02', sensor: 't', value: 1 },
        { sensor: 't', value: 1 },
      ]),
    ),
    'lathe',
    master,
  );
  assert.deepEqual(
    decoded.readings.map((r) => [r.ts, r.value, r.quality]),
    [
      [Date.parse('2026-03-02T05:00:00Z'), 1.5, 'good'],
      [Date.parse('2026-03-02T06:00:00Z'), 2.5, 'uncertain'],
    ],
  );
  assert.deepEqual(
    decoded.rejected.map((r) => [r.index, r.reasons.map((reason) => reason.code)]),
    [
      [2, ['bad_timestamp']],
      [3, ['missing_value']],
    ],
  );
  const counts = decodeMessage(
    'lathe/P1/L1/M1/counts',
    Buffer.from(
      '{"interval_start":"2026-03-02T06:00:00Z","interval_end":"2026-03-02T06:15:00Z","product_id":"A","order_id":"O","total_count":10,"reject_count":1}',
    ),
    'lathe',
    master,
  );
  assert.equal(counts.counts[0]?.total_count, 10);
  assert.equal(counts.rejected.length, 0);
});

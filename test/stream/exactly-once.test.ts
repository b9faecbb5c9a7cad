/**
 * Exactly once: a consumer killed with SIGKILL at several moments while a stream is being
 * published, and restarted each time, ends with every published reading and every stop in
 * the lake once, with its published value, and nothing quarantined as a duplicate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { FileLoadStore } from '../../src/meta/load-store.js';
import { queryLake } from '../support/lake.js';
import { startConsumer, streamBed } from './support/bed.js';
import { machineId, machineTopic, prepareLake, publisher, waitFor } from './support/fixture.js';

const bed = streamBed('lathe-stream-exactly-once-');

async function streamLoads(lake: string): Promise<number> {
  const loads = await new FileLoadStore(new LakeLayout(lake).loadsDir()).list();
  return loads.filter((load) => load.drop.includes('_stream') && load.status === 'committed').length;
}

test('kill -9 mid-stream at several moments, restart: every published reading and stop is in the lake exactly once', async () => {
  const { lake } = await prepareLake(bed.scratch.path('x'));
  let consumer = startConsumer(lake, bed.broker.url, 'k1');
  await consumer.subscribed;

  const pub = await publisher(bed.broker.url);
  const base = Date.parse('2026-03-28T06:00:00Z');
  const readings = new Map<string, number>();
  const stops: { id: string; machine: string; start: number; end: number | null; reason: string }[] = [];
  const open = new Map<string, (typeof stops)[number]>();
  const messages = 2400;
  const killAt = new Set([300, 900, 1500, 2100]);
  let kills = 0;
  for (let i = 0; i < messages; i++) {
    const n = (i % 6) + 1;
    const machine = machineId(n);
    const ts = base + Math.floor(i / 6) * 1000;
    const body = Array.from({ length: 20 }, (_, k) => {
      const value = i * 20 + k;
      readings.set(`${machine}|s${k}|${ts}`, value);
      return { ts: new Date(ts).toISOString(), sensor: `s${k}`, value };
    });
    await pub.publishAsync(machineTopic(n, 'telemetry'), JSON.stringify(body), { qos: 1 });
    if (i % 60 === 59) {
      // Machines stop and run again in turn: the state channel becomes downtime events.
      const running = open.get(machine);
      if (running) {
        running.end = ts;
        open.delete(machine);
        await pub.publishAsync(
          machineTopic(n, 'state'),
          JSON.stringify({ ts: new Date(ts).toISOString(), state: 'running' }),
          { qos: 1 },
        );
      } else {
        const stop = {
          id: `ST-${machine}-${new Date(ts).toISOString().replace(/[-:.]/g, '')}`,
          machine,
          start: ts,
          end: null,
          reason: 'JAM',
        };
        stops.push(stop);
        open.set(machine, stop);
        await pub.publishAsync(
          machineTopic(n, 'state'),
          JSON.stringify({ ts: new Date(ts).toISOString(), state: 'stopped', reason_code: 'JAM' }),
          { qos: 1 },
        );
      }
    }
    if (killAt.has(i)) {
      // Half of the kills come once the restarted consumer has landed something (so it dies
      // between or inside later landings), half while it may still be replaying its log.
      if (kills % 2 === 1) {
        const before = await streamLoads(lake);
        await waitFor('a landing after the restart', async () => (await streamLoads(lake)) > before, 60_000);
      }
      consumer.child.kill('SIGKILL');
      const ended = await consumer.done;
      assert.equal(ended.signal, 'SIGKILL');
      kills++;
      // Restarted at once; what is published meanwhile waits in its session on the broker.
      consumer = startConsumer(lake, bed.broker.url, 'k1');
    }
  }
  await pub.endAsync();
  assert.equal(kills, 4);

  await waitFor(
    'every reading to land',
    async () => {
      const [row] = await queryLake<{ n: bigint }>(
        lake,
        "SELECT count(*) AS n FROM sensor_readings WHERE sensor LIKE 's%'",
      );
      return Number(row!.n) >= readings.size;
    },
    120_000,
  );
  consumer.child.kill('SIGTERM');
  const ended = await consumer.done;
  assert.equal(ended.code, 0, consumer.stderr());

  const landed = await queryLake<{ machine_id: string; sensor: string; ms: number; value: number }>(
    lake,
    "SELECT machine_id, sensor, epoch_ms(ts) AS ms, value FROM sensor_readings WHERE sensor LIKE 's%'",
  );
  assert.equal(landed.length, readings.size, 'as many readings landed as were published');
  const seen = new Set<string>();
  for (const row of landed) {
    const key = `${row.machine_id}|${row.sensor}|${Number(row.ms)}`;
    assert.ok(!seen.has(key), `landed twice: ${key}`);
    seen.add(key);
    assert.equal(row.value, readings.get(key), `published value of ${key}`);
  }

  const events = await queryLake<{
    event_id: string;
    machine_id: string;
    s: number;
    e: number | null;
    reason_code: string;
  }>(
    lake,
    "SELECT event_id, machine_id, epoch_ms(start_ts) AS s, epoch_ms(end_ts) AS e, reason_code FROM downtime_events WHERE starts_with(event_id, 'ST-') ORDER BY event_id",
  );
  const expected = stops
    .map((stop) => ({
      event_id: stop.id,
      machine_id: stop.machine,
      s: stop.start,
      e: stop.end,
      reason_code: stop.reason,
    }))
    .sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
  assert.deepEqual(
    events.map((event) => ({ ...event, s: Number(event.s), e: event.e === null ? null : Number(event.e) })),
    expected,
  );

  // Redelivered copies upsert onto themselves: no stream load quarantined a row (duplicate or conflict).
  const loads = (await new FileLoadStore(new LakeLayout(lake).loadsDir()).list()).filter((load) =>
    load.drop.includes('_stream'),
  );
  assert.ok(loads.length >= 3, `one load per batch: ${loads.length}`);
  assert.deepEqual(
    loads.filter((load) => load.rows_quarantined > 0 || load.status === 'failed').map((load) => load.load_id),
    [],
  );
});

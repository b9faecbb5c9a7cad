/**
 * Scale-out: two `lathe stream` processes in one MQTT 5 shared subscription split the stream.
 * Every published reading lands, each through exactly one of them (union = published,
 * intersection empty), and stops whose `stopped` and `running` went to different consumers
 * still become one closed downtime event.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DuckSession, sqlString } from '../../src/lake/duckdb.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { FileLoadStore } from '../../src/meta/load-store.js';
import { queryLake } from '../support/lake.js';
import { startConsumer, streamBed } from './support/bed.js';
import { machineId, machineTopic, prepareLake, publisher, waitFor } from './support/fixture.js';

const bed = streamBed('lathe-stream-shared-');

test('two consumers on a shared subscription: union = published, intersection empty, stops closed', async () => {
  const { lake } = await prepareLake(bed.scratch.path('shared'));
  const consumers = ['a', 'b'].map((name) => startConsumer(lake, bed.broker.url, name, ['--group', 'g']));
  await Promise.all(consumers.map((consumer) => consumer.subscribed));

  const pub = await publisher(bed.broker.url);
  const base = Date.parse('2026-03-28T07:00:00Z');
  const published = new Set<string>();
  const stops: { event_id: string; s: number; e: number }[] = [];
  for (let i = 0; i < 1200; i++) {
    const n = (i % 6) + 1;
    const ts = base + Math.floor(i / 6) * 1000;
    const body = Array.from({ length: 10 }, (_, k) => {
      published.add(`${machineId(n)}|s${k}|${ts}`);
      return { ts: new Date(ts).toISOString(), sensor: `s${k}`, value: i + k / 10 };
    });
    await pub.publishAsync(machineTopic(n, 'telemetry'), JSON.stringify(body), { qos: 1 });
    if (i % 120 === 60) {
      // A stop of 20 s; its two state messages may go to different consumers.
      const end = ts + 20_000;
      stops.push({
        event_id: `ST-${machineId(n)}-${new Date(ts).toISOString().replace(/[-:.]/g, '')}`,
        s: ts,
        e: end,
      });
      await pub.publishAsync(
        machineTopic(n, 'state'),
        JSON.stringify({ ts: new Date(ts).toISOString(), state: 'stopped', reason_code: 'JAM' }),
        { qos: 1 },
      );
      await pub.publishAsync(
        machineTopic(n, 'state'),
        JSON.stringify({ ts: new Date(end).toISOString(), state: 'running' }),
        { qos: 1 },
      );
    }
  }
  await pub.endAsync();

  await waitFor(
    'every reading and every closed stop to land',
    async () => {
      const [readings] = await queryLake<{ n: bigint }>(
        lake,
        "SELECT count(*) AS n FROM sensor_readings WHERE sensor LIKE 's%'",
      );
      const [closed] = await queryLake<{ n: bigint }>(
        lake,
        "SELECT count(end_ts) AS n FROM downtime_events WHERE starts_with(event_id, 'ST-')",
      );
      return Number(readings!.n) === published.size && Number(closed!.n) === stops.length;
    },
    120_000,
  );
  for (const consumer of consumers) consumer.child.kill('SIGTERM');
  for (const consumer of consumers) assert.equal((await consumer.done).code, 0, consumer.stderr());

  // Every raw row (not the deduplicated view) with the consumer whose load brought it.
  const loads = await new FileLoadStore(new LakeLayout(lake).loadsDir()).list();
  const consumerOf = new Map(
    loads
      .filter((load) => load.drop.includes(`${path.sep}_stream${path.sep}`))
      .map((load) => [load.load_id, load.drop.split(path.sep).at(-3)!]),
  );
  const db = await DuckSession.open();
  const rows = await db.json<{ key: string; load: string }>(
    `SELECT machine_id || '|' || sensor || '|' || epoch_ms(ts) AS key, _load_id AS load
     FROM read_parquet(${sqlString(path.join(lake, 'raw', 'sensor_readings', '*', '*.parquet'))}) WHERE sensor LIKE 's%'`,
  );
  db.close();
  const byConsumer = new Map<string, Set<string>>([
    ['a', new Set()],
    ['b', new Set()],
  ]);
  for (const row of rows) byConsumer.get(consumerOf.get(row.load)!)!.add(row.key);
  const a = byConsumer.get('a')!;
  const b = byConsumer.get('b')!;
  assert.ok(a.size > 0 && b.size > 0, `both consumers took a share: ${a.size} and ${b.size}`);
  assert.equal(rows.length, a.size + b.size, 'no reading landed twice');
  assert.deepEqual(
    [...a].filter((key) => b.has(key)),
    [],
    'intersection is empty',
  );
  assert.deepEqual(new Set([...a, ...b]), published, 'union is what was published');

  const events = await queryLake<{ event_id: string; s: number; e: number }>(
    lake,
    "SELECT event_id, epoch_ms(start_ts) AS s, epoch_ms(end_ts) AS e FROM downtime_events WHERE starts_with(event_id, 'ST-') ORDER BY event_id",
  );
  assert.deepEqual(
    events.map((event) => ({ event_id: event.event_id, s: Number(event.s), e: Number(event.e) })),
    stops.sort((x, y) => (x.event_id < y.event_id ? -1 : 1)),
  );
});

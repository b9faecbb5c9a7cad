/**
 * `lathe stream` and `lathe simulate` as a plant engineer runs them, against a real mosquitto:
 * contract violations become dead letters with reasons while good data keeps landing; simulate
 * reports exactly what it published; bad input stops with exit code 2 and a fix.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { DeadLetter } from '../../src/stream/dead-letters.js';
import { runCli } from '../support/cli.js';
import { queryLake } from '../support/lake.js';
import { startConsumer, streamBed } from './support/bed.js';
import { machineTopic, prepareLake, publisher, waitFor } from './support/fixture.js';

const bed = streamBed('lathe-stream-cli-');

test('contract violations land in dead letters with reasons and fixes; the consumer keeps landing good data', async () => {
  const { lake } = await prepareLake(bed.scratch.path('dl'));
  const consumer = startConsumer(lake, bed.broker.url, 'd1');
  await consumer.subscribed;

  const pub = await publisher(bed.broker.url);
  const good = (ts: string, value: number) => JSON.stringify({ ts, sensor: 'temperature_c', value });
  await pub.publishAsync(machineTopic(1, 'telemetry'), good('2026-03-28T06:00:00Z', 50), { qos: 1 });
  await pub.publishAsync(machineTopic(1, 'telemetry'), '{"ts": "2026-03-28T06:00:01Z", "sensor": ', {
    qos: 1,
  });
  await pub.publishAsync('lathe/P1/P1-L1/P1-L1-M99/telemetry', good('2026-03-28T06:00:02Z', 1), { qos: 1 });
  await pub.publishAsync('lathe/P1/P1-L2/P1-L1-M1/telemetry', good('2026-03-28T06:00:03Z', 1), { qos: 1 });
  await pub.publishAsync('lathe/P1/P1-L1/P1-L1-M1/vibration', good('2026-03-28T06:00:04Z', 1), { qos: 1 });
  await pub.publishAsync(
    machineTopic(1, 'telemetry'),
    JSON.stringify([
      { ts: '2026-03-28T06:00:05', sensor: 'temperature_c', value: 51 },
      { ts: '2026-03-28T06:00:06Z', sensor: 'temperature_c', value: 52 },
      { ts: '2026-03-28T06:00:07Z', sensor: 'temperature_c', value: 'hot' },
      { ts: '2026-03-28T06:00:08Z', sensor: 'temperature_c', value: 53, quality: 'great' },
    ]),
    { qos: 1 },
  );
  await pub.publishAsync(
    machineTopic(2, 'counts'),
    JSON.stringify({
      interval_start: '2026-03-28T06:00:00Z',
      interval_end: '2026-03-28T05:45:00Z',
      product_id: 'X',
      order_id: 'Y',
      total_count: 10,
      reject_count: 11,
    }),
    { qos: 1 },
  );
  await pub.publishAsync(
    machineTopic(3, 'state'),
    JSON.stringify({ ts: '2026-03-28T06:00:00Z', state: 'idle' }),
    { qos: 1 },
  );
  await pub.publishAsync(
    machineTopic(3, 'state'),
    JSON.stringify({ ts: '2026-03-28T06:00:00Z', state: 'stopped', reason_code: 'NOPE' }),
    { qos: 1 },
  );
  // After all that, good data still lands.
  await pub.publishAsync(machineTopic(1, 'telemetry'), good('2026-03-28T06:00:09Z', 54), { qos: 1 });
  await pub.endAsync();

  await waitFor('the good readings to land', async () => {
    const rows = await queryLake<{ value: number }>(
      lake,
      "SELECT value FROM sensor_readings WHERE machine_id = 'P1-L1-M1' AND sensor = 'temperature_c' AND ts >= '2026-03-28T06:00:00Z' AND ts < '2026-03-28T06:00:10Z' ORDER BY ts",
    );
    return rows.length === 3 && rows;
  });
  assert.equal(consumer.child.exitCode, null, 'the consumer is still running');

  const listed = await runCli(['--lake', lake, 'stream', 'dead-letters', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const letters = JSON.parse(listed.stdout) as DeadLetter[];
  const codes = letters
    .flatMap((letter) => letter.reasons.map((reason) => `${reason.code}:${reason.field}`))
    .sort();
  assert.deepEqual(
    codes,
    [
      'bad_enum:quality',
      'bad_enum:state',
      'bad_json:null',
      'bad_timestamp:interval_end',
      'bad_topic:topic',
      'bad_type:value',
      'end_not_after_start:interval_end',
      'naive_timestamp:ts',
      'out_of_range:reject_count',
      'topic_mismatch:topic',
      'unknown_machine:topic',
      'unknown_reference:reason_code',
    ].filter((code) => code !== 'bad_timestamp:interval_end'),
  );
  for (const letter of letters) {
    assert.match(letter.topic, /^lathe\//);
    assert.ok(letter.payload.length > 0);
    assert.ok(!Number.isNaN(Date.parse(letter.received_at)));
    for (const reason of letter.reasons) assert.ok(reason.fix.length > 10, `${reason.code} has a fix`);
  }
  const element = letters.find((letter) => letter.reasons[0]!.code === 'bad_type')!;
  assert.equal(element.index, 2);
  assert.deepEqual(JSON.parse(element.payload), {
    ts: '2026-03-28T06:00:07Z',
    sensor: 'temperature_c',
    value: 'hot',
  });

  const text = await runCli(['--lake', lake, 'stream', 'dead-letters', '--limit', '2']);
  assert.equal(text.code, 0);
  assert.equal((text.stdout.match(/^\S+Z {2}lathe\//gm) ?? []).length, 2);
  assert.match(text.stdout, /fix: /);

  consumer.child.kill('SIGTERM');
  const ended = await consumer.done;
  assert.equal(ended.code, 0, ended.stderr);
  assert.match(ended.stderr, /stopped: \d+ messages/);
});

test('lathe simulate --json reports exactly the messages, readings, counts and states it published; truth aside', async () => {
  const received = { messages: 0, readings: 0, counts: 0, states: 0 };
  const listener = await mqtt.connectAsync(bed.broker.url, { protocolVersion: 5 });
  listener.on('message', (topic, payload) => {
    received.messages++;
    const body = JSON.parse(payload.toString()) as unknown;
    const n = Array.isArray(body) ? body.length : 1;
    if (topic.endsWith('/telemetry')) received.readings += n;
    else if (topic.endsWith('/counts')) received.counts += n;
    else if (topic.endsWith('/state')) received.states += n;
  });
  await listener.subscribeAsync('lathe/#', { qos: 1 });
  const truth = bed.scratch.path('sim-truth');
  const result = await runCli([
    'simulate',
    '--mqtt',
    bed.broker.url,
    '--machines',
    '3',
    '--count',
    '400',
    '--rate',
    '0',
    '--truth',
    truth,
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as typeof received & { machines: number };
  assert.equal(summary.messages, 400);
  assert.ok(summary.readings > 400 && summary.counts > 0 && summary.states > 0, result.stdout);
  await waitFor('every message', async () => received.messages >= 400, 20_000);
  await listener.endAsync();
  assert.deepEqual(
    {
      messages: summary.messages,
      readings: summary.readings,
      counts: summary.counts,
      states: summary.states,
    },
    received,
  );
  assert.deepEqual((await readdir(truth)).sort(), [
    'anomalies.csv',
    'bad_rows.csv',
    'failures.csv',
    'summary.json',
  ]);
});

test('bad input stops with exit code 2 and a fix; --help shows examples', async () => {
  const cases: [string[], RegExp][] = [
    [['stream', '--mqtt', 'not a url'], /not a URL[\s\S]*fix: write the broker as mqtt:\/\/host:port/],
    [['stream', '--mqtt', 'http://127.0.0.1:1883'], /not an MQTT broker URL[\s\S]*fix:/],
    [['stream', '--mqtt', bed.broker.url, '--group', 'g'], /--group needs --consumer[\s\S]*fix:/],
    [['stream', '--batch-ms', 'soon'], /--batch-ms is `soon`[\s\S]*fix: write e\.g\. --batch-ms 2000/],
    [['stream', '--bogus'], /unknown option '--bogus'/],
    [['stream', 'dead-letters', '--limit', '0'], /--limit is `0`[\s\S]*fix:/],
    [['simulate', '--count', '3', '--duration', '2'], /--count and --duration both given[\s\S]*fix:/],
    [['simulate', '--mqtt', 'nope://x'], /not an MQTT broker URL[\s\S]*fix:/],
    [['simulate', '--rate', 'fast'], /--rate is `fast`[\s\S]*fix:/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(['--lake', bed.scratch.path('bad-lake'), ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
  }
  for (const command of ['stream', 'simulate']) {
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`Examples:\\n\\s+\\$ lathe ${command}`));
  }
});

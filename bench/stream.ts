/**
 * Stream benchmark (npm run bench:stream; not part of npm test).
 *
 * A real mosquitto on loopback, a lake holding the simulated factory's master data, and the
 * consumer in this process (decode, validate, detect, write-ahead log, land), fed by a
 * publisher in a child process. Payloads are arrays of 100 readings (one machine, 10 sensors
 * x 10 instants).
 *
 *   throughput  the publisher sends `--readings` readings as fast as the broker takes them;
 *               readings/s end to end = readings / (first message received .. last row landed),
 *               with zero loss checked in the lake (count of distinct keys = published).
 *   latency     a steady `--rate` readings/s for `--seconds` s, each reading's ts = its publish
 *               time, with a spike now and then: p50/p99 from publish to the alert's callback,
 *               and the consumer's RSS sampled every 5 s (flat = the last sample within 15% of
 *               the one at a quarter of the run).
 *
 * Targets (issue #5): >= 200 k readings/s sustained; p99 < 1 s at 50 k readings/s; RSS flat
 * over a 10-minute run (`--seconds 600`).
 *
 *   npm run bench:stream -- [--readings 8000000] [--rate 50000] [--seconds 120] [--batch-rows 400000]
 *                           [--no-detect] [--verbose] [--keep DIR]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { StreamConsumer } from '../src/stream/consumer.js';
import { detectorFactory } from '../src/stream/detection.js';
import { prepareLake } from '../test/stream/support/fixture.js';
import { startMosquitto } from '../test/stream/support/mosquitto.js';
import { queryLake } from '../test/support/lake.js';
import { args, flag } from './args.js';

const MACHINES = [
  'lathe/P1/P1-L1/P1-L1-M1',
  'lathe/P1/P1-L1/P1-L1-M2',
  'lathe/P1/P1-L1/P1-L1-M3',
  'lathe/P1/P1-L1/P1-L1-M4',
  'lathe/P1/P1-L2/P1-L2-M1',
  'lathe/P1/P1-L2/P1-L2-M2',
];
const SENSORS = 10;
/** Readings the publisher child sent (told to the parent at the end). */
let publishedReadings = 0;
const INSTANTS = 10;

if (args[0] === '--publisher')
  await publisher(args[1]!, args[2] as 'burst' | 'steady', Number(args[3]), Number(args[4]));
else await main();

/** The publisher child: `burst` N readings as fast as possible, or `steady` rate/s for s seconds. */
async function publisher(
  url: string,
  mode: 'burst' | 'steady',
  amount: number,
  seconds: number,
): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true });
  let inFlight = 0;
  const send = async (topic: string, payload: string) => {
    while (inFlight >= 1000) await new Promise((resolve) => setImmediate(resolve));
    inFlight++;
    client.publish(topic, payload, { qos: 1 }, () => inFlight--);
  };
  // An in-control process: 50 plus independent noise (s.d. 0.5), rounded to 0.001.
  const value = () => Math.round((50 + (Math.random() + Math.random() + Math.random() - 1.5)) * 1000) / 1000;
  if (mode === 'burst') {
    const base = Date.parse('2026-01-05T00:00:00Z');
    const messages = Math.ceil(amount / (SENSORS * INSTANTS));
    for (let m = 0; m < messages; m++) {
      const machine = m % MACHINES.length;
      const step = Math.floor(m / MACHINES.length) * INSTANTS;
      const body: string[] = [];
      for (let i = 0; i < INSTANTS; i++) {
        const ts = new Date(base + (step + i) * 100).toISOString();
        for (let s = 0; s < SENSORS; s++) body.push(`{"ts":"${ts}","sensor":"s${s}","value":${value()}}`);
      }
      await send(`${MACHINES[machine]}/telemetry`, `[${body.join(',')}]`);
    }
  } else {
    // Steady: every 10 ms, the readings due. A reading's ts is its publish time (one instant
    // per ms and machine, so keys stay distinct: 50 k/s is ~830 instants/s per machine).
    const started = Date.now();
    const lastMs = MACHINES.map(() => 0);
    let sent = 0;
    let tick = 0;
    while (Date.now() - started < seconds * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * amount);
      while (sent < due) {
        const machine = tick++ % MACHINES.length;
        const body: string[] = [];
        for (let i = 0; i < INSTANTS; i++) {
          const now = Math.max(Date.now(), lastMs[machine]! + 1);
          lastMs[machine] = now;
          const ts = new Date(now).toISOString();
          for (let s = 0; s < SENSORS; s++) {
            // About one spike per 2000 readings of a series: an alert to time.
            const spike = Math.random() < 1 / 2000 ? 25 : 0;
            body.push(`{"ts":"${ts}","sensor":"s${s}","value":${value() + spike}}`);
          }
        }
        await send(`${MACHINES[machine]}/telemetry`, `[${body.join(',')}]`);
        sent += SENSORS * INSTANTS;
        publishedReadings = sent;
      }
      await new Promise((resolve) => setTimeout(resolve, 10 - ((Date.now() - started) % 10)));
    }
  }
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await client.endAsync();
  process.send?.({ sent: publishedReadings });
}

async function main(): Promise<void> {
  // 8 M readings (about 40 s): long enough that start-up and the last batch's landing do not
  // dominate what is meant to be a sustained rate (3 M gave 164-195 k/s where 8 M gave 201 k/s).
  const readings = Number(flag('--readings') ?? 8_000_000);
  const rate = Number(flag('--rate') ?? 50_000);
  const seconds = Number(flag('--seconds') ?? 120);
  const keep = flag('--keep');
  const root = keep ? path.resolve(keep) : path.join(tmpdir(), `lathe-bench-stream-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const broker = await startMosquitto();
  const self = fileURLToPath(import.meta.url);
  let steadySent = 0;
  const runPublisher = (mode: string, amount: number, secs: number) =>
    new Promise<void>((resolve, reject) => {
      const child: ChildProcess = fork(
        self,
        ['--publisher', broker.url, mode, String(amount), String(secs)],
        {
          execArgv: ['--import', 'tsx'],
        },
      );
      child.on('message', (message: { sent?: number }) => {
        if (mode === 'steady') steadySent = message.sent ?? 0;
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}`))));
    });
  try {
    const { lake } = await prepareLake(root);

    // Throughput.
    let firstAt = 0;
    let landedRows = 0;
    let lastLanded = 0;
    const consumer = await StreamConsumer.start({
      lake,
      consumer: 'bench',
      topicPrefix: 'lathe',
      url: broker.url,
      batchRows: Number(flag('--batch-rows') ?? 400_000),
      batchMs: 2000,
      detector: args.includes('--no-detect') ? undefined : detectorFactory(),
      onLanded: (landed) => {
        landedRows += landed.readings;
        lastLanded = Date.now();
        if (args.includes('--verbose'))
          process.stderr.write(`landed ${landed.readings} readings in ${landed.ms} ms (${landed.status})\n`);
      },
      onError: (error) => process.stderr.write(`consumer error: ${String(error)}\n`),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stats = consumer.ingestor.stats;
    const watchFirst = setInterval(() => {
      if (!firstAt && stats.messages > 0) firstAt = Date.now();
    }, 5);
    const published = Math.ceil(readings / (SENSORS * INSTANTS)) * SENSORS * INSTANTS;
    process.stderr.write(`throughput: publishing ${published} readings in arrays of 100 ...\n`);
    const publishStarted = Date.now();
    await runPublisher('burst', readings, 0);
    const publishMs = Date.now() - publishStarted;
    while (landedRows < published) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (Date.now() - Math.max(lastLanded, publishStarted + publishMs) > 60_000) break;
    }
    clearInterval(watchFirst);
    const endToEndS = (lastLanded - firstAt) / 1000;
    const [inLake] = await queryLake<{ n: bigint; d: bigint }>(
      lake,
      "SELECT count(*) AS n, count(DISTINCT (machine_id, sensor, ts)) AS d FROM sensor_readings WHERE ts < '2026-02-01'",
    );
    const throughput = {
      readings_published: published,
      readings_landed: Number(inLake!.n),
      distinct_keys: Number(inLake!.d),
      lost: published - Number(inLake!.d),
      publish_s: publishMs / 1000,
      end_to_end_s: endToEndS,
      readings_per_s: Math.round(published / endToEndS),
      loads: stats.loads,
    };
    process.stdout.write(`${JSON.stringify({ throughput }, null, 2)}\n`);

    // Latency and memory at a steady rate.
    const latencies: number[] = [];
    const rss: number[] = [];
    const started = Date.now();
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 5000);
    (consumer.ingestor.options as { onAlert?: (alert: { event: string; last_ts: string }) => void }).onAlert =
      (alert) => {
        if (alert.event === 'open' && Date.parse(alert.last_ts) >= started)
          latencies.push(Date.now() - Date.parse(alert.last_ts));
      };
    process.stderr.write(`latency: ${rate} readings/s for ${seconds} s ...\n`);
    const landedBefore = landedRows;
    await runPublisher('steady', rate, seconds);
    clearInterval(sampler);
    await consumer.stop();
    latencies.sort((a, b) => a - b);
    const pick = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? null;
    const quarter = rss[Math.floor(rss.length / 4)] ?? rss[0] ?? 0;
    const last = rss[rss.length - 1] ?? 0;
    const latency = {
      rate_readings_per_s: rate,
      seconds,
      readings_published: steadySent,
      readings_landed: landedRows - landedBefore,
      alerts_timed: latencies.length,
      p50_ms: pick(0.5),
      p99_ms: pick(0.99),
      max_ms: latencies[latencies.length - 1] ?? null,
      rss_mb: {
        first: Math.round((rss[0] ?? 0) / 1e6),
        at_quarter: Math.round(quarter / 1e6),
        last: Math.round(last / 1e6),
        max: Math.round(Math.max(0, ...rss) / 1e6),
      },
      rss_flat: quarter > 0 && Math.abs(last - quarter) / quarter <= 0.15,
    };
    process.stdout.write(`${JSON.stringify({ latency }, null, 2)}\n`);
  } finally {
    await broker.stop();
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

/**
 * `lathe simulate`: the synthetic factory (src/generate) played as a live MQTT stream. The
 * factory is generated as usual (deterministic for a seed), then its machines' sensor
 * readings, production counts and downtime are published in time order, per the stream
 * contract:
 *
 *   telemetry  one message per machine and instant: an array of that instant's readings
 *   counts     one message per count interval, sent at the interval's end
 *   state      `stopped` (with the reason) when a stop begins, `running` when the machine runs
 *              again; overlapping stops of the generated timeline are merged first, so the
 *              state channel is a clean alternation (a new stop right at the end of one is a
 *              `stopped` with the new reason)
 *
 * The ground truth (failures.csv, anomalies.csv with the drifts and spikes injected into the
 * readings, summary.json) goes to `--truth`, and the factory's other entities (master data,
 * shifts, orders ...) to `--drop`, which `lathe ingest` loads so that the stream's machines,
 * orders and reasons are known to the lake.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { generateFactory } from '../generate/index.js';
import { SCALES, type ScaleName } from '../generate/plan.js';
import { splitCsvRecord } from '../ingest/raw-records.js';
import { LatheError, UsageError } from '../util/errors.js';
import { type BrokerOptions, checkBrokerUrl } from './consumer.js';

export interface SimulateOptions extends Omit<BrokerOptions, 'group' | 'receiveMaximum'> {
  topicPrefix?: string;
  /** Records (readings + counts + states) per second; 0: as fast as the broker takes them. */
  rate?: number;
  machines?: number;
  /** Stop after this many messages ... */
  count?: number;
  /** ... or after this many seconds. */
  durationS?: number;
  seed?: number;
  scale?: ScaleName;
  start?: string;
  readingIntervalS?: number;
  /** Ground truth folder (failures, anomalies, summary). */
  truth?: string;
  /** Folder for the factory's other entities, to ingest before streaming. */
  drop?: string;
  /** Publishes nothing: writes --truth and --drop only. */
  prepareOnly?: boolean;
  onProgress?: (published: SimulateSummary) => void;
}

export interface SimulateSummary {
  messages: number;
  readings: number;
  counts: number;
  states: number;
  machines: number;
  /** Data time of the first and last message published. */
  from: string | null;
  to: string | null;
  seconds: number;
}

export interface StreamMessage {
  /** Data time (ms) the message is about; messages are published in this order. */
  at: number;
  topic: string;
  payload: string;
  readings: number;
  counts: number;
  states: number;
}

const STREAMED = new Set(['sensor_readings', 'production_counts', 'downtime_events']);

export async function simulate(options: SimulateOptions): Promise<SimulateSummary> {
  const rate = options.rate ?? 1000;
  if (!(rate >= 0) || !Number.isFinite(rate))
    throw new UsageError(
      `--rate is \`${options.rate}\`, expected records per second`,
      'write e.g. --rate 500 (0: as fast as possible)',
    );
  const machinesWanted = options.machines ?? 6;
  if (!Number.isInteger(machinesWanted) || machinesWanted < 1 || machinesWanted > 240)
    throw new UsageError(
      `--machines is \`${options.machines}\`, expected 1 to 240`,
      'write e.g. --machines 6',
    );
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 0))
    throw new UsageError(
      `--count is \`${options.count}\`, expected a whole number of messages`,
      'write e.g. --count 1000',
    );
  if (options.durationS !== undefined && !(options.durationS > 0))
    throw new UsageError(
      `--duration is \`${options.durationS}\`, expected seconds`,
      'write e.g. --duration 60',
    );
  if (!options.prepareOnly) checkBrokerUrl(options.url);

  const started = Date.now();
  const work = await mkdtemp(path.join(tmpdir(), 'lathe-simulate-'));
  try {
    const messages = await plannedStream(work, options, machinesWanted, rate);
    if (options.truth) await copyFolder(path.join(work, 'truth'), options.truth);
    if (options.drop) await copyDrop(path.join(work, 'drop'), options.drop);
    const summary: SimulateSummary = {
      messages: 0,
      readings: 0,
      counts: 0,
      states: 0,
      machines: machinesWanted,
      from: null,
      to: null,
      seconds: 0,
    };
    if (options.prepareOnly) return summary;
    await publish(messages, options, rate, summary);
    summary.seconds = Math.round((Date.now() - started) / 100) / 10;
    return summary;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Generates the factory and turns its streamed entities into messages in time order. */
async function plannedStream(
  work: string,
  options: SimulateOptions,
  machinesWanted: number,
  rate: number,
): Promise<StreamMessage[]> {
  const scale = options.scale ?? 'tiny';
  const readingIntervalS = options.readingIntervalS ?? 60;
  const machinesPerLine = Math.min(machinesWanted, 4);
  const linesPerPlant = Math.min(20, Math.ceil(machinesWanted / machinesPerLine));
  const plants = Math.ceil(machinesWanted / (linesPerPlant * machinesPerLine));
  // Enough days for the requested messages at about 5 readings per machine and instant.
  const perDay = machinesWanted * (86400 / readingIntervalS);
  const wanted =
    options.count ?? (options.durationS ? (rate > 0 ? rate / 5 : 20_000) * options.durationS : perDay);
  const days = Math.max(1, Math.min(60, Math.ceil(wanted / perDay)));
  await generateFactory({
    out: path.join(work, 'drop'),
    truth: path.join(work, 'truth'),
    seed: options.seed ?? 1,
    scale,
    plants: Math.min(plants, 3),
    linesPerPlant,
    machinesPerLine,
    days,
    start: options.start ?? SCALES[scale].start,
    readingIntervalS,
  });
  const prefix = options.topicPrefix ?? 'lathe';
  const machines = await machineTopics(path.join(work, 'drop'), prefix, machinesWanted);
  const messages: StreamMessage[] = [];
  await readingMessages(path.join(work, 'drop', 'sensor_readings.csv'), machines, messages);
  await countMessages(path.join(work, 'drop', 'production_counts.csv'), machines, messages);
  await stateMessages(path.join(work, 'drop', 'downtime_events.csv'), machines, messages);
  // Stable sort: at one instant, readings come before counts and states, as they were read.
  messages.sort((a, b) => a.at - b.at);
  return messages;
}

async function csvRows(file: string): Promise<Record<string, string>[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const header = splitCsvRecord(lines[0]!, ',');
  const rows: Record<string, string>[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const fields = splitCsvRecord(lines[i]!, ',');
    const row: Record<string, string> = {};
    header.forEach((name, k) => {
      row[name] = fields[k] ?? '';
    });
    rows.push(row);
  }
  return rows;
}

/** The first `count` machines of the factory and their topic roots. */
async function machineTopics(drop: string, prefix: string, count: number): Promise<Map<string, string>> {
  const lines = new Map(
    (await csvRows(path.join(drop, 'lines.csv'))).map((row) => [row.line_id!, row.plant_id!]),
  );
  const machines = (await csvRows(path.join(drop, 'machines.csv'))).slice(0, count);
  return new Map(
    machines.map((row) => [
      row.machine_id!,
      `${prefix}/${lines.get(row.line_id!)}/${row.line_id}/${row.machine_id}`,
    ]),
  );
}

async function readingMessages(
  file: string,
  machines: Map<string, string>,
  out: StreamMessage[],
): Promise<void> {
  let current: { machine: string; ts: string; readings: Record<string, unknown>[] } | undefined;
  const flush = () => {
    if (!current) return;
    out.push({
      at: Date.parse(current.ts),
      topic: `${machines.get(current.machine)}/telemetry`,
      payload: JSON.stringify(current.readings),
      readings: current.readings.length,
      counts: 0,
      states: 0,
    });
  };
  for (const row of await csvRows(file)) {
    if (!machines.has(row.machine_id!)) continue;
    if (!current || current.machine !== row.machine_id || current.ts !== row.ts) {
      flush();
      current = { machine: row.machine_id!, ts: row.ts!, readings: [] };
    }
    const reading: Record<string, unknown> = { ts: row.ts, sensor: row.sensor, value: Number(row.value) };
    if (row.quality && row.quality !== 'good') reading.quality = row.quality;
    current.readings.push(reading);
  }
  flush();
}

async function countMessages(
  file: string,
  machines: Map<string, string>,
  out: StreamMessage[],
): Promise<void> {
  for (const row of await csvRows(file)) {
    if (!machines.has(row.machine_id!)) continue;
    const count: Record<string, unknown> = {
      interval_start: row.interval_start,
      interval_end: row.interval_end,
      product_id: row.product_id,
      order_id: row.order_id,
      total_count: Number(row.total_count),
      reject_count: Number(row.reject_count),
    };
    if (row.operator_id) count.operator_id = row.operator_id;
    out.push({
      at: Date.parse(row.interval_end!),
      topic: `${machines.get(row.machine_id!)}/counts`,
      payload: JSON.stringify(count),
      readings: 0,
      counts: 1,
      states: 0,
    });
  }
}

/** Downtime events as a clean alternation of `stopped` and `running` per machine. */
async function stateMessages(
  file: string,
  machines: Map<string, string>,
  out: StreamMessage[],
): Promise<void> {
  const byMachine = new Map<string, { start: number; end: number; reason: string }[]>();
  for (const row of await csvRows(file)) {
    if (!machines.has(row.machine_id!)) continue;
    const list = byMachine.get(row.machine_id!) ?? [];
    list.push({
      start: Date.parse(row.start_ts!),
      end: row.end_ts ? Date.parse(row.end_ts) : Number.POSITIVE_INFINITY,
      reason: row.reason_code!,
    });
    byMachine.set(row.machine_id!, list);
  }
  for (const [machine, events] of byMachine) {
    events.sort((a, b) => a.start - b.start || a.end - b.end);
    const topic = `${machines.get(machine)}/state`;
    const emit = (at: number, body: Record<string, unknown>) =>
      out.push({ at, topic, payload: JSON.stringify(body), readings: 0, counts: 0, states: 1 });
    let downUntil = Number.NEGATIVE_INFINITY;
    for (const event of events) {
      if (event.start > downUntil) {
        if (Number.isFinite(downUntil))
          emit(downUntil, { ts: new Date(downUntil).toISOString(), state: 'running' });
        emit(event.start, {
          ts: new Date(event.start).toISOString(),
          state: 'stopped',
          reason_code: event.reason,
        });
        downUntil = event.end;
      } else if (event.start === downUntil) {
        emit(event.start, {
          ts: new Date(event.start).toISOString(),
          state: 'stopped',
          reason_code: event.reason,
        });
        downUntil = event.end;
      } else if (event.end > downUntil) {
        downUntil = event.end;
      }
    }
    if (Number.isFinite(downUntil))
      emit(downUntil, { ts: new Date(downUntil).toISOString(), state: 'running' });
  }
}

async function publish(
  messages: StreamMessage[],
  options: SimulateOptions,
  rate: number,
  summary: SimulateSummary,
): Promise<void> {
  const client = mqtt.connect(options.url, {
    protocolVersion: options.protocolVersion ?? 5,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    username: options.username,
    password: options.password,
    ca: options.tlsCa ? await readFile(options.tlsCa) : undefined,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(
        new LatheError('broker_unreachable', `cannot connect to the broker at ${options.url}`, {
          fix: 'start the broker (or `lathe stream`, which runs an embedded one) and check host and port',
        }),
      );
    }, 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const limit = options.count ?? Number.POSITIVE_INFINITY;
  const deadline = options.durationS ? Date.now() + options.durationS * 1000 : Number.POSITIVE_INFINITY;
  const began = Date.now();
  let records = 0;
  let inFlight = 0;
  let lastProgress = Date.now();
  try {
    for (const message of messages) {
      if (summary.messages >= limit || Date.now() >= deadline) break;
      if (rate > 0) {
        // Pace by records: ahead of schedule, wait until the schedule catches up.
        const due = began + (records / rate) * 1000;
        const wait = due - Date.now();
        if (wait > 5) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      while (inFlight >= 500) await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight++;
      client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
        inFlight--;
        if (error) client.emit('error', error);
      });
      records += message.readings + message.counts + message.states;
      summary.messages++;
      summary.readings += message.readings;
      summary.counts += message.counts;
      summary.states += message.states;
      summary.from ??= new Date(message.at).toISOString();
      summary.to = new Date(message.at).toISOString();
      if (options.onProgress && Date.now() - lastProgress > 1000) {
        lastProgress = Date.now();
        options.onProgress(summary);
      }
    }
    while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await client.endAsync();
  }
}

async function copyFolder(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) await copyFile(path.join(from, name), path.join(to, name));
}

/** The factory's entities that are not streamed, as a drop folder for `lathe ingest`. */
async function copyDrop(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    if (STREAMED.has(name.replace(/\.csv$/, ''))) continue;
    await copyFile(path.join(from, name), path.join(to, name));
  }
}

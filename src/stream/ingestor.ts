/**
 * The landing side of a consumer, free of MQTT: messages go into the write-ahead log, are
 * decoded and checked at once (so detection sees them live), gather in a micro-batch, and the
 * batch lands as one load of the append entities through the ingest library.
 *
 * Commit protocol, per batch [from, to) of the log:
 *   1. the log is durable up to `to` (messages were acknowledged only once durable);
 *   2. `landing.json` = {from, to} is written: the batch is being landed;
 *   3. dead letters of the batch -> `_stream/dead-letters/<consumer>/<from>-<to>.ndjson`;
 *   4. the batch's rows -> `_stream/<consumer>/batches/<from>-<to>/` -> `ingestDrop` (one load);
 *   5. `checkpoint.json` = {offset: to, pending}; `landing.json` removed; landed log segments dropped.
 * After a kill anywhere, `open` lands exactly [from, to) again if `landing.json` is there (the
 * same rows: the load is recognised as `unchanged`, or upserts onto itself), then replays the
 * log after the checkpoint. Keys make every replay harmless: a row's key upserts.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { readJsonIfExists, writeFileAtomic } from '../lake/atomic.js';
import { LakeLayout } from '../lake/layout.js';
import { readManifest } from '../lake/manifest.js';
import { timed } from '../util/timing.js';
import { type AlertLike, AlertStore } from './alerts.js';
import { Batch, writeBatchDrop } from './batch.js';
import { type Count, decodeMessage, type Reading, type StateChange } from './contract.js';
import { type DeadLetter, writeDeadLetters } from './dead-letters.js';
import { type LakeMaster, readLakeMaster } from './lake-state.js';
import { LandingWorker } from './lander.js';
import { consumerDir } from './paths.js';
import { type PendingRunning, resolveStates } from './states.js';
import { WriteAheadLog } from './wal.js';

export interface RaisedAlert {
  alert: AlertLike;
  /** open, update or close. */
  event: string;
}

/** The detection hook: told every decoded reading, count and state; returns alert events raised. */
export interface StreamDetector {
  reading(reading: Reading): RaisedAlert[] | undefined;
  count?(count: Count): void;
  state?(state: StateChange): void;
  /** Closes what is open (at shutdown). */
  flush?(): RaisedAlert[] | undefined;
  /** Live OEE of the running shift per machine as of a data time (ms). */
  liveOee?(asOf: number): unknown[];
}

export type DetectorFactory = (master: LakeMaster) => StreamDetector;

export interface IngestorOptions {
  lake: string;
  /** The consumer's name: its folder under `_stream/` (and its MQTT client id). */
  consumer: string;
  topicPrefix: string;
  /** Land when a batch holds this many rows ... */
  batchRows?: number;
  /** ... or is this old (ms). */
  batchMs?: number;
  /** In a shared subscription a `running` may wait for its stop from another consumer. */
  shared?: boolean;
  detector?: DetectorFactory;
  /** Told every alert event as it is stored. */
  onAlert?: (alert: AlertLike & { event: string; raised_at: string }) => void;
  onLanded?: (landed: LandedBatch) => void;
  onError?: (error: unknown) => void;
  /** How long a load waits for another writer of the lake (s). */
  waitSeconds?: number;
}

export interface LandedBatch {
  from: number;
  to: number;
  load_id: string | null;
  status: 'committed' | 'failed' | 'unchanged' | 'empty';
  messages: number;
  readings: number;
  counts: number;
  events: number;
  dead_letters: number;
  rows_quarantined: number;
  ms: number;
}

interface Checkpoint {
  consumer: string;
  offset: number;
  pending: PendingRunning[];
  last_load_id: string | null;
  updated_at: string;
}

export interface IngestorStats {
  messages: number;
  readings: number;
  counts: number;
  states: number;
  dead_letters: number;
  loads: number;
  rows_landed: number;
  rows_quarantined: number;
  landed_offset: number;
  alerts: number;
}

export class StreamIngestor {
  readonly stats: IngestorStats = {
    messages: 0,
    readings: 0,
    counts: 0,
    states: 0,
    dead_letters: 0,
    loads: 0,
    rows_landed: 0,
    rows_quarantined: 0,
    landed_offset: 0,
    alerts: 0,
  };
  private batch: Batch;
  private landing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private masterLoads = '';
  private detector: StreamDetector | undefined;
  private readonly alerts: AlertStore;
  private alertTimer: NodeJS.Timeout | undefined;
  private readonly batchRows: number;
  private readonly batchMs: number;
  private retryAt = 0;
  /** The latest data time (ms) seen in counts and states: live OEE's clock. */
  private dataClock = 0;
  private oeeTimer: NodeJS.Timeout | undefined;
  private readonly worker = new LandingWorker();

  private constructor(
    readonly options: IngestorOptions,
    readonly wal: WriteAheadLog,
    private checkpoint: Checkpoint,
    private master: LakeMaster,
  ) {
    this.batchRows = options.batchRows ?? 100_000;
    this.batchMs = options.batchMs ?? 2000;
    this.batch = new Batch(checkpoint.offset);
    this.stats.landed_offset = checkpoint.offset;
    this.alerts = new AlertStore(options.lake);
    this.detector = options.detector?.(master);
  }

  get dir(): string {
    return consumerDir(this.options.lake, this.options.consumer);
  }

  /** Opens the consumer's log, lands a batch a crash left half-landed, and replays the rest. */
  static async open(options: IngestorOptions): Promise<StreamIngestor> {
    const dir = consumerDir(options.lake, options.consumer);
    const wal = await WriteAheadLog.open(path.join(dir, 'wal'));
    const checkpoint = (await readJsonIfExists<Checkpoint>(path.join(dir, 'checkpoint.json'))) ?? {
      consumer: options.consumer,
      offset: 0,
      pending: [],
      last_load_id: null,
      updated_at: new Date().toISOString(),
    };
    const master = await readLakeMaster(options.lake);
    const ingestor = new StreamIngestor(options, wal, checkpoint, master);
    ingestor.masterLoads = await ingestor.masterSignature();
    const intent = await readJsonIfExists<{ from: number; to: number }>(path.join(dir, 'landing.json'));
    if (intent && intent.from === checkpoint.offset && intent.to <= wal.durableOffset) {
      for (const record of wal.read(intent.from, intent.to))
        ingestor.decodeInto(record.topic, record.payload, record.receivedMs, record.offset, record.end);
      await ingestor.landNow();
    }
    for (const record of wal.read(ingestor.batch.to))
      ingestor.decodeInto(record.topic, record.payload, record.receivedMs, record.offset, record.end);
    ingestor.timer = setInterval(
      () => ingestor.maybeLand(),
      Math.max(50, Math.min(ingestor.batchMs / 4, 500)),
    );
    ingestor.alertTimer = setInterval(() => void ingestor.alerts.flush().catch(options.onError), 250);
    ingestor.oeeTimer = setInterval(() => void ingestor.writeLiveOee().catch(options.onError), 5000);
    return ingestor;
  }

  /**
   * `<lake>/_meta/live/oee-<consumer>.json`: the running shift's OEE cell per machine, as of the
   * latest data time the consumer has seen, replaced every 5 s.
   */
  async writeLiveOee(): Promise<void> {
    if (!this.detector?.liveOee || this.dataClock === 0) return;
    const cells = this.detector.liveOee(this.dataClock);
    await writeFileAtomic(
      path.join(this.options.lake, '_meta', 'live', `oee-${this.options.consumer}.json`),
      `${JSON.stringify({ consumer: this.options.consumer, as_of: new Date(this.dataClock).toISOString(), written_at: new Date().toISOString(), cells }, null, 2)}\n`,
    );
  }

  /** Lake master data (machines, reasons, specs) as the consumer knows it. */
  get knownMachines(): number {
    return this.master.machines.size;
  }

  /**
   * A delivered message: appended to the log (durable at the next `sync`) and decoded into
   * the open batch. Returns the log offset the message is durable at.
   */
  receive(topic: string, payload: Buffer, receivedMs = Date.now()): number {
    const offset = this.wal.endOffset;
    const end = this.wal.append(topic, payload, receivedMs);
    this.decodeInto(topic, payload, receivedMs, offset, end);
    if (this.batch.rows >= this.batchRows) this.maybeLand();
    return end;
  }

  /** Flushes the log; resolves with the offset up to which messages are durable. */
  sync(): Promise<number> {
    return this.wal.sync();
  }

  /** Rows waiting to land (the open batch). */
  get backlog(): number {
    return this.batch.rows;
  }

  private decodeInto(topic: string, payload: Buffer, receivedMs: number, offset: number, end: number): void {
    const decoded = decodeMessage(topic, payload, this.options.topicPrefix, this.master);
    const batch = this.batch;
    batch.messages++;
    batch.to = end;
    this.stats.messages++;
    // Only dead letters and states carry the receipt time: most messages never format it.
    const receivedAt =
      decoded.rejected.length > 0 || decoded.states.length > 0 ? new Date(receivedMs).toISOString() : '';
    for (const rejected of decoded.rejected) {
      const letter: DeadLetter = {
        id: `${this.options.consumer}:${offset}${rejected.index === null ? '' : `:${rejected.index}`}`,
        consumer: this.options.consumer,
        received_at: receivedAt,
        topic,
        payload: rejected.payload,
        index: rejected.index,
        reasons: rejected.reasons,
      };
      batch.deadLetters.push(letter);
    }
    this.stats.dead_letters += decoded.rejected.length;
    const detector = this.detector;
    for (const reading of decoded.readings) {
      batch.addReading(reading);
      if (detector) {
        const raised = detector.reading(reading);
        if (raised) for (const { alert, event } of raised) this.storeAlert(alert, event);
      }
    }
    for (const count of decoded.counts) {
      batch.addCount(count);
      detector?.count?.(count);
      if (count.interval_end > this.dataClock) this.dataClock = count.interval_end;
    }
    for (const state of decoded.states) {
      batch.states.push(state);
      batchStateSource.set(state, { offset, topic, receivedAt });
      detector?.state?.(state);
      if (state.ts > this.dataClock) this.dataClock = state.ts;
    }
    this.stats.readings += decoded.readings.length;
    this.stats.counts += decoded.counts.length;
    this.stats.states += decoded.states.length;
  }

  private storeAlert(alert: AlertLike, event: string): void {
    const record = this.alerts.add(alert, event);
    this.stats.alerts++;
    this.options.onAlert?.(record);
  }

  private maybeLand(): void {
    if (this.landing || this.closed || Date.now() < this.retryAt) return;
    const batch = this.batch;
    const full = batch.rows >= this.batchRows;
    const due =
      Date.now() - batch.openedAt >= this.batchMs &&
      (batch.messages > 0 || this.checkpoint.pending.length > 0);
    if (!full && !due) return;
    this.landing = this.landNow()
      .then(() => undefined)
      .catch((error) => {
        // Try again in a while (the lake may be busy or the disk full); nothing is lost meanwhile.
        this.retryAt = Date.now() + 5000;
        this.options.onError?.(error);
      })
      .finally(() => {
        this.landing = undefined;
      });
  }

  /** Lands the open batch now (waiting for a landing in progress first). */
  async landNow(): Promise<LandedBatch | undefined> {
    while (this.landing) await this.landing;
    const batch = this.batch;
    if (batch.messages === 0 && this.checkpoint.pending.length === 0) return undefined;
    this.batch = new Batch(batch.to);
    try {
      return await this.land(batch);
    } catch (error) {
      // Not landed: put the batch back in front so nothing is lost; the next attempt lands it whole.
      this.batch = mergeBatches(batch, this.batch);
      throw error;
    }
  }

  private async land(batch: Batch): Promise<LandedBatch> {
    const started = Date.now();
    const { lake, consumer } = this.options;
    if (this.wal.durableOffset < batch.to) await timed('stream: log sync', () => this.wal.syncTo(batch.to));
    await writeFileAtomic(
      path.join(this.dir, 'landing.json'),
      JSON.stringify({ from: batch.from, to: batch.to }),
    );

    // States: applied on top of what the lake knows of their machines.
    let events: Awaited<ReturnType<typeof resolveStates>>['events'] = [];
    let pending = this.checkpoint.pending;
    if (batch.states.length > 0 || pending.length > 0) {
      const machines = [
        ...new Set([...batch.states, ...pending.map((p) => p.change)].map((s) => s.machine_id)),
      ];
      const known = await this.worker.streamEvents(lake, machines);
      const resolution = resolveStates(known, pending, batch.states, {
        defaultReason: this.master.defaultReason ?? 'UNKNOWN',
        waitForStops: this.options.shared ?? false,
        now: Date.now(),
      });
      events = resolution.events;
      pending = resolution.pending;
      for (const rejected of resolution.rejected) {
        const source = batchStateSource.get(rejected.change);
        batch.deadLetters.push({
          id: `${consumer}:${source?.offset ?? batch.from}:state-${rejected.change.ts}`,
          consumer,
          received_at: source?.receivedAt ?? new Date().toISOString(),
          topic: source?.topic ?? '',
          payload: JSON.stringify({
            ts: new Date(rejected.change.ts).toISOString(),
            state: rejected.change.state,
            ...(rejected.change.reason_code ? { reason_code: rejected.change.reason_code } : {}),
          }),
          index: null,
          reasons: [{ code: rejected.code, field: 'ts', message: rejected.message, fix: rejected.fix }],
        });
        this.stats.dead_letters++;
      }
    }
    await writeDeadLetters(lake, consumer, batch.from, batch.to, batch.deadLetters);

    const dropDir = path.join(this.dir, 'batches', `${pad(batch.from)}-${pad(batch.to)}`);
    await rm(dropDir, { recursive: true, force: true });
    const written = await timed('stream: write batch drop', () => writeBatchDrop(dropDir, batch, events));
    const rows = Object.values(written).reduce((sum, n) => sum + n, 0);
    let loadId: string | null = null;
    let status: LandedBatch['status'] = 'empty';
    let quarantined = 0;
    if (rows > 0) {
      // Stream rows were checked on arrival; what the lake's rules still reject (an unknown
      // order, an overlapping interval) is quarantined row by row (limit 1), never failing the batch.
      const result = await timed('stream: ingest batch', () =>
        this.worker.ingest(lake, dropDir, this.options.waitSeconds ?? 3600),
      );
      if (result.status === 'failed') {
        throw new Error(
          `landing batch ${batch.from}-${batch.to} failed as load ${result.load.load_id}: ${result.load.error?.message ?? 'unknown error'}`,
        );
      }
      loadId = result.load.load_id;
      status = result.status;
      quarantined = result.status === 'committed' ? result.load.rows_quarantined : 0;
    }
    this.checkpoint = {
      consumer,
      offset: batch.to,
      pending,
      last_load_id: loadId ?? this.checkpoint.last_load_id,
      updated_at: new Date().toISOString(),
    };
    await writeFileAtomic(
      path.join(this.dir, 'checkpoint.json'),
      `${JSON.stringify(this.checkpoint, null, 2)}\n`,
    );
    await rm(path.join(this.dir, 'landing.json'), { force: true });
    await rm(dropDir, { recursive: true, force: true });
    await this.wal.dropBefore(batch.to);
    for (const state of batch.states) batchStateSource.delete(state);

    if (status === 'committed') {
      this.stats.loads++;
      this.stats.rows_landed += rows - quarantined;
      this.stats.rows_quarantined += quarantined;
    }
    this.stats.landed_offset = batch.to;
    await this.refreshMaster();
    const landed: LandedBatch = {
      from: batch.from,
      to: batch.to,
      load_id: loadId,
      status,
      messages: batch.messages,
      readings: written.sensor_readings ?? 0,
      counts: written.production_counts ?? 0,
      events: written.downtime_events ?? 0,
      dead_letters: batch.deadLetters.length,
      rows_quarantined: quarantined,
      ms: Date.now() - started,
    };
    this.options.onLanded?.(landed);
    return landed;
  }

  /** Master data changed in the lake (someone ingested a drop): check topics against the new one. */
  private async masterSignature(): Promise<string> {
    const manifest = await readManifest(new LakeLayout(this.options.lake));
    return ['machines', 'lines', 'downtime_reasons', 'sensor_specs']
      .map((entity) => manifest?.entities[entity]?.partitions.map((p) => p.loadId).join(',') ?? '')
      .join('|');
  }

  private async refreshMaster(): Promise<void> {
    const signature = await this.masterSignature();
    if (signature === this.masterLoads) return;
    this.masterLoads = signature;
    this.master = await readLakeMaster(this.options.lake);
  }

  private stop(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.alertTimer);
    clearInterval(this.oeeTimer);
  }

  /** Lands everything received, then closes the log. */
  async close(): Promise<void> {
    this.stop();
    while (this.landing) await this.landing;
    await this.wal.sync();
    if (this.batch.messages > 0) await this.landNow();
    for (const { alert, event } of this.detector?.flush?.() ?? []) this.storeAlert(alert, event);
    await this.alerts.flush();
    await this.writeLiveOee();
    await this.wal.close();
    await this.worker.close();
  }

  /** Stops without landing (tests: as if killed after the last sync). */
  async abandon(): Promise<void> {
    this.stop();
    while (this.landing) await this.landing.catch(() => undefined);
    await this.wal.close();
    await this.worker.close();
  }
}

/** Where a state change came from, for its dead letter if the lake contradicts it. */
const batchStateSource = new WeakMap<StateChange, { offset: number; topic: string; receivedAt: string }>();

function pad(offset: number): string {
  return String(offset).padStart(16, '0');
}

/** A batch that failed to land followed by what arrived meanwhile, as one batch. */
function mergeBatches(first: Batch, second: Batch): Batch {
  const merged = new Batch(first.from);
  for (const part of [first, second]) {
    for (const reading of part.finalReadings()) merged.addReading(reading);
    for (const count of part.counts) if (count) merged.addCount(count);
    merged.states.push(...part.states);
    merged.deadLetters.push(...part.deadLetters);
    merged.messages += part.messages;
  }
  merged.to = second.messages > 0 ? second.to : first.to;
  return merged;
}

/**
 * A simulated stream with ground truth for the detection-quality test (and the benchmark):
 * src/generate's factory, its readings and downtime events merged into one time-ordered feed,
 * and the truth's anomalies (drifts before failures, spikes).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Alert, DetectorOptions } from '../../../src/stream/detect/index.js';
import { Detector } from '../../../src/stream/detect/index.js';

export interface FeedReading {
  kind: 0;
  ts: number;
  machine: string;
  sensor: string;
  value: number;
  quality: string;
}

export interface FeedState {
  kind: 1;
  ts: number;
  machine: string;
  running: boolean;
}

export type FeedItem = FeedReading | FeedState;

export interface Anomaly {
  id: string;
  machine: string;
  sensor: string;
  kind: 'drift' | 'spike';
  start: number;
  end: number;
}

export interface Spec {
  machine_id: string;
  sensor: string;
  lsl: number | null;
  usl: number | null;
}

/** RFC 4180 rows without the header (notes may hold quoted commas and line breaks). */
function csv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows.slice(1);
}

const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

/** Reads a generated drop and its truth folder. */
export async function readSimulation(drop: string, truth: string) {
  const readings = csv(await readFile(path.join(drop, 'sensor_readings.csv'), 'utf8'));
  const events = csv(await readFile(path.join(drop, 'downtime_events.csv'), 'utf8'));
  const specs: Spec[] = csv(await readFile(path.join(drop, 'sensor_specs.csv'), 'utf8')).map((r) => ({
    machine_id: r[0]!,
    sensor: r[1]!,
    lsl: num(r[3]),
    usl: num(r[4]),
  }));
  const anomalies: Anomaly[] = csv(await readFile(path.join(truth, 'anomalies.csv'), 'utf8')).map((r) => ({
    id: r[0]!,
    machine: r[1]!,
    sensor: r[2]!,
    kind: r[3] as 'drift' | 'spike',
    start: Date.parse(r[4]!),
    end: Date.parse(r[5]!),
  }));
  const feed: FeedItem[] = readings.map((r) => ({
    kind: 0,
    machine: r[0]!,
    sensor: r[1]!,
    ts: Date.parse(r[2]!),
    value: Number(r[3]),
    quality: r[4] || 'good',
  }));
  // The state channel: stopped while any downtime event of the machine is open.
  const edges: { ts: number; machine: string; delta: number }[] = [];
  const lastTs = feed.reduce((m, r) => Math.max(m, r.ts), 0);
  for (const e of events) {
    edges.push({ ts: Date.parse(e[2]!), machine: e[1]!, delta: 1 });
    edges.push({ ts: e[3] ? Date.parse(e[3]) : lastTs + 1, machine: e[1]!, delta: -1 });
  }
  edges.sort((a, b) => a.ts - b.ts || a.delta - b.delta);
  const open = new Map<string, number>();
  for (const edge of edges) {
    const before = open.get(edge.machine) ?? 0;
    const after = before + edge.delta;
    open.set(edge.machine, after);
    if ((before === 0) !== (after === 0))
      feed.push({ kind: 1, ts: edge.ts, machine: edge.machine, running: after === 0 });
  }
  // Time order; at one instant the state change first (a reading at a stop's start is stopped).
  feed.sort((a, b) => a.ts - b.ts || b.kind - a.kind);
  return { feed, specs, anomalies };
}

/** Feeds the stream to a detector; returns the closed alerts. */
export function detect(
  feed: readonly FeedItem[],
  options: DetectorOptions,
): { alerts: Alert[]; detector: Detector } {
  const alerts: Alert[] = [];
  const detector = new Detector({
    ...options,
    onAlert: (alert, event) => {
      if (event === 'close') alerts.push(alert);
    },
  });
  for (const item of feed) {
    if (item.kind === 0) detector.reading(item.machine, item.sensor, item.ts, item.value, item.quality);
    else detector.machineState(item.machine, item.running);
  }
  detector.flush();
  return { alerts, detector };
}

export interface FamilyScore {
  alerts: number;
  truePositives: number;
  precision: number | null;
  /** Anomalies of each kind found by at least one alert of the family. */
  recall: Record<'drift' | 'spike', { found: number; of: number; recall: number | null }>;
}

/**
 * An alert is right when its span [first_ts, last_ts] meets an anomaly of its machine and sensor,
 * the anomaly's window extended by `lagMs` (EWMA and CUSUM react after the fact, and a drift's
 * effect lasts until the machine stops at the failure).
 */
export function score(
  alerts: readonly Alert[],
  anomalies: readonly Anomaly[],
  lagMs: number,
): Record<string, FamilyScore> {
  const byFamily: Record<string, FamilyScore> = {};
  const key = (machine: string, sensor: string) => `${machine}\u0000${sensor}`;
  const truth = new Map<string, Anomaly[]>();
  for (const a of anomalies)
    truth.set(key(a.machine, a.sensor), [...(truth.get(key(a.machine, a.sensor)) ?? []), a]);
  const families = ['western_electric', 'ewma', 'cusum', 'spec'];
  for (const family of families) {
    const mine = alerts.filter((a) => a.family === family);
    const found = new Set<string>();
    let tp = 0;
    for (const alert of mine) {
      const first = Date.parse(alert.first_ts);
      const last = Date.parse(alert.last_ts);
      const hits = (truth.get(key(alert.machine_id, alert.sensor)) ?? []).filter(
        (a) => first < a.end + lagMs && last >= a.start,
      );
      if (hits.length > 0) tp++;
      for (const h of hits) found.add(h.id);
    }
    const recall = (kind: 'drift' | 'spike') => {
      const of = anomalies.filter((a) => a.kind === kind);
      const n = of.filter((a) => found.has(a.id)).length;
      return { found: n, of: of.length, recall: of.length === 0 ? null : n / of.length };
    };
    byFamily[family] = {
      alerts: mine.length,
      truePositives: tp,
      precision: mine.length === 0 ? null : tp / mine.length,
      recall: { drift: recall('drift'), spike: recall('spike') },
    };
  }
  return byFamily;
}

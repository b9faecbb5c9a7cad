/**
 * Stream and batch raise the same Western Electric violations over the same readings: seeded
 * series (shifts, drifts, spikes, points exactly on CL, bad and uncertain readings) go through
 * ingest → buildWarehouse → mart_spc_limits / mart_spc_violations, and through the Detector in
 * time order; limits and every violation (ts, rule, side, points) must be equal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Detector, type WeViolation } from '../../../src/stream/detect/index.js';
import { buildMarts, type MartLake } from '../../marts/support.js';
import { validDrop, withLines } from '../../support/drop.js';
import { seeded } from '../support/seeded.js';

interface Reading {
  machine: string;
  sensor: string;
  ts: number;
  value: number;
  quality: string;
}

/**
 * Values are multiples of 0.25, so every sum is exact and the baseline mean (paired ±d around
 * 50) is exactly 50: readings of 50 lie exactly on CL in both engines.
 */
function series(machine: string, sensor: string, seed: number): Reading[] {
  const random = seeded(seed);
  const step = (max: number) => Math.round((random() * 2 - 1) * max * 4) / 4;
  const out: Reading[] = [];
  const t0 = Date.parse('2026-03-10T00:00:00Z');
  const offsets: number[] = [];
  for (let i = 0; i < 50; i++) {
    const d = step(2);
    offsets.push(d, -d);
  }
  // Shuffle the baseline so its moving ranges vary.
  for (let i = offsets.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [offsets[i], offsets[j]] = [offsets[j]!, offsets[i]!];
  }
  let k = 0;
  const push = (value: number, quality = 'good') =>
    out.push({ machine, sensor, ts: t0 + k++ * 60_000 + (seed % 7) * 1000, value, quality });
  for (const d of offsets) {
    push(50 + d);
    if (random() < 0.05) push(500, random() < 0.5 ? 'bad' : 'uncertain'); // not part of the baseline
  }
  for (let i = 0; i < 600; i++) {
    const phase = Math.floor(i / 100);
    // In control, then up 1.5, down 2, a drift, in control with spikes, a small shift up.
    const shift = [0, 1.5, -2, (i % 100) * 0.04, 0, 0.75][phase]!;
    let value = 50 + shift + step(1.75);
    if (random() < 0.06) value = 50; // exactly on CL
    if (phase === 4 && random() < 0.05) value += random() < 0.5 ? 6 : -6;
    push(value);
    if (random() < 0.03) push(random() * 100, 'bad');
  }
  return out;
}

const READINGS: Reading[] = [
  ...series('M1', 'temperature_c', 1),
  ...series('M1', 'pressure_bar', 2),
  ...series('M2', 'temperature_c', 3),
  ...series('M2', 'vibration_mm_s', 4),
];

const key = (v: {
  machine_id: string;
  sensor: string;
  ts: number;
  rule: number;
  side: string;
  point_ts: number[];
}) =>
  `${v.machine_id}|${v.sensor}|${new Date(v.ts).toISOString()}|${v.rule}|${v.side}|${v.point_ts.map((t) => new Date(t).toISOString()).join(',')}`;

describe('Western Electric rules: stream equals the batch mart', () => {
  let lake: MartLake;

  before(async () => {
    const lines = READINGS.map(
      (r) => `${r.machine},${r.sensor},${new Date(r.ts).toISOString()},${r.value},${r.quality}`,
    );
    const drop = { ...validDrop(), 'sensor_readings.csv': 'machine_id,sensor,ts,value,quality\n' };
    lake = await buildMarts(withLines(drop, 'sensor_readings.csv', ...lines), ['+mart_spc_violations']);
  });
  after(async () => lake?.dispose());

  it('same limits and the same violations, point for point', async () => {
    const violations: WeViolation[] = [];
    const detector = new Detector({ onViolation: (v) => violations.push(v) });
    // The stream's order: time order across every series.
    const ordered = [...READINGS].sort((a, b) => a.ts - b.ts);
    for (const r of ordered) detector.reading(r.machine, r.sensor, r.ts, r.value, r.quality);

    const limits = await lake.query<{
      machine_id: string;
      sensor: string;
      cl: number;
      sigma: number;
      baseline_end_ts: unknown;
    }>(
      `select machine_id, sensor, cl, sigma, baseline_end_ts from mart_spc_limits where limits_status = 'ok'`,
    );
    assert.equal(limits.length, 4);
    for (const l of limits) {
      const s = detector.limits(l.machine_id, l.sensor);
      assert.ok(s !== null, `stream limits for ${l.machine_id} ${l.sensor}`);
      assert.equal(s.cl, 50, 'the paired baseline has CL exactly 50');
      assert.equal(s.cl, l.cl, `${l.machine_id} ${l.sensor} CL`);
      assert.ok(Math.abs(s.sigma - l.sigma) <= 1e-12 * l.sigma, `${l.machine_id} ${l.sensor} sigma`);
      assert.equal(s.baseline_end_ts, Date.parse(String(l.baseline_end_ts)));
    }

    const batch = await lake.query<{
      machine_id: string;
      sensor: string;
      ts: unknown;
      rule: number;
      side: string;
      point_ts: unknown[];
    }>('select machine_id, sensor, ts, rule, side, point_ts from mart_spc_violations');
    const batchKeys = batch
      .map((v) =>
        key({
          machine_id: v.machine_id,
          sensor: v.sensor,
          ts: Date.parse(String(v.ts)),
          rule: Number(v.rule),
          side: v.side,
          point_ts: v.point_ts.map((t) => Date.parse(String(t))),
        }),
      )
      .sort();
    const streamKeys = violations.map(key).sort();
    // The series must exercise every rule on both sides, else the comparison proves little.
    for (const rule of [1, 2, 3, 4]) {
      for (const side of ['upper', 'lower']) {
        assert.ok(
          violations.some((v) => v.rule === rule && v.side === side),
          `rule ${rule} ${side} occurs`,
        );
      }
    }
    assert.ok(batchKeys.length > 100, `${batchKeys.length} violations`);
    assert.deepEqual(streamKeys, batchKeys);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENTITY_NAMES } from '../../src/generate/index.js';
import { type CsvTable, type TempDrop, tempDrop } from './csv.js';

const seconds = (ts: string) => Date.parse(ts) / 1000;

interface Drop {
  drop: TempDrop;
  t: Record<string, CsvTable>;
  truth: Record<string, CsvTable>;
}

async function load(options: Parameters<typeof tempDrop>[0]): Promise<Drop> {
  const drop = await tempDrop(options);
  const t: Record<string, CsvTable> = {};
  for (const entity of ENTITY_NAMES) t[entity] = await drop.table(entity);
  const truth: Record<string, CsvTable> = {};
  for (const name of ['failures', 'anomalies', 'bad_rows']) truth[name] = await drop.truthTable(name);
  return { drop, t, truth };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The shift of a plant that contains an instant. */
function shiftFinder(d: Drop) {
  const byPlant = groupBy(d.t.shifts!.rows, (s) => s.plant_id!);
  const plantOfMachine = new Map<string, string>();
  const plantOfLine = new Map(d.t.lines!.rows.map((l) => [l.line_id!, l.plant_id!]));
  for (const m of d.t.machines!.rows) plantOfMachine.set(m.machine_id!, plantOfLine.get(m.line_id!)!);
  return (machineId: string, instant: number) =>
    byPlant
      .get(plantOfMachine.get(machineId)!)!
      .find((s) => seconds(s.start_ts!) <= instant && instant < seconds(s.end_ts!));
}

const drops: Record<string, Drop> = {};

describe('generate: a consistent factory', () => {
  before(async () => {
    drops.tiny = await load({ seed: 5 });
    drops.threePlants = await load({ seed: 8, plants: 3, days: 3, start: '2026-03-07' });
  });
  after(async () => {
    for (const d of Object.values(drops)) await d.drop.cleanup();
  });

  for (const name of ['tiny', 'threePlants']) {
    describe(name, () => {
      test('counts: ideal time fits the interval (speed <= 1), rejects <= total, order, product, line and routing agree', () => {
        const d = drops[name]!;
        const cycle = new Map(
          d.t.routings!.rows.map((r) => [`${r.machine_id}|${r.product_id}`, Number(r.ideal_cycle_time_s)]),
        );
        const orders = new Map(d.t.production_orders!.rows.map((o) => [o.order_id!, o]));
        const lineOf = new Map(d.t.machines!.rows.map((m) => [m.machine_id!, m.line_id!]));
        let ideal = 0;
        let length = 0;
        for (const c of d.t.production_counts!.rows) {
          const interval = seconds(c.interval_end!) - seconds(c.interval_start!);
          const key = `${c.machine_id}|${c.product_id}`;
          assert.ok(cycle.has(key), `routing for ${key}`);
          assert.ok(
            Number(c.total_count) * cycle.get(key)! <= interval + 1e-9,
            `speed <= 1: ${JSON.stringify(c)}`,
          );
          assert.ok(Number(c.reject_count) <= Number(c.total_count) && Number(c.reject_count) >= 0);
          const order = orders.get(c.order_id!)!;
          assert.equal(order.product_id, c.product_id);
          assert.equal(order.line_id, lineOf.get(c.machine_id!));
          ideal += Number(c.total_count) * cycle.get(key)!;
          length += interval;
        }
        const performance = ideal / length;
        assert.ok(performance > 0.5 && performance < 0.98, `ideal share of interval time ${performance}`);
      });

      test('count intervals of a machine never overlap and each lies in one shift', () => {
        const d = drops[name]!;
        const shiftOf = shiftFinder(d);
        for (const [machine, rows] of groupBy(d.t.production_counts!.rows, (c) => c.machine_id!)) {
          const sorted = rows
            .map((c) => [seconds(c.interval_start!), seconds(c.interval_end!)] as const)
            .sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < sorted.length; i++)
            assert.ok(sorted[i]![0] >= sorted[i - 1]![1], `${machine} overlap`);
          for (const [start, end] of sorted) {
            const shift = shiftOf(machine, start);
            assert.ok(shift && end <= seconds(shift.end_ts!), `${machine} interval at ${start} in one shift`);
          }
        }
      });

      test('per machine and shift, scrap + rework defects <= rejects', () => {
        const d = drops[name]!;
        const shiftOf = shiftFinder(d);
        const rejects = new Map<string, number>();
        for (const c of d.t.production_counts!.rows) {
          const key = `${c.machine_id}|${shiftOf(c.machine_id!, seconds(c.interval_start!))!.shift_id}`;
          rejects.set(key, (rejects.get(key) ?? 0) + Number(c.reject_count));
        }
        const documented = new Map<string, number>();
        const dispositions = new Set<string>();
        for (const defect of d.t.defects!.rows) {
          dispositions.add(defect.disposition!);
          const shift = shiftOf(defect.machine_id!, seconds(defect.detected_at!));
          assert.ok(shift, `defect ${defect.defect_id} in a shift`);
          if (defect.disposition === 'use_as_is') continue;
          const key = `${defect.machine_id}|${shift.shift_id}`;
          documented.set(key, (documented.get(key) ?? 0) + Number(defect.quantity));
        }
        for (const [key, quantity] of documented)
          assert.ok(quantity <= (rejects.get(key) ?? 0), `${key}: ${quantity} > rejects`);
        assert.ok(dispositions.has('scrap') && dispositions.has('rework'));
        const batchOrder = new Map(d.t.batches!.rows.map((b) => [b.batch_id!, b.order_id!]));
        for (const defect of d.t.defects!.rows) {
          if (defect.batch_id) assert.equal(batchOrder.get(defect.batch_id), defect.order_id);
        }
      });

      test('shifts of a plant never overlap, and a daylight-saving day changes a shift length in UTC', () => {
        const d = drops[name]!;
        const lengths = new Set<number>();
        for (const [, shifts] of groupBy(d.t.shifts!.rows, (s) => s.plant_id!)) {
          const sorted = shifts
            .map((s) => [seconds(s.start_ts!), seconds(s.end_ts!)] as const)
            .sort((a, b) => a[0] - b[0]);
          for (let i = 0; i < sorted.length; i++) {
            assert.ok(sorted[i]![1] > sorted[i]![0]);
            if (i > 0) assert.ok(sorted[i]![0] >= sorted[i - 1]![1], 'shifts overlap');
            lengths.add((sorted[i]![1] - sorted[i]![0]) / 3600);
          }
        }
        assert.ok(
          [7, 9, 11, 13].some((hours) => lengths.has(hours)),
          `shift lengths ${[...lengths]}`,
        );
      });

      test('every failure in the truth has its breakdown event and a corrective work order at the failure', () => {
        const d = drops[name]!;
        const failures = d.truth.failures!.rows;
        assert.ok(failures.length >= 1);
        const events = new Map(d.t.downtime_events!.rows.map((e) => [e.event_id!, e]));
        const reasons = new Map(d.t.downtime_reasons!.rows.map((r) => [r.reason_code!, r]));
        const orders = new Map(d.t.maintenance_orders!.rows.map((o) => [o.work_order_id!, o]));
        for (const f of failures) {
          const event = events.get(f.downtime_event_id!);
          assert.ok(event, `event ${f.downtime_event_id}`);
          assert.equal(event.machine_id, f.machine_id);
          assert.equal(event.start_ts, f.failure_start);
          assert.equal(event.end_ts, f.failure_end);
          assert.equal(reasons.get(event.reason_code!)!.loss_category, 'breakdown');
          assert.ok(seconds(f.failure_end!) - seconds(f.failure_start!) >= 300);
          const order = orders.get(f.work_order_id!);
          assert.ok(order, `work order ${f.work_order_id}`);
          assert.equal(order.kind, 'corrective');
          assert.equal(order.machine_id, f.machine_id);
          assert.equal(order.failure_at, f.failure_start);
          assert.equal(order.failure_mode, f.failure_mode);
          assert.ok(
            seconds(order.repair_start!) >= seconds(f.failure_start!) &&
              seconds(order.repair_end!) <= seconds(f.failure_end!),
          );
        }
        const corrective = d.t.maintenance_orders!.rows.filter((o) => o.kind === 'corrective');
        assert.equal(corrective.length, failures.length);
        assert.ok(d.t.maintenance_orders!.rows.some((o) => o.kind === 'preventive'));
      });

      test('sensors drift in the 24 h before a failure and spike where the truth says', () => {
        const d = drops[name]!;
        const readings = groupBy(
          d.t.sensor_readings!.rows.filter((r) => r.quality === 'good'),
          (r) => `${r.machine_id}|${r.sensor}`,
        );
        const anomalies = d.truth.anomalies!.rows;
        const failureIds = new Set(d.truth.failures!.rows.map((f) => f.failure_id));
        const drifts = anomalies.filter((a) => a.kind === 'drift');
        assert.ok(drifts.length > 0 && anomalies.some((a) => a.kind === 'spike'));
        // Drives read idle values while stopped: compare readings taken while the machine produced.
        const producing = groupBy(
          d.t.production_counts!.rows.filter((c) => Number(c.total_count) > 0),
          (c) => c.machine_id!,
        );
        const runningAt = (machine: string, instant: number) =>
          (producing.get(machine) ?? []).some(
            (c) => seconds(c.interval_start!) <= instant && instant < seconds(c.interval_end!),
          );
        let checked = 0;
        for (const a of drifts) {
          assert.ok(failureIds.has(a.failure_id));
          const series = readings
            .get(`${a.machine_id}|${a.sensor}`)!
            .filter((r) => runningAt(a.machine_id!, seconds(r.ts!)));
          const end = seconds(a.end_ts!);
          const late = series
            .filter((r) => seconds(r.ts!) >= end - 4 * 3600 && seconds(r.ts!) < end)
            .map((r) => Number(r.value));
          const quiet = series.filter(
            (r) =>
              !drifts.some(
                (x) =>
                  x.machine_id === a.machine_id &&
                  x.sensor === a.sensor &&
                  seconds(r.ts!) >= seconds(x.start_ts!) &&
                  seconds(r.ts!) < seconds(x.end_ts!),
              ),
          );
          const normal = quiet.map((r) => Number(r.value));
          const median = (values: number[]) =>
            [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
          const sd = 1.4826 * median(normal.map((v) => Math.abs(v - median(normal))));
          const magnitude = Number(a.magnitude);
          // Secondary drifts of 2-4 s.d. are real but can hide in 4 h of noise; check the clear ones.
          if (late.length === 0 || Math.abs(magnitude) < 3 * sd) continue;
          checked++;
          // A drive reads idle while stopped: compare the side of the distribution the drift moves.
          const quantile = (values: number[], q: number) =>
            [...values].sort((x, y) => x - y)[Math.floor(q * (values.length - 1))]!;
          const q = magnitude > 0 ? 0.8 : 0.2;
          const shift = quantile(late, q) - quantile(normal, q);
          assert.ok(
            Math.sign(shift) === Math.sign(magnitude) && Math.abs(shift) > 0.4 * Math.abs(magnitude),
            `${a.anomaly_id}: shift ${shift} for magnitude ${magnitude}`,
          );
        }
        assert.ok(checked > 0, 'some drift window has readings while producing');
        for (const a of anomalies.filter((x) => x.kind === 'spike')) {
          const series = readings.get(`${a.machine_id}|${a.sensor}`)!;
          const at = series.findIndex((r) => r.ts === a.start_ts);
          const after = series.findIndex((r) => r.ts === a.end_ts);
          const neighbours = [
            ...series.slice(Math.max(0, at - 4), at),
            ...(after < 0 ? [] : series.slice(after, after + 4)),
          ]
            .map((r) => Number(r.value))
            .sort((x, y) => x - y);
          const baseline = neighbours[Math.floor(neighbours.length / 2)]!;
          const jump = Number(series[at]!.value) - baseline;
          assert.ok(
            Math.abs(jump) > 0.5 * Math.abs(Number(a.magnitude)),
            `${a.anomaly_id}: ${jump} for ${a.magnitude}`,
          );
        }
      });

      test('stops: planned breaks every shift, many small stops, setups, overlaps, events across shift ends, one open', () => {
        const d = drops[name]!;
        const shiftOf = shiftFinder(d);
        const reasons = new Map(d.t.downtime_reasons!.rows.map((r) => [r.reason_code!, r]));
        const events = d.t.downtime_events!.rows;
        const unplanned = events.filter((e) => reasons.get(e.reason_code!)!.planned === 'false' && e.end_ts);
        const small = unplanned.filter((e) => seconds(e.end_ts!) - seconds(e.start_ts!) < 300);
        assert.ok(small.length > unplanned.length / 2, `${small.length} small of ${unplanned.length}`);
        assert.ok(events.some((e) => e.reason_code === 'SETUP-CHG'));
        assert.ok(events.some((e) => reasons.get(e.reason_code!)!.loss_category === 'break'));
        assert.equal(events.filter((e) => e.end_ts === '').length, 1, 'one open event');
        let overlapping = 0;
        let crossing = 0;
        for (const [machine, rows] of groupBy(
          events.filter((e) => e.end_ts),
          (e) => e.machine_id!,
        )) {
          const sorted = rows
            .map((e) => [seconds(e.start_ts!), seconds(e.end_ts!)] as const)
            .sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < sorted.length; i++) if (sorted[i]![0] < sorted[i - 1]![1]) overlapping++;
          for (const [start, end] of sorted) {
            const shift = shiftOf(machine, start);
            if (shift && end > seconds(shift.end_ts!)) crossing++;
          }
          const breaks = groupBy(
            rows.filter((e) => e.reason_code!.startsWith('BRK-')),
            (e) => shiftOf(machine, seconds(e.start_ts!))!.shift_id!,
          );
          const noDemand = rows.filter((e) => e.reason_code === 'NO-DEMAND').length;
          assert.ok(
            breaks.size + noDemand >=
              d.t.shifts!.rows.filter(
                (s) => s.plant_id === shiftOf(machine, seconds(rows[0]!.start_ts!))?.plant_id,
              ).length -
                0,
          );
        }
        assert.ok(overlapping > 0, 'some events overlap');
        assert.ok(crossing > 0, 'some events cross a shift boundary');
      });

      test('master data: line positions 1..n, 4-6 sensors per machine, operators with PII, readings on a fixed grid', () => {
        const d = drops[name]!;
        for (const [, machines] of groupBy(d.t.machines!.rows, (m) => m.line_id!)) {
          assert.deepEqual(
            machines.map((m) => Number(m.line_position)).sort((a, b) => a - b),
            machines.map((_, i) => i + 1),
          );
        }
        for (const [, specs] of groupBy(d.t.sensor_specs!.rows, (s) => s.machine_id!))
          assert.ok(specs.length >= 4 && specs.length <= 6);
        assert.ok(
          d.t.operators!.rows.filter((o) => o.email).every((o) => /^[a-z0-9.]+@[a-z.-]+$/.test(o.email!)),
        );
        for (const [, series] of groupBy(d.t.sensor_readings!.rows, (r) => `${r.machine_id}|${r.sensor}`)) {
          const steps = new Set(series.slice(1).map((r, i) => seconds(r.ts!) - seconds(series[i]!.ts!)));
          assert.equal(steps.size, 1);
        }
        const qualities = new Set(d.t.sensor_readings!.rows.map((r) => r.quality));
        assert.ok(qualities.has('good') && qualities.has('uncertain'));
        for (const b of d.t.batches!.rows) assert.ok(seconds(b.received_at!) > 0);
      });
    });
  }
});

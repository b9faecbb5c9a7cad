/**
 * Property: for seeded random factories, at many grains and filters, every figure of the
 * metrics layer equals a recomputation in TypeScript from the cells themselves (sum the
 * components of the group, then divide), and the loss waterfall adds up within 1e-6 s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Rng } from '../../src/generate/prng.js';
import { queryKpi } from '../../src/metrics/query.js';
import type { KpiRequest } from '../../src/metrics/request.js';
import {
  buildFactory,
  type Cell,
  type CellInput,
  type DayInput,
  type DefectInput,
  type Factory,
  type MachineInput,
  openWarehouse,
  type ProductCell,
  type ShiftInput,
} from './support/warehouse.js';

type Row = Record<string, unknown>;

function isoWeek(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  const weekday = (day.getUTCDay() + 6) % 7;
  const thursday = new Date(day.getTime() + (3 - weekday) * 86400000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * 86400000));
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}

/** A random factory: 2 plants × 2 lines × 2-3 machines, 12 days across a month and ISO-week boundary. */
function randomFactory(seed: number): Factory {
  const rng = new Rng(seed, 'metrics-property');
  const machines: MachineInput[] = [];
  const shifts: ShiftInput[] = [];
  const days: DayInput[] = [];
  for (const plant_id of ['P1', 'P2']) {
    for (const line of [1, 2]) {
      const positions = rng.int(2, 3);
      for (let position = 1; position <= positions; position++) {
        machines.push({
          machine_id: `${plant_id}-L${line}-M${position}`,
          line_id: `${plant_id}-L${line}`,
          plant_id,
          line_position: position,
        });
      }
    }
    for (let offset = 0; offset < 12; offset++) {
      const date = addDays('2026-03-25', offset);
      days.push({ plant_id, date, calendar_s: rng.pick([82800, 86400, 86400, 86400, 90000]) });
      // A day without shifts still has calendar time.
      if (offset === 5) continue;
      const count = rng.int(1, 3);
      for (let shift = 1; shift <= count; shift++) {
        shifts.push({
          shift_id: `${plant_id}-${date}-${shift}`,
          plant_id,
          production_date: date,
          shift_s: rng.chance(0.1) ? rng.between(600, 28800) : 28800,
        });
      }
    }
  }
  const cells: CellInput[] = [];
  const defects: DefectInput[] = [];
  for (const machine of machines) {
    for (const shift of shifts.filter((candidate) => candidate.plant_id === machine.plant_id)) {
      const planned_stop_s = rng.chance(0.08) ? shift.shift_s : rng.between(0, shift.shift_s / 4);
      let free = shift.shift_s - planned_stop_s;
      const take = (share: number) => {
        const seconds = rng.chance(0.4) ? rng.between(0, free * share) : 0;
        free -= seconds;
        return seconds;
      };
      const breakdown_s = take(0.3);
      const setup_s = take(0.2);
      let other_stop_s = take(0.2);
      if (rng.chance(0.05)) {
        // Down for all the rest of the planned time: run time 0.
        other_stop_s += free;
        free = 0;
      }
      const small_stop_s = take(0.1);
      const products = rng.chance(0.15)
        ? undefined
        : Array.from({ length: rng.int(1, 2) }, (_, index) => {
            const total = rng.chance(0.05) ? 0 : rng.int(1, 900);
            return {
              product_id: index === 0 ? 'A' : 'B',
              order_id: `${index === 0 ? 'A' : 'B'}-${rng.int(1, 3)}`,
              share: 0,
              total,
              reject: rng.int(0, Math.floor(total / 5)),
              ideal_cycle_s: rng.between(5, 40),
            };
          });
      if (products) {
        const weights = products.map(() => rng.between(0.1, 1));
        const sum = weights.reduce((a, b) => a + b, 0);
        products.forEach((product, index) => {
          product.share = weights[index]! / sum;
        });
      }
      const failures = breakdown_s > 0 && rng.chance(0.5) ? rng.int(1, 2) : 0;
      cells.push({
        machine_id: machine.machine_id,
        shift_id: shift.shift_id,
        planned_stop_s,
        breakdown_s,
        setup_s,
        other_stop_s,
        small_stop_s,
        failures,
        repair_s: failures ? breakdown_s * rng.between(0.5, 1.5) : 0,
        products: products ?? [
          { product_id: 'unassigned', order_id: null, share: 1, total: 0, reject: 0, ideal_cycle_s: 0 },
        ],
      });
      for (const product of products ?? []) {
        if (product.total > 0 && rng.chance(0.3)) {
          defects.push({
            machine_id: machine.machine_id,
            shift_id: shift.shift_id,
            product_id: product.product_id,
            order_id: product.order_id,
            quantity: rng.int(1, 5),
            disposition: rng.pick(['scrap', 'rework', 'use_as_is'] as const),
          });
        }
      }
    }
  }
  return buildFactory({
    plants: [{ plant_id: 'P1' }, { plant_id: 'P2', currency: 'USD' }],
    machines,
    products: [
      { product_id: 'A', defect_opportunities: 4 },
      { product_id: 'B', defect_opportunities: 7 },
    ],
    shifts,
    days,
    cells,
    defects,
  });
}

const KEY_OF: Record<string, (row: Cell & Partial<ProductCell>) => string | null> = {
  machine: (row) => row.machine_id,
  line: (row) => row.line_id,
  plant: (row) => row.plant_id,
  product: (row) => row.product_id ?? null,
  order: (row) => row.order_id ?? null,
  shift: (row) => row.shift_id,
  day: (row) => row.production_date,
  week: (row) => isoWeek(row.production_date),
  month: (row) => row.production_date.slice(0, 7),
};
const COLUMN_OF: Record<string, string> = {
  machine: 'machine_id',
  line: 'line_id',
  plant: 'plant_id',
  product: 'product_id',
  order: 'order_id',
  shift: 'shift_id',
  day: 'day',
  week: 'week',
  month: 'month',
};

interface Case {
  by: string[];
  where?: Record<string, string[]>;
  from?: string;
  to?: string;
}

function selected(factory: Factory, request: Case): Array<Cell & Partial<ProductCell>> {
  const productGrain = [...request.by, ...Object.keys(request.where ?? {})].some(
    (name) => name === 'product' || name === 'order',
  );
  const rows: Array<Cell & Partial<ProductCell>> = productGrain ? factory.productCells : factory.cells;
  return rows.filter(
    (row) =>
      (!request.from || row.production_date >= request.from) &&
      (!request.to || row.production_date <= request.to) &&
      Object.entries(request.where ?? {}).every(([name, values]) =>
        values.includes(KEY_OF[name]!(row) ?? ''),
      ),
  );
}

function groupKey(row: Cell & Partial<ProductCell>, by: string[]): string {
  return JSON.stringify(by.map((name) => KEY_OF[name]!(row)));
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** The reference: sum each group's components in TypeScript, then apply CONTRACT §3. */
function recompute(factory: Factory, request: Case): Map<string, Row> {
  const groups = new Map<string, Array<Cell & Partial<ProductCell>>>();
  for (const row of selected(factory, request)) {
    const key = groupKey(row, request.by);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const noCalendar = [...request.by, ...Object.keys(request.where ?? {})].some((name) =>
    ['shift', 'product', 'order'].includes(name),
  );
  const result = new Map<string, Row>();
  for (const [key, rows] of groups) {
    const sum = (name: keyof Cell) => rows.reduce((total, row) => total + (row[name] as number), 0);
    const [ppt, run, ideal, idealGood, total, good, failures, repair] = (
      ['ppt_s', 'run_s', 'ideal_s', 'ideal_good_s', 'total', 'good', 'failures', 'repair_s'] as const
    ).map(sum) as [number, number, number, number, number, number, number, number];
    let calendar: number | null = null;
    if (!noCalendar) {
      // Calendar: every plant-local day of each machine from its first to its last production day.
      const machines = new Set(rows.map((row) => row.machine_id));
      calendar = 0;
      for (const machine of machines) {
        const own = factory.cells.filter((cell) => cell.machine_id === machine);
        const first = own.map((cell) => cell.production_date).sort()[0]!;
        const last = own
          .map((cell) => cell.production_date)
          .sort()
          .at(-1)!;
        const plant = own[0]!.plant_id;
        const line = own[0]!.line_id;
        for (const day of factory.days) {
          if (day.plant_id !== plant || day.date < first || day.date > last) continue;
          if (request.from && day.date < request.from) continue;
          if (request.to && day.date > request.to) continue;
          const probe = { ...own[0]!, production_date: day.date, plant_id: plant, line_id: line };
          if (groupKey(probe, request.by) !== key) continue;
          if (
            !Object.entries(request.where ?? {}).every(([name, values]) =>
              values.includes(KEY_OF[name]!(probe)!),
            )
          )
            continue;
          calendar += day.calendar_s;
        }
      }
    }
    result.set(key, {
      availability: ratio(run, ppt),
      performance: ratio(ideal, run),
      quality: ratio(idealGood, ideal),
      oee: ratio(idealGood, ppt),
      yield: ratio(good, total),
      utilization: calendar === null ? null : ratio(ppt, calendar),
      teep: calendar === null ? null : ratio(idealGood, calendar),
      calendar_s: calendar,
      mtbf_s: ratio(run, failures),
      mttr_s: ratio(repair, failures),
      censored_exposure_s: failures === 0 ? run : null,
      speed_loss_s: run - ideal - sum('small_stop_s'),
      quality_loss_s: ideal - idealGood,
      ppt_s: ppt,
      total,
      good,
    });
  }
  return result;
}

function close(actual: unknown, expected: unknown, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, `${what}: expected null, got ${String(actual)}`);
    return;
  }
  assert.equal(typeof actual, 'number', `${what}: expected ${expected}, got ${String(actual)}`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected as number));
  assert.ok(
    Math.abs((actual as number) - (expected as number)) <= tolerance,
    `${what}: ${actual} ≠ ${expected}`,
  );
}

const CASES: Case[] = [
  { by: [] },
  { by: ['machine'] },
  { by: ['line', 'day'] },
  { by: ['plant', 'week'] },
  { by: ['month', 'plant'] },
  { by: ['shift'] },
  { by: ['product'] },
  { by: ['order', 'line'] },
  { by: ['line'], where: { plant: ['P2'] }, from: '2026-03-28', to: '2026-04-02' },
  { by: ['machine', 'week'], where: { line: ['P1-L1', 'P2-L2'] } },
  { by: ['day'], where: { product: ['B'] } },
  { by: ['week'], where: { month: ['2026-04'] } },
];

function describeCase(request: Case): string {
  const where = Object.entries(request.where ?? {})
    .map(([name, values]) => values.map((value) => `${name}=${value}`).join(','))
    .join(',');
  return `--by ${request.by.join(',') || '(all)'}${where ? ` --where ${where}` : ''}${request.from ? ` --from ${request.from} --to ${request.to}` : ''}`;
}

for (const seed of [1, 2, 3]) {
  describe(`seed ${seed}: the layer's roll-up equals recomputation from the cells`, () => {
    const factory = randomFactory(seed);
    let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
    before(async () => {
      warehouse = await openWarehouse(factory);
    });
    after(() => warehouse.close());

    for (const request of CASES) {
      test(describeCase(request), async () => {
        const expected = recompute(factory, request);
        const base: KpiRequest = {
          kpi: 'oee',
          by: request.by,
          where: request.where,
          from: request.from,
          to: request.to,
        };
        const results = new Map<string, Row[]>();
        for (const kpi of [
          'oee',
          'yield',
          'teep',
          'waterfall',
          ...(request.by.includes('product') || request.by.includes('order') || request.where?.product
            ? []
            : ['reliability']),
        ]) {
          results.set(kpi, (await queryKpi(warehouse, { ...base, kpi })).rows);
        }
        const oee = results.get('oee')!;
        assert.equal(oee.length, expected.size, 'one row per group that has cells');
        assert.ok(expected.size > 0, 'the case selects some cells');
        for (const [kpi, rows] of results) {
          for (const row of rows) {
            const key = JSON.stringify(request.by.map((name) => row[COLUMN_OF[name]!] ?? null));
            const want = expected.get(key);
            assert.ok(want, `${kpi}: unexpected group ${key}`);
            for (const column of Object.keys(row)) {
              if (column in want && !Object.values(COLUMN_OF).includes(column)) {
                close(row[column], want[column], `${kpi} ${key} ${column}`);
              }
            }
            if (kpi === 'waterfall') {
              assert.ok(
                Math.abs(row.residual_s as number) <= 1e-6,
                `waterfall of ${key} misses by ${row.residual_s} s`,
              );
              assert.equal(row.adds_up, true);
            }
          }
        }
      });
    }
  });
}

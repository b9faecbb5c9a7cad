/**
 * Grains and filters as a plant engineer uses them: inclusive dates, several values of a
 * dimension, ISO weeks and months, calendar time on a daylight-saving day and on a day
 * without shifts, costs in the plant's currency — and user text that never becomes SQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileKpi, queryKpi } from '../../src/metrics/query.js';
import { buildFactory, openWarehouse } from './support/warehouse.js';

const H = 3600;

// Plant P1 (EUR): line L1 = M1 (position 1) → M2 (position 2). Plant P2 (USD): line L9 = M9.
// One 8 h shift a day; Sunday 2026-03-29 is the 23 h day of Europe/Berlin, and P1 has no
// shift on Saturday 2026-03-28. Weeks: 2026-W13 (Mon 23 – Sun 29 March), W14 from 30 March.
const factory = buildFactory({
  plants: [
    { plant_id: 'P1', currency: 'EUR', labor_rate_per_hour: 40 },
    { plant_id: 'P2', currency: 'USD' },
  ],
  machines: [
    { machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1, hourly_cost: 80, crew_size: 1 },
    { machine_id: 'M2', line_id: 'L1', plant_id: 'P1', line_position: 2, hourly_cost: 100, crew_size: 0.5 },
    { machine_id: 'M9', line_id: 'L9', plant_id: 'P2', line_position: 1 },
  ],
  products: [{ product_id: 'A', material_cost: 2, unit_cost: 3, rework_cost: 0.5, unit_price: 10 }],
  shifts: [
    { shift_id: 'S27', plant_id: 'P1', production_date: '2026-03-27', shift_s: 8 * H },
    { shift_id: 'S29', plant_id: 'P1', production_date: '2026-03-29', shift_s: 8 * H },
    { shift_id: 'S30', plant_id: 'P1', production_date: '2026-03-30', shift_s: 8 * H },
    { shift_id: 'S31', plant_id: 'P1', production_date: '2026-03-31', shift_s: 8 * H },
    { shift_id: 'S01', plant_id: 'P1', production_date: '2026-04-01', shift_s: 8 * H },
    { shift_id: 'T30', plant_id: 'P2', production_date: '2026-03-30', shift_s: 8 * H },
  ],
  days: [
    { plant_id: 'P1', date: '2026-03-27', calendar_s: 24 * H },
    { plant_id: 'P1', date: '2026-03-28', calendar_s: 24 * H },
    { plant_id: 'P1', date: '2026-03-29', calendar_s: 23 * H },
    { plant_id: 'P1', date: '2026-03-30', calendar_s: 24 * H },
    { plant_id: 'P1', date: '2026-03-31', calendar_s: 24 * H },
    { plant_id: 'P1', date: '2026-04-01', calendar_s: 24 * H },
    { plant_id: 'P2', date: '2026-03-30', calendar_s: 24 * H },
  ],
  cells: [
    ...['S27', 'S29', 'S30', 'S31', 'S01'].flatMap((shift_id) => [
      { machine_id: 'M1', shift_id, planned_stop_s: 1 * H, total: 1000, reject: 10, ideal_cycle_s: 20 },
      { machine_id: 'M2', shift_id, planned_stop_s: 2 * H, total: 990, reject: 40, ideal_cycle_s: 15 },
    ]),
    { machine_id: 'M9', shift_id: 'T30', total: 100, reject: 0, ideal_cycle_s: 60 },
  ],
  defects: [
    {
      machine_id: 'M1',
      shift_id: 'S30',
      product_id: 'A',
      order_id: 'O-A',
      quantity: 6,
      disposition: 'scrap',
    },
    {
      machine_id: 'M2',
      shift_id: 'S30',
      product_id: 'A',
      order_id: 'O-A',
      quantity: 4,
      disposition: 'rework',
    },
  ],
});

describe('grains and filters', () => {
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('--from/--to are inclusive production days', async () => {
    const { rows } = await queryKpi(warehouse, {
      kpi: 'yield',
      by: 'day',
      where: 'plant=P1',
      from: '2026-03-29',
      to: '2026-03-31',
    });
    assert.deepEqual(
      rows.map((row) => row.day),
      ['2026-03-29', '2026-03-30', '2026-03-31'],
    );
    assert.equal(rows[0]!.total, 1990);
  });

  test('a repeated dimension means any of its values; values of different dimensions all apply', async () => {
    const { rows } = await queryKpi(warehouse, {
      kpi: 'yield',
      by: 'machine',
      where: 'machine=M1,machine=M9',
    });
    assert.deepEqual(
      rows.map((row) => row.machine_id),
      ['M1', 'M9'],
    );
    const both = await queryKpi(warehouse, {
      kpi: 'yield',
      by: 'machine',
      where: { machine: ['M1', 'M9'], plant: 'P2' },
    });
    assert.deepEqual(
      both.rows.map((row) => row.machine_id),
      ['M9'],
    );
  });

  test('ISO weeks and months of the production day', async () => {
    const weeks = await queryKpi(warehouse, { kpi: 'yield', by: 'week', where: 'plant=P1' });
    assert.deepEqual(
      weeks.rows.map((row) => [row.week, row.total]),
      [
        ['2026-W13', 2 * 1990],
        ['2026-W14', 3 * 1990],
      ],
    );
    const months = await queryKpi(warehouse, { kpi: 'yield', by: 'month,plant', where: 'week=2026-W14' });
    assert.deepEqual(
      months.rows.map((row) => [row.month, row.plant_id, row.total]),
      [
        ['2026-03', 'P1', 2 * 1990],
        ['2026-03', 'P2', 100],
        ['2026-04', 'P1', 1990],
      ],
    );
  });

  test('calendar time: the 23 h day counts 23 h, a day without shifts counts whole', async () => {
    const day = await queryKpi(warehouse, {
      kpi: 'utilization',
      by: 'machine,day',
      where: 'machine=M1,day=2026-03-29',
    });
    assert.equal(day.rows[0]!.calendar_s, 23 * H);
    assert.equal(day.rows[0]!.utilization, (7 * H) / (23 * H));
    // W13 for M1: Friday 27 (24 h), Saturday 28 without a shift (24 h), Sunday 29 (23 h).
    const week = await queryKpi(warehouse, {
      kpi: 'teep',
      by: 'machine,week',
      where: 'machine=M1,week=2026-W13',
    });
    assert.equal(week.rows[0]!.calendar_s, 71 * H);
    assert.equal(week.rows[0]!.utilization, (14 * H) / (71 * H));
    assert.equal(week.rows[0]!.teep, (2 * 990 * 20) / (71 * H));
    // A line's calendar is per machine: two machines, two calendars.
    const line = await queryKpi(warehouse, {
      kpi: 'utilization',
      by: 'line',
      where: 'line=L1',
      to: '2026-03-29',
    });
    assert.equal(line.rows[0]!.calendar_s, 2 * 71 * H);
  });

  test('calendar time has no shift, product or order: utilization is null there, filters included', async () => {
    for (const request of [{ by: 'shift' }, { by: 'product' }, { by: 'line', where: 'order=O-A' }]) {
      const { rows } = await queryKpi(warehouse, { kpi: 'teep', ...request });
      assert.ok(rows.length > 0);
      for (const row of rows) {
        assert.equal(row.utilization, null);
        assert.equal(row.teep, null);
        assert.equal(typeof row.oee, 'number');
      }
    }
  });

  test('cost per line and day in the plant currency, at the current rates', async () => {
    const { rows, columns } = await queryKpi(warehouse, {
      kpi: 'cost',
      by: 'line,day',
      where: 'day=2026-03-30',
    });
    assert.deepEqual(columns.slice(0, 3), ['line_id', 'day', 'currency']);
    const l1 = rows.find((row) => row.line_id === 'L1')!;
    assert.equal(l1.currency, 'EUR');
    // Material at line input: 1000 × 2. Machine: 7 h × 80 + 6 h × 100. Labor: (7 h × 1 + 6 h × 0.5) × 40.
    assert.equal(l1.material, 2000);
    assert.equal(l1.machine, 7 * 80 + 6 * 100);
    assert.equal(l1.labor, (7 + 3) * 40);
    // Line output good 950 at 10 each; scrap 6 × 3, rework 4 × 0.5.
    assert.equal(l1.output_good, 950);
    assert.equal(l1.revenue, 9500);
    assert.equal(l1.scrap_cost, 18);
    assert.equal(l1.rework_cost, 2);
    assert.equal(l1.copq, 20);
    assert.ok(Math.abs((l1.cost_per_good_unit as number) - (2000 + 1160 + 400) / 950) < 1e-12);
    assert.ok(Math.abs((l1.gross_margin as number) - (9500 - 3560)) < 1e-9);
    assert.equal(rows.find((row) => row.line_id === 'L9')!.currency, 'USD');
    // Across plants, each currency stays on its own row.
    const all = await queryKpi(warehouse, { kpi: 'cost' });
    assert.deepEqual(
      all.rows.map((row) => row.currency),
      ['EUR', 'USD'],
    );
  });

  test('scrap and rework: line input total at line grain, each machine its own at machine grain', async () => {
    const line = await queryKpi(warehouse, { kpi: 'scrap', by: 'line', where: 'line=L1,day=2026-03-30' });
    assert.equal(line.rows[0]!.total, 1000);
    assert.equal(line.rows[0]!.scrap_rate, 6 / 1000);
    const machines = await queryKpi(warehouse, {
      kpi: 'rework',
      by: 'machine',
      where: 'line=L1,day=2026-03-30',
    });
    assert.deepEqual(
      machines.rows.map((row) => [row.machine_id, row.total, row.rework_rate]),
      [
        ['M1', 1000, 0],
        ['M2', 990, 4 / 990],
      ],
    );
  });

  test('user text is bound, never pasted into SQL', async () => {
    const hostile = "P1') or 1=1 --";
    const compiled = compileKpi({
      kpi: 'oee',
      where: { plant: hostile, line: "L1'; drop table dim_plant; --" },
    });
    assert.ok(!compiled.sql.includes('1=1'));
    assert.ok(!compiled.sql.includes('drop table'));
    assert.deepEqual(compiled.params, [hostile, "L1'; drop table dim_plant; --"]);
    // Bound, the text is just an id that does not exist.
    await assert.rejects(queryKpi(warehouse, { kpi: 'oee', by: 'plant', where: { plant: hostile } }), {
      code: 'unknown_value',
    });
    const plants = await queryKpi(warehouse, { kpi: 'oee', by: 'plant' });
    assert.equal(plants.rows.length, 2);
  });

  test('an id in --where that the warehouse lacks is a mistake with the closest id; a quiet period is just empty', async () => {
    await assert.rejects(queryKpi(warehouse, { kpi: 'oee', where: 'plant=P1,line=L2' }), (error: Error) => {
      assert.equal((error as { code?: string }).code, 'unknown_value');
      assert.match(error.message, /there is no line `L2` in the warehouse; did you mean `L1`\?/);
      return true;
    });
    await assert.rejects(
      queryKpi(warehouse, { kpi: 'oee', by: 'product', where: 'product=AA' }),
      /did you mean `A`/,
    );
    const quiet = await queryKpi(warehouse, { kpi: 'oee', by: 'line', where: 'line=L9', from: '2026-04-01' });
    assert.deepEqual(quiet.rows, []);
  });
});

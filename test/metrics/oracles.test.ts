/**
 * The contract's worked examples (CONTRACT §3 and issue 3), through the metrics layer over a
 * hand-made warehouse: each figure to 4 decimals, as a plant engineer checks it by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryKpi } from '../../src/metrics/query.js';
import { buildFactory, openWarehouse } from './support/warehouse.js';

const MIN = 60;

function near(actual: unknown, expected: number, what: string): void {
  assert.equal(typeof actual, 'number', `${what} is ${String(actual)}`);
  assert.ok(
    Math.abs((actual as number) - expected) < 5e-5,
    `${what}: ${actual} is not ${expected} to 4 decimals`,
  );
}

describe('roll-up: line OEE is time-weighted, never the average of machine OEEs', () => {
  // Ideal cycle 1 min. Machine 1: planned 100 min, run 90, 80 made, 80 good.
  // Machine 2: planned 300 min, run 150, 150 made, 135 good. Same shift length 300 min.
  const factory = buildFactory({
    plants: [{ plant_id: 'P1' }],
    machines: [
      { machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1 },
      { machine_id: 'M2', line_id: 'L1', plant_id: 'P1', line_position: 2 },
    ],
    shifts: [{ shift_id: 'S1', plant_id: 'P1', production_date: '2026-03-02', shift_s: 300 * MIN }],
    cells: [
      {
        machine_id: 'M1',
        shift_id: 'S1',
        planned_stop_s: 200 * MIN,
        breakdown_s: 10 * MIN,
        total: 80,
        reject: 0,
        ideal_cycle_s: MIN,
      },
      {
        machine_id: 'M2',
        shift_id: 'S1',
        breakdown_s: 150 * MIN,
        total: 150,
        reject: 15,
        ideal_cycle_s: MIN,
      },
    ],
  });
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('machine OEE .80 and .45', async () => {
    const { rows } = await queryKpi(warehouse, { kpi: 'oee', by: ['machine'] });
    assert.deepEqual(
      rows.map((row) => row.machine_id),
      ['M1', 'M2'],
    );
    near(rows[0]!.oee, 0.8, 'M1 OEE');
    near(rows[0]!.availability, 0.9, 'M1 A');
    near(rows[1]!.oee, 0.45, 'M2 OEE');
    near(rows[1]!.quality, 0.9, 'M2 Q');
  });

  test('their line: OEE .5375, not the average .625', async () => {
    const { rows, columns } = await queryKpi(warehouse, { kpi: 'oee', by: 'line' });
    assert.equal(rows.length, 1);
    near(rows[0]!.oee, 0.5375, 'line OEE');
    assert.notEqual(Number((rows[0]!.oee as number).toFixed(4)), 0.625);
    near(rows[0]!.availability, 240 / 400, 'line A');
    assert.equal(rows[0]!.ppt_s, 400 * MIN);
    assert.equal(rows[0]!.good, 215);
    assert.deepEqual(columns, [
      'line_id',
      'availability',
      'performance',
      'quality',
      'oee',
      'ppt_s',
      'run_s',
      'ideal_s',
      'ideal_good_s',
      'total',
      'good',
    ]);
  });

  test('the same at product grain (the product fact) and for all time (no --by)', async () => {
    const byProduct = await queryKpi(warehouse, { kpi: 'oee', by: 'product' });
    assert.equal(byProduct.rows.length, 1);
    near(byProduct.rows[0]!.oee, 0.5375, 'product A OEE');
    const all = await queryKpi(warehouse, { kpi: 'oee' });
    assert.deepEqual(all.columns.slice(0, 4), ['availability', 'performance', 'quality', 'oee']);
    near(all.rows[0]!.oee, 0.5375, 'all-time OEE');
  });
});

describe("Vorne's worked example", () => {
  // 480 min; two 15-min breaks and a 30-min meal; 47 min down; ideal cycle 1 s; 19,271 made, 423 rejects.
  const factory = buildFactory({
    plants: [{ plant_id: 'P1' }],
    machines: [{ machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1 }],
    shifts: [{ shift_id: 'S1', plant_id: 'P1', production_date: '2026-03-02', shift_s: 480 * MIN }],
    days: [{ plant_id: 'P1', date: '2026-03-02', calendar_s: 24 * 3600 }],
    cells: [
      {
        machine_id: 'M1',
        shift_id: 'S1',
        planned_stop_s: 60 * MIN,
        breakdown_s: 47 * MIN,
        total: 19271,
        reject: 423,
        ideal_cycle_s: 1,
      },
    ],
  });
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('A .8881, P .8611, Q .9780, OEE .7479', async () => {
    const [row] = (await queryKpi(warehouse, { kpi: 'oee', by: 'machine' })).rows;
    assert.equal(row!.ppt_s, 420 * MIN);
    assert.equal(row!.run_s, 373 * MIN);
    near(row!.availability, 0.8881, 'A');
    near(row!.performance, 0.8611, 'P');
    near(row!.quality, 0.978, 'Q');
    near(row!.oee, 0.7479, 'OEE');
  });

  test('with a 24 h calendar: utilization 420/1440 = .2917, TEEP .2181', async () => {
    const [row] = (await queryKpi(warehouse, { kpi: 'teep', by: ['machine', 'day'] })).rows;
    assert.equal(row!.day, '2026-03-02');
    assert.equal(row!.calendar_s, 86400);
    near(row!.utilization, 0.2917, 'utilization');
    near(row!.teep, 0.2181, 'TEEP');
    const [utilization] = (await queryKpi(warehouse, { kpi: 'utilization', by: 'plant' })).rows;
    near(utilization!.utilization, 0.2917, 'plant utilization');
  });

  test('below day grain (by shift) utilization and TEEP are null, OEE is not', async () => {
    const [row] = (await queryKpi(warehouse, { kpi: 'teep', by: 'shift' })).rows;
    assert.equal(row!.utilization, null);
    assert.equal(row!.teep, null);
    assert.equal(row!.calendar_s, null);
    near(row!.oee, 0.7479, 'OEE by shift');
  });

  test('the waterfall adds up and names each loss', async () => {
    const [row] = (await queryKpi(warehouse, { kpi: 'waterfall', by: 'machine' })).rows;
    assert.equal(row!.ppt_s, 25200);
    assert.equal(row!.breakdown_s, 2820);
    assert.equal(row!.speed_loss_s, 373 * MIN - 19271);
    assert.equal(row!.quality_loss_s, 423);
    assert.equal(row!.adds_up, true);
    assert.ok(Math.abs(row!.residual_s as number) <= 1e-6);
  });
});

describe('Vorne #2: 480-min shift, breaks 15 + 30 min, 30 min down, 2 parts/min, 700 made, 25 rejects', () => {
  const factory = buildFactory({
    plants: [{ plant_id: 'P1' }],
    machines: [{ machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1 }],
    shifts: [{ shift_id: 'S1', plant_id: 'P1', production_date: '2026-03-02', shift_s: 480 * MIN }],
    cells: [
      {
        machine_id: 'M1',
        shift_id: 'S1',
        planned_stop_s: 45 * MIN,
        other_stop_s: 30 * MIN,
        total: 700,
        reject: 25,
        ideal_cycle_s: 30,
      },
    ],
  });
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('A .9310, P .8642, Q .9643, OEE .7759', async () => {
    const [row] = (await queryKpi(warehouse, { kpi: 'oee', by: 'line' })).rows;
    near(row!.availability, 0.931, 'A');
    near(row!.performance, 0.8642, 'P');
    near(row!.quality, 0.9643, 'Q');
    near(row!.oee, 0.7759, 'OEE');
  });
});

describe('DPMO and sigma level', () => {
  // Line L1 makes A (10 opportunities): 1000 units, 50 defects. Line L2 makes B (6): 40,000 units, 40 defects.
  const factory = buildFactory({
    plants: [{ plant_id: 'P1' }],
    machines: [
      { machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1 },
      { machine_id: 'M2', line_id: 'L1', plant_id: 'P1', line_position: 2 },
      { machine_id: 'M3', line_id: 'L2', plant_id: 'P1', line_position: 1 },
    ],
    products: [
      { product_id: 'A', defect_opportunities: 10 },
      { product_id: 'B', defect_opportunities: 6 },
    ],
    shifts: [{ shift_id: 'S1', plant_id: 'P1', production_date: '2026-03-02', shift_s: 480 * MIN }],
    cells: [
      { machine_id: 'M1', shift_id: 'S1', total: 1000, reject: 30 },
      // The second position sees the same units again: a line counts them once, at its input.
      { machine_id: 'M2', shift_id: 'S1', total: 970, reject: 20 },
      {
        machine_id: 'M3',
        shift_id: 'S1',
        products: [
          { product_id: 'B', order_id: 'O-B', share: 1, total: 40000, reject: 40, ideal_cycle_s: 0.5 },
        ],
      },
    ],
    defects: [
      {
        machine_id: 'M1',
        shift_id: 'S1',
        product_id: 'A',
        order_id: 'O-A',
        quantity: 30,
        disposition: 'scrap',
      },
      {
        machine_id: 'M2',
        shift_id: 'S1',
        product_id: 'A',
        order_id: 'O-A',
        quantity: 15,
        disposition: 'rework',
      },
      {
        machine_id: 'M2',
        shift_id: 'S1',
        product_id: 'A',
        order_id: 'O-A',
        quantity: 5,
        disposition: 'use_as_is',
      },
      {
        machine_id: 'M3',
        shift_id: 'S1',
        product_id: 'B',
        order_id: 'O-B',
        quantity: 40,
        disposition: 'scrap',
      },
    ],
  });
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('1000 units × 10 opportunities with 50 defects = 5000; 40,000 × 6 with 40 = 167, sigma 5.09', async () => {
    const { rows } = await queryKpi(warehouse, { kpi: 'dpmo', by: 'line' });
    const l1 = rows.find((row) => row.line_id === 'L1')!;
    const l2 = rows.find((row) => row.line_id === 'L2')!;
    assert.equal(l1.units, 1000);
    assert.equal(l1.defects, 50);
    near(l1.dpmo, 5000, 'L1 DPMO');
    near(l1.sigma_level, 4.0758, 'L1 sigma');
    assert.equal(Math.round(l2.dpmo as number), 167);
    assert.equal((l2.sigma_level as number).toFixed(2), '5.09');
  });

  test('scrap and rework rates: line input total at line grain, own total at machine grain', async () => {
    const line = (await queryKpi(warehouse, { kpi: 'scrap', by: 'line', where: 'line=L1' })).rows[0]!;
    assert.equal(line.total, 1000);
    near(line.scrap_rate, 0.03, 'L1 scrap rate');
    const rework = (await queryKpi(warehouse, { kpi: 'rework', by: 'machine', where: 'line=L1' })).rows;
    assert.equal(rework[1]!.machine_id, 'M2');
    assert.equal(rework[1]!.total, 970);
    near(rework[1]!.rework_rate, 15 / 970, 'M2 rework rate');
    near(rework[0]!.rework_rate, 0, 'M1 rework rate');
  });

  test('FPY per position and RTY of a line', async () => {
    const fpy = (await queryKpi(warehouse, { kpi: 'fpy', where: 'line=L1' })).rows;
    assert.deepEqual(
      fpy.map((row) => [row.line_id, row.line_position]),
      [
        ['L1', 1],
        ['L1', 2],
      ],
    );
    near(fpy[0]!.fpy, 0.97, 'FPY position 1');
    near(fpy[1]!.fpy, 950 / 970, 'FPY position 2');
    const rty = (await queryKpi(warehouse, { kpi: 'rty' })).rows;
    const l1 = rty.find((row) => row.line_id === 'L1')!;
    near(l1.rty, 0.97 * (950 / 970), 'RTY L1');
    assert.equal(l1.positions, 2);
    near(rty.find((row) => row.line_id === 'L2')!.rty, 0.999, 'RTY L2');
  });
});

describe('a ratio with a zero denominator is null, never 0 and never an error', () => {
  const factory = buildFactory({
    plants: [{ plant_id: 'P1' }],
    machines: [
      { machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1 },
      { machine_id: 'M2', line_id: 'L1', plant_id: 'P1', line_position: 2 },
    ],
    shifts: [{ shift_id: 'S1', plant_id: 'P1', production_date: '2026-03-02', shift_s: 480 * MIN }],
    cells: [
      // A shift planned off entirely (no demand): no planned production time, no counts.
      { machine_id: 'M1', shift_id: 'S1', planned_stop_s: 480 * MIN },
      // Planned, but down the whole time: A = 0, OEE = 0; P and Q have nothing to divide by.
      { machine_id: 'M2', shift_id: 'S1', other_stop_s: 480 * MIN },
    ],
  });
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('OEE, yield, reliability, scrap and DPMO of empty cells', async () => {
    const oee = (await queryKpi(warehouse, { kpi: 'oee', by: 'machine' })).rows;
    assert.deepEqual(
      [oee[0]!.availability, oee[0]!.performance, oee[0]!.quality, oee[0]!.oee],
      [null, null, null, null],
    );
    assert.deepEqual(
      [oee[1]!.availability, oee[1]!.performance, oee[1]!.quality, oee[1]!.oee],
      [0, null, null, 0],
    );
    const yieldRows = (await queryKpi(warehouse, { kpi: 'yield', by: 'machine' })).rows;
    assert.equal(yieldRows[0]!.yield, null);
    const reliability = (await queryKpi(warehouse, { kpi: 'reliability', by: 'machine' })).rows;
    assert.deepEqual(
      [
        reliability[0]!.failures,
        reliability[0]!.mtbf_s,
        reliability[0]!.mttr_s,
        reliability[0]!.inherent_availability,
      ],
      [0, null, null, null],
    );
    assert.equal(reliability[0]!.censored_exposure_s, 0);
    const dpmo = (await queryKpi(warehouse, { kpi: 'dpmo' })).rows[0]!;
    assert.equal(dpmo.dpmo, null);
    assert.equal(dpmo.sigma_level, null);
    const scrap = (await queryKpi(warehouse, { kpi: 'scrap', by: 'line' })).rows[0]!;
    assert.equal(scrap.scrap_rate, null);
    assert.equal(scrap.scrap_qty, 0);
  });
});

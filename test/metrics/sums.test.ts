/**
 * Exact sums (src/metrics/kpis.ts, exactSum): each value is fixed to 9 decimals in 64 bits and
 * added into a 128-bit total. The figures must be the ones that fixing each value in 128 bits
 * gives, and a value too large for 64 bits (a billion units in one shift) must still be
 * summed exactly rather than fail the request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DimensionName } from '../../src/metrics/dimensions.js';
import { KPI_NAMES, widenSums } from '../../src/metrics/kpis.js';
import { compileKpi, queryKpi } from '../../src/metrics/query.js';
import { LatheError } from '../../src/util/errors.js';
import { buildFactory, openWarehouse } from './support/warehouse.js';

const H = 3600;

describe('sums: 64-bit values, the figures of 128-bit ones', () => {
  // Awkward fractions everywhere: shift lengths, stops, cycle times, rates, several products.
  const factory = buildFactory({
    plants: [{ plant_id: 'P1', labor_rate_per_hour: 41.37 }],
    machines: [
      { machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1, hourly_cost: 83.3333 },
      {
        machine_id: 'M2',
        line_id: 'L1',
        plant_id: 'P1',
        line_position: 2,
        hourly_cost: 101.7,
        crew_size: 0.3,
      },
    ],
    products: [
      { product_id: 'A', material_cost: 2.17, unit_price: 9.99, defect_opportunities: 7 },
      { product_id: 'B', material_cost: 3.01, unit_price: 12.49, defect_opportunities: 3 },
    ],
    shifts: [
      { shift_id: 'S1', plant_id: 'P1', production_date: '2026-03-02', shift_s: 8 * H + 0.123456789 },
      { shift_id: 'S2', plant_id: 'P1', production_date: '2026-03-02', shift_s: 7.7 * H },
      { shift_id: 'S3', plant_id: 'P1', production_date: '2026-03-03', shift_s: 8 * H - 1 / 3 },
    ],
    cells: ['S1', 'S2', 'S3'].flatMap((shift_id, index) => [
      {
        machine_id: 'M1',
        shift_id,
        planned_stop_s: 1799.9 + index / 7,
        breakdown_s: 611.1 * (index + 1),
        small_stop_s: 0.3,
        failures: index,
        repair_s: 611.1 * index,
        products: [
          { product_id: 'A', order_id: 'O-1', share: 1 / 3, total: 401, reject: 7, ideal_cycle_s: 12.345678 },
          { product_id: 'B', order_id: null, share: 2 / 3, total: 799, reject: 13, ideal_cycle_s: 7.1 },
        ],
      },
      {
        machine_id: 'M2',
        shift_id,
        planned_stop_s: 3600.0001,
        setup_s: 333.3,
        other_stop_s: 0.1 + 0.2,
        total: 1187,
        reject: 31,
        ideal_cycle_s: 17.77,
      },
    ]),
    defects: [
      {
        machine_id: 'M2',
        shift_id: 'S1',
        product_id: 'A',
        order_id: 'O-1',
        quantity: 5,
        disposition: 'scrap',
      },
      {
        machine_id: 'M1',
        shift_id: 'S3',
        product_id: 'B',
        order_id: 'O-1',
        quantity: 2,
        disposition: 'rework',
      },
    ],
  });
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('every KPI at several grains: the same figures, to the last bit', async () => {
    const grains: DimensionName[][] = [
      [],
      ['machine', 'shift'],
      ['line', 'day'],
      ['product', 'order'],
      ['plant'],
    ];
    let compared = 0;
    for (const kpi of KPI_NAMES) {
      for (const by of grains) {
        let compiled: ReturnType<typeof compileKpi>;
        try {
          compiled = compileKpi({ kpi, by });
        } catch (error) {
          if (error instanceof LatheError) continue; // a grain the KPI does not have
          throw error;
        }
        const wide = widenSums(compiled.sql);
        assert.notEqual(wide, compiled.sql, `${kpi} by ${by.join(',')} has no sums to widen`);
        const narrowRows = await warehouse.db.json(compiled.sql, compiled.params);
        const wideRows = await warehouse.db.json(wide, compiled.params);
        assert.ok(narrowRows.length > 0, `${kpi} by ${by.join(',')} has rows`);
        assert.deepEqual(narrowRows, wideRows, `${kpi} by ${by.join(',')}`);
        compared++;
      }
    }
    assert.ok(compared >= KPI_NAMES.length * 3, `only ${compared} requests compared`);
  });

  test("at a fact's own grain each cell's values are taken as they are: the figures of a sum", async () => {
    // By machine and shift no group has two rows, so no sum is computed; by shift alone (one
    // machine selected) each group is summed. The figures must agree to the last bit.
    let compared = 0;
    for (const kpi of KPI_NAMES) {
      for (const rest of [[], ['product', 'order']] as DimensionName[][]) {
        const where = { machine: 'M1' };
        let perCell: Awaited<ReturnType<typeof queryKpi>>;
        try {
          perCell = await queryKpi(warehouse, { kpi, by: ['machine', 'shift', ...rest], where });
        } catch (error) {
          if (error instanceof LatheError) continue; // a grain the KPI does not have
          throw error;
        }
        const summed = await queryKpi(warehouse, { kpi, by: ['shift', ...rest], where });
        assert.ok(summed.rows.length > 0, `${kpi} by shift has rows`);
        assert.deepEqual(
          perCell.rows.map(({ machine_id, ...row }) => row),
          summed.rows,
          `${kpi} by machine,shift${rest.map((name) => `,${name}`).join('')}`,
        );
        compared++;
      }
    }
    assert.ok(compared >= KPI_NAMES.length, `only ${compared} requests compared`);
  });
});

describe('sums: a value of a billion or more in one row', () => {
  const factory = buildFactory({
    plants: [{ plant_id: 'P1' }],
    machines: [
      { machine_id: 'M1', line_id: 'L1', plant_id: 'P1', line_position: 1 },
      { machine_id: 'M2', line_id: 'L1', plant_id: 'P1', line_position: 2 },
    ],
    shifts: [{ shift_id: 'S1', plant_id: 'P1', production_date: '2026-03-02', shift_s: 8 * H }],
    cells: [
      { machine_id: 'M1', shift_id: 'S1', total: 2_500_000_000, reject: 3, ideal_cycle_s: 0.00001 },
      { machine_id: 'M2', shift_id: 'S1', total: 1_500_000_001, reject: 1, ideal_cycle_s: 0.00001 },
    ],
  });
  let warehouse: Awaited<ReturnType<typeof openWarehouse>>;
  before(async () => {
    warehouse = await openWarehouse(factory);
  });
  after(() => warehouse.close());

  test('does not fit 64 bits, and is still summed exactly', async () => {
    const request = { kpi: 'yield', by: ['line' as const] };
    const compiled = compileKpi(request);
    await assert.rejects(warehouse.db.json(compiled.sql, compiled.params), /DECIMAL\(18,9\)/);
    const { rows } = await queryKpi(warehouse, request);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.total, 4_000_000_001);
    assert.equal(rows[0]!.good, 3_999_999_997);
    assert.equal(rows[0]!.yield, 3_999_999_997 / 4_000_000_001);
  });
});

/**
 * Quality marts against hand calculations (CONTRACT §3 Quality): FPY, RTY, scrap and rework
 * rates, DPMO and sigma level (the contract's oracles), defect Pareto. Through ingest, build, query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sigmaLevel } from '../../src/metrics/inverse-normal.js';
import { type DropFiles, validDrop } from '../support/drop.js';
import { buildMarts, type MartLake, round4 } from './support.js';

/**
 * Line L1: M1 at position 1, M2 and M3 both at position 2. Product A: 10 defect opportunities,
 * unit_cost 3.5, rework_cost 0.8; product B: 6 opportunities, unit_cost 2.0.
 * Day 1 (2026-03-02, shift S1), product A: M1 1000 made / 100 rejects, M2 600 / 30, M3 300 / 0.
 *   Defects: M1 X 30 scrap, M1 Y 20 rework, M2 Z 20 use_as_is; one before any shift (counts nowhere).
 * Day 2 (2026-03-03, shift S2), product B: M1 40,000 made / 40 rejects; defects M1 X 40 scrap.
 */
function qualityDrop(): DropFiles {
  return {
    ...validDrop(),
    'machines.csv': `machine_id,line_id,machine_name,machine_type,line_position,hourly_cost,crew_size
M1,L1,Press,press,1,80,1
M2,L1,Mill A,mill,2,95,0.5
M3,L1,Mill B,mill,2,95,0.5
`,
    'products.csv': `product_id,product_name,family,material_cost,unit_cost,rework_cost,unit_price,defect_opportunities
A,Bracket,brackets,1.2,3.5,0.8,6.0,10
B,Hinge,hinges,1.0,2.0,0.5,4.0,6
`,
    'routings.csv': `machine_id,product_id,ideal_cycle_time_s
M1,A,1
M2,A,1.5
M3,A,1.5
M1,B,0.05
M2,B,1
M3,B,1
`,
    'defect_codes.csv': `defect_code,description,category,default_severity
X,Scratch,surface,minor
Y,Dent,form,major
Z,Burr,edge,minor
`,
    'shifts.csv': `shift_id,plant_id,shift_name,start_ts,end_ts
S1,P1,early,2026-03-02T06:00:00+01:00,2026-03-02T14:00:00+01:00
S2,P1,early,2026-03-03T06:00:00+01:00,2026-03-03T14:00:00+01:00
`,
    'production_orders.csv': `order_id,product_id,line_id,planned_qty,planned_start,planned_end,due_date,status
PO1,A,L1,1000,2026-03-02T06:00:00+01:00,2026-03-02T14:00:00+01:00,2026-03-03,released
PO2,B,L1,40000,2026-03-03T06:00:00+01:00,2026-03-03T14:00:00+01:00,2026-03-04,released
`,
    'production_counts.csv': `machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count
M1,PO1,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,1000,100
M2,PO1,A,O1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,600,30
M3,PO1,A,O1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,300,0
M1,PO2,B,O1,2026-03-03T05:00:00Z,2026-03-03T06:00:00Z,40000,40
`,
    'downtime_events.csv': `event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note
`,
    'maintenance_orders.csv': `work_order_id,machine_id,kind,failure_at,repair_start,repair_end,failure_mode,cost
`,
    'defects.csv': `defect_id,detected_at,machine_id,order_id,product_id,batch_id,defect_code,severity,quantity,disposition
D1,2026-03-02T05:30:00Z,M1,PO1,A,B1,X,minor,30,scrap
D2,2026-03-02T05:40:00Z,M1,PO1,A,,Y,major,20,rework
D3,2026-03-02T06:30:00Z,M2,PO1,A,,Z,minor,20,use_as_is
D4,2026-03-02T04:00:00Z,M1,PO1,A,,X,minor,7,scrap
D5,2026-03-03T05:30:00Z,M1,PO2,B,,X,minor,40,scrap
`,
  };
}

describe('quality marts: FPY, RTY, rates, DPMO, sigma level, Pareto', () => {
  let lake: MartLake;

  before(async () => {
    lake = await buildMarts(qualityDrop());
  });
  after(() => lake?.dispose());

  async function machineDay(machine: string, product: string): Promise<Record<string, number | null>> {
    const rows = await lake.query<Record<string, number | null>>(
      `select * exclude (production_date) from mart_quality_machine_day
       where machine_id = '${machine}' and product_id = '${product}'`,
    );
    assert.equal(rows.length, 1);
    return rows[0]!;
  }

  it("reproduces the contract's DPMO oracles: 5000, and 167 with sigma level 5.09", async () => {
    // M1, A: 50 defects (30 scrap + 20 rework; the defect before the shift counts nowhere)
    // x 1e6 / (1000 units x 10 opportunities) = 5000; sigma = Φ⁻¹(.995) + 1.5 = 2.5758 + 1.5.
    const m1a = await machineDay('M1', 'A');
    assert.equal(m1a.defect_qty, 50);
    assert.equal(m1a.dpmo, 5000);
    assert.equal(round4(m1a.sigma_level), 4.0758);
    // M1, B: 40 x 1e6 / (40,000 x 6) = 166.67 -> 167; sigma = Φ⁻¹(1 - .00016667) + 1.5 = 5.09.
    const m1b = await machineDay('M1', 'B');
    assert.equal(Math.round(m1b.dpmo!), 167);
    assert.equal(Math.round(m1b.sigma_level! * 100) / 100, 5.09);
    // The SQL inverse normal is the metrics layer's, to the last digit that matters.
    assert.ok(Math.abs(m1b.sigma_level! - sigmaLevel(m1b.dpmo)!) < 1e-12);
    // No defect: DPMO 0, sigma level null (not infinity, not 0).
    const m3a = await machineDay('M3', 'A');
    assert.equal(m3a.dpmo, 0);
    assert.equal(m3a.sigma_level, null);
  });

  it('gives FPY, scrap and rework rates per machine over its own total', async () => {
    const m1a = await machineDay('M1', 'A');
    assert.equal(m1a.fpy, 0.9); // 900 / 1000
    assert.equal(m1a.scrap_rate, 0.03); // 30 / 1000
    assert.equal(m1a.rework_rate, 0.02); // 20 / 1000
    assert.equal(m1a.scrap_cost, 105); // 30 x 3.5
    assert.equal(m1a.rework_cost, 16); // 20 x 0.8
    assert.equal(m1a.copq, 121);
    const m2a = await machineDay('M2', 'A');
    assert.equal(m2a.fpy, 0.95); // 570 / 600
    assert.equal(m2a.use_as_is_qty, 20);
    assert.equal(m2a.copq, 0, 'use_as_is costs nothing');
    assert.equal(round4(m2a.dpmo), round4((20 * 1e6) / 6000));
  });

  it('gives RTY per line as the product of the positions’ pooled FPY, null if a position has none', async () => {
    const rows = await lake.query<Record<string, unknown>>(
      `select product_id, rty, positions, line_input_total, line_output_good, scrap_rate, rework_rate, dpmo, copq,
         list_transform(fpy_by_position, p -> p.fpy) as fpys
       from mart_quality_line_day order by product_id`,
    );
    const [a, b] = rows;
    // Position 1: 900 / 1000 = .9; position 2 pooled: (570 + 300) / (600 + 300) = .96667.
    // RTY = .9 x .96667 = .87 (not the average, not the per-machine product .9 x .95 x 1).
    assert.deepEqual((a!.fpys as number[]).map(round4), [0.9, 0.9667]);
    assert.equal(round4(a!.rty as number), 0.87);
    assert.equal(a!.line_input_total, 1000);
    assert.equal(a!.line_output_good, 870);
    // Line rates over the line input total (1000), with every machine's defects.
    assert.equal(a!.scrap_rate, 0.03);
    assert.equal(a!.rework_rate, 0.02);
    // 70 defects (30 + 20 + 20) x 1e6 / (1000 x 10) = 7000.
    assert.equal(a!.dpmo, 7000);
    assert.equal(a!.copq, 121);
    // Product B ran only at position 1: position 2's FPY is null, so is RTY.
    assert.deepEqual(b!.fpys, [0.999, null]);
    assert.equal(b!.rty, null);
    assert.equal(b!.line_output_good, 0);
  });

  it('ranks defect codes by quantity and by cost, ties by defect code', async () => {
    const rows = await lake.query<Record<string, unknown>>(
      `select defect_code, quantity, cost, quantity_rank, quantity_share, cumulative_quantity_share,
         cost_rank, cost_share, cumulative_cost_share
       from mart_defect_pareto where plant_id = 'P1' and month_start = date '2026-03-01' order by quantity_rank`,
    );
    // Quantities: X 30 + 40 = 70, Y 20, Z 20 (tie with Y: Y first); total 110.
    // Costs: X 30 x 3.5 + 40 x 2.0 = 185, Y 20 x 0.8 = 16, Z 0 (use as is); total 201.
    assert.deepEqual(
      rows.map((r) => [
        r.defect_code,
        r.quantity,
        r.cost,
        r.quantity_rank,
        round4(r.quantity_share as number),
        round4(r.cumulative_quantity_share as number),
        r.cost_rank,
        round4(r.cost_share as number),
        round4(r.cumulative_cost_share as number),
      ]),
      [
        ['X', 70, 185, 1, 0.6364, 0.6364, 1, 0.9204, 0.9204],
        ['Y', 20, 16, 2, 0.1818, 0.8182, 2, 0.0796, 1],
        ['Z', 20, 0, 3, 0.1818, 1, 3, 0, 1],
      ],
    );
  });
});

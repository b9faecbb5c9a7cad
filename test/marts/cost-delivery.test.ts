/**
 * Cost per line and day, order delivery and OTIF against hand calculations (CONTRACT §3 Cost,
 * Delivery), through ingest, build and query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DropFiles, validDrop } from '../support/drop.js';
import { buildMarts, type MartLake, round4 } from './support.js';

/**
 * Plant P1 (Europe/Berlin, labor 42.5 EUR/h); line L1: M1 (position 1, 80 EUR/h, crew 1) and
 * M2 (position 2, 95 EUR/h, crew 0.5); product A: material 1.2, unit_cost 3.5, rework 0.8, price 6.
 * No stops. The last count ends 2026-03-09T06:00Z: that is the cut-off, so the cut-off date is
 * 2026-03-09 and shifts S1, S2, S2N are whole.
 */
function deliveryDrop(): DropFiles {
  return {
    ...validDrop(),
    'shifts.csv': `shift_id,plant_id,shift_name,start_ts,end_ts
S1,P1,early,2026-03-02T06:00:00+01:00,2026-03-02T14:00:00+01:00
S2,P1,early,2026-03-03T06:00:00+01:00,2026-03-03T14:00:00+01:00
S2N,P1,night,2026-03-03T22:00:00+01:00,2026-03-04T06:00:00+01:00
S3,P1,early,2026-03-09T06:00:00+01:00,2026-03-09T14:00:00+01:00
`,
    'production_orders.csv': `order_id,product_id,line_id,planned_qty,planned_start,planned_end,due_date,status
PO1,A,L1,800,,,2026-03-02,completed
PO2,A,L1,100,,,2026-03-02,completed
PO3,A,L1,200,,,2026-03-03,in_progress
PO4,A,L1,50,,,2026-03-03,cancelled
PO5,A,L1,10,,,2026-03-10,released
PO6,A,L1,10,,,2026-03-03,completed
PO7,A,L1,10,,,2026-03-03,completed
`,
    'batches.csv': `batch_id,material_id,supplier,received_at,quantity,order_id
B1,STEEL,Acme,2026-03-01T10:00:00Z,500,PO1
`,
    // Day 1 (S1): M1 makes 1000 (100 rejects); M2, the line output, 500 (10) and 400 (20) for PO1.
    'production_counts.csv': `machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count
M1,PO1,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,1000,100
M2,PO1,A,O1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,500,10
M2,PO1,A,O1,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,400,20
M2,PO2,A,O1,2026-03-03T05:00:00Z,2026-03-03T06:00:00Z,100,0
M2,PO3,A,O1,2026-03-03T06:00:00Z,2026-03-03T07:00:00Z,150,0
M2,PO7,A,O1,2026-03-03T21:00:00Z,2026-03-03T22:00:00Z,10,0
M2,PO6,A,O1,2026-03-03T22:00:00Z,2026-03-03T23:00:00Z,10,0
M1,PO5,A,O1,2026-03-09T05:00:00Z,2026-03-09T06:00:00Z,10,0
`,
    'downtime_events.csv': `event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note
`,
    'maintenance_orders.csv': `work_order_id,machine_id,kind,failure_at,repair_start,repair_end,failure_mode,cost
`,
    'defects.csv': `defect_id,detected_at,machine_id,order_id,product_id,batch_id,defect_code,severity,quantity,disposition
D1,2026-03-02T05:30:00Z,M1,PO1,A,B1,SCR,minor,30,scrap
D2,2026-03-02T06:30:00Z,M2,PO1,A,,SCR,minor,20,rework
`,
  };
}

describe('cost, delivery and OTIF marts', () => {
  let lake: MartLake;

  before(async () => {
    lake = await buildMarts(deliveryDrop());
  });
  after(() => lake?.dispose());

  it('costs a line day: material at input, machine and labor over planned time, per good unit at output', async () => {
    const [day] = await lake.query<Record<string, number | string>>(
      `select * exclude (production_date) from mart_cost_line_day where production_date = date '2026-03-02'`,
    );
    // 8 h planned on each machine (no stops).
    assert.equal(day!.ppt_s, 2 * 28800);
    assert.equal(day!.material, 1200); // line input 1000 x 1.2
    assert.equal(day!.machine, 1400); // 8 h x 80 + 8 h x 95
    assert.equal(day!.labor, 510); // 8 h x 1 x 42.5 + 8 h x 0.5 x 42.5
    assert.equal(day!.output_good, 870); // M2: 490 + 380 (M1's 900 good are not output)
    assert.equal(round4(day!.cost_per_good_unit as number), round4(3110 / 870)); // 3.5747
    assert.equal(day!.scrap_cost, 105); // 30 x 3.5
    assert.equal(day!.rework_cost, 16); // 20 x 0.8
    assert.equal(day!.copq, 121);
    assert.equal(day!.revenue, 5220); // 870 x 6
    assert.equal(day!.gross_margin, 2110); // 5220 - 3110
    assert.equal(day!.currency, 'EUR');
  });

  it('judges each order in full and on time against plant-local midnight after the due date', async () => {
    const orders = await lake.query<Record<string, unknown>>(
      `select order_id, output_good, strftime(completed_at, '%Y-%m-%dT%H:%MZ') as completed_at,
         strftime(due_deadline_ts, '%Y-%m-%dT%H:%MZ') as deadline, in_full, on_time, otif, otif_eligible
       from mart_delivery_order order by order_id`,
    );
    assert.deepEqual(
      orders.map((o) => [o.order_id, o.output_good, o.completed_at, o.in_full, o.on_time, o.otif_eligible]),
      [
        // 490 then 870 >= 800 at 08:00Z on the due date.
        ['PO1', 870, '2026-03-02T08:00Z', true, true, true],
        // In full at 06:00Z on Mar 3: after Mar 3 00:00 Berlin (= Mar 2 23:00Z): late.
        ['PO2', 100, '2026-03-03T06:00Z', true, false, true],
        // 150 of 200: never complete.
        ['PO3', 150, null, false, false, true],
        ['PO4', 0, null, false, false, false], // cancelled
        ['PO5', 0, null, false, false, false], // due after the cut-off date (M1 is not line output)
        // Complete exactly at 00:00 Berlin after the due date: not before it, so late.
        ['PO6', 10, '2026-03-03T23:00Z', true, false, true],
        ['PO7', 10, '2026-03-03T22:00Z', true, true, true],
      ],
    );
    assert.equal(orders[0]!.deadline, '2026-03-02T23:00Z');
  });

  it('gives OTIF per line and ISO week of the due date over the orders due before the cut-off date', async () => {
    const weeks = await lake.query<Record<string, unknown>>(`select * from mart_otif_line_week`);
    // Week 10 of 2026 (Mar 2-8): PO1, PO2, PO3, PO6, PO7 count; PO1 and PO7 are in full and on time.
    assert.deepEqual(
      weeks.map((w) => [
        w.line_id,
        w.iso_year,
        w.iso_week,
        w.orders,
        w.in_full_orders,
        w.on_time_orders,
        w.otif,
      ]),
      [['L1', 2026, 10, 5, 4, 2, 0.4]],
    );
  });
});

/**
 * The time rules of CONTRACT §2 and the cell components of §3, one machine per rule, in one
 * hand-made drop built through the real pipeline (ingest -> build -> query). Each expectation
 * carries its hand calculation. Plant P1 is in Europe/Berlin; times are written in UTC.
 *
 * Shifts: S1 06:00-14:00, S2 14:00-22:00, S3 22:00-06:00 (2 March), S4 06:00-14:00 (3 March).
 * Cut-off = the latest interval_end of the plant's counts = 3 March 02:00 (M1's last count):
 * S3 is partial [22:00, 02:00) = 14400 s, S4 starts after the cut-off and has no cell.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Scratch } from '../support/drop.js';
import {
  baseDrop,
  blockingProblems,
  type Cell,
  cellsOf,
  csv,
  failedWarnings,
  ingestAndBuild,
  query,
} from './support.js';

const drop = () =>
  baseDrop({
    'machines.csv': csv(
      'machine_id,line_id,machine_name,machine_type,line_position,hourly_cost,crew_size',
      'M1,L1,Counts and products,press,1,80,1',
      'M2,L1,Stop across shifts,press,1,80,1',
      'M3,L1,Planned over unplanned,press,1,80,1',
      'M4,L1,Merging,press,1,80,1',
      'M5,L1,Small stops,press,1,80,1',
      'M6,L1,Open event,press,1,80,1',
      'M7,L1,No counts,press,1,80,1',
      'M8,L1,Across midnight,press,1,80,1',
    ),
    'routings.csv': csv(
      'machine_id,product_id,ideal_cycle_time_s',
      ...['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8'].map((machine) => `${machine},A,1`),
      'M1,B,2',
    ),
    'shifts.csv': csv(
      'shift_id,plant_id,shift_name,start_ts,end_ts',
      'S1,P1,early,2026-03-02T06:00:00Z,2026-03-02T14:00:00Z',
      'S2,P1,late,2026-03-02T14:00:00Z,2026-03-02T22:00:00Z',
      'S3,P1,night,2026-03-02T22:00:00Z,2026-03-03T06:00:00Z',
      'S4,P1,early,2026-03-03T06:00:00Z,2026-03-03T14:00:00Z',
    ),
    'production_counts.csv': csv(
      'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count',
      'M1,PO-A,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,100,0', // before S1: in no shift (warning)
      'M1,PO-A,A,O1,2026-03-02T06:00:00Z,2026-03-02T12:00:00Z,600,10', // S1, 6 h of A
      'M1,PO-B,B,O1,2026-03-02T12:00:00Z,2026-03-02T14:00:00Z,100,0', // S1, 2 h of B (ideal 2 s)
      'M1,PO-A,A,O1,2026-03-03T01:00:00Z,2026-03-03T02:00:00Z,50,0', // S3: sets the cut-off
    ),
    'downtime_events.csv': csv(
      'event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note',
      'M1-1,M1,2026-03-02T09:00:00Z,2026-03-02T09:30:00Z,BRK,,break',
      // M2: one breakdown across the S1/S2 boundary
      'M2-1,M2,2026-03-02T13:30:00Z,2026-03-02T14:20:00Z,BD,,across shifts',
      // M3: unplanned stops overlapping planned ones
      'M3-1,M3,2026-03-02T10:00:00Z,2026-03-02T10:30:00Z,BRK,,break',
      'M3-2,M3,2026-03-02T10:20:00Z,2026-03-02T10:50:00Z,SET,,setup starts in the break',
      'M3-3,M3,2026-03-02T11:00:00Z,2026-03-02T11:40:00Z,BD,,breakdown around a break',
      'M3-4,M3,2026-03-02T11:10:00Z,2026-03-02T11:20:00Z,BRK,,break inside the breakdown',
      'M3-5,M3,2026-03-02T12:00:00Z,2026-03-02T12:30:00Z,BRK,,break',
      'M3-6,M3,2026-03-02T12:05:00Z,2026-03-02T12:15:00Z,BD,,breakdown wholly inside a break',
      // M4: merging and the longest event's category
      'M4-A1,M4,2026-03-02T07:00:00Z,2026-03-02T07:04:00Z,MAT,,240 s',
      'M4-A2,M4,2026-03-02T07:04:00Z,2026-03-02T07:10:00Z,BD,,360 s touching: the longest',
      'M4-A3,M4,2026-03-02T07:08:00Z,2026-03-02T07:12:00Z,SET,,240 s overlapping',
      'M4-B1,M4,2026-03-02T08:00:00Z,2026-03-02T08:05:00Z,MAT,,300 s',
      'M4-B2,M4,2026-03-02T08:05:00Z,2026-03-02T08:10:00Z,SET,,300 s touching: a tie; later start',
      'M4-C2,M4,2026-03-02T09:00:00Z,2026-03-02T09:06:00Z,BD,,tie: same start; larger id',
      'M4-C1,M4,2026-03-02T09:00:00Z,2026-03-02T09:06:00Z,SET,,tie: same start; smaller id',
      // M5: small stops, and planned maintenance of either kind
      'M5-1,M5,2026-03-02T07:00:00Z,2026-03-02T07:02:00Z,SET,,120 s: small',
      'M5-2,M5,2026-03-02T07:10:00Z,2026-03-02T07:14:59Z,BD,,299 s: small; no failure',
      'M5-3,M5,2026-03-02T08:00:00Z,2026-03-02T08:03:00Z,MAT,,180 s',
      'M5-4,M5,2026-03-02T08:03:00Z,2026-03-02T08:06:00Z,MAT,,180 s touching: 360 s merged; not small',
      'M5-5,M5,2026-03-02T10:00:00Z,2026-03-02T10:10:00Z,PMU,,unplanned maintenance: other_stop',
      'M5-6,M5,2026-03-02T11:00:00Z,2026-03-02T11:30:00Z,PMP,,planned maintenance: planned',
      // M6: still down at the cut-off; an open event and a stop after the cut-off count nowhere
      'M6-1,M6,2026-03-03T01:00:00Z,,BD,,still down',
      'M6-2,M6,2026-03-03T03:00:00Z,,BD,,starts after the cut-off',
      'M6-3,M6,2026-03-03T02:30:00Z,2026-03-03T02:50:00Z,BD,,after the cut-off',
      // M7: no counts; no demand for the whole of S2
      'M7-1,M7,2026-03-02T14:00:00Z,2026-03-02T22:00:00Z,ND,,no demand',
      // M8: a breakdown around a break, both across midnight
      'M8-1,M8,2026-03-02T23:00:00Z,2026-03-03T01:00:00Z,BD,,down over midnight',
      'M8-2,M8,2026-03-02T23:30:00Z,2026-03-03T00:30:00Z,BRK,,break over midnight',
    ),
    'defects.csv': csv(
      'defect_id,detected_at,machine_id,order_id,product_id,batch_id,defect_code,severity,quantity,disposition',
      'D1,2026-03-02T07:00:00Z,M1,PO-A,A,,SCR,minor,5,scrap',
      'D2,2026-03-02T07:30:00Z,M1,PO-A,A,,SCR,minor,3,rework',
      'D3,2026-03-02T07:00:00Z,M2,PO-A,A,,SCR,minor,4,scrap', // M2 rejected nothing in S1: warning
      'D4,2026-03-03T03:00:00Z,M1,PO-A,A,,SCR,minor,1,scrap', // after the cut-off: no shift
    ),
  });

describe('time rules of CONTRACT §2 through ingest, build and query', () => {
  let scratch: Scratch;
  let lake: string;
  let warnings: string[];
  const cells = new Map<string, Cell>();
  const cell = (machine: string, shift: string): Cell => {
    const found = cells.get(`${machine} ${shift}`);
    assert.ok(found, `no cell ${machine} ${shift}`);
    return found;
  };

  before(async () => {
    scratch = await Scratch.create();
    const built = await ingestAndBuild(scratch, await drop());
    assert.deepEqual(blockingProblems(built.build), []);
    assert.equal(built.build.status, 'published');
    lake = built.lake;
    warnings = failedWarnings(built.build);
    for (const row of await cellsOf(lake)) {
      cells.set(`${row.machine_id} ${row.shift_id}`, row);
    }
  });
  after(async () => {
    await scratch.dispose();
  });

  it('cuts off at the last count: one cell per machine and shift starting before it, the last one partial', async () => {
    // 8 machines × S1, S2, S3; S4 starts after the cut-off (3 March 02:00).
    assert.equal(cells.size, 24);
    assert.ok(![...cells.keys()].some((key) => key.endsWith('S4')));
    const shifts = await query<{ shift_id: string; partial: boolean; shift_s: number; shift_end_ts: string }>(
      lake,
      'select shift_id, partial, shift_s, shift_end_ts::varchar as shift_end_ts from dim_shift order by shift_id',
    );
    assert.deepEqual(shifts, [
      { shift_id: 'S1', partial: false, shift_s: 28800, shift_end_ts: '2026-03-02 14:00:00+00' },
      { shift_id: 'S2', partial: false, shift_s: 28800, shift_end_ts: '2026-03-02 22:00:00+00' },
      // 22:00 to the cut-off at 02:00 = 4 h
      { shift_id: 'S3', partial: true, shift_s: 14400, shift_end_ts: '2026-03-03 02:00:00+00' },
    ]);
    assert.equal(cell('M1', 'S3').partial, true);
    assert.equal(cell('M1', 'S3').shift_s, 14400);
    assert.equal(cell('M1', 'S3').total, 50);
  });

  it('counts by the shift containing interval_start; a count in no shift counts nowhere and warns', async () => {
    // M1 S1: A 600 (10 rejected, ideal 1 s) + B 100 (ideal 2 s): ideal_s = 600 + 200 = 800, ideal_good_s = 590 + 200 = 790.
    // The 05:00-06:00 count (100) starts before S1: in no cell.
    const m1 = cell('M1', 'S1');
    assert.deepEqual([m1.total, m1.reject, m1.good, m1.ideal_s, m1.ideal_good_s], [700, 10, 690, 800, 790]);
    const total = await query<{ total: number }>(
      lake,
      'select sum(total)::int as total from fact_machine_shift',
    );
    assert.equal(total[0]!.total, 750); // 700 in S1 + 50 in S3, not the 100 outside
    assert.ok(
      warnings.some((warning) => warning.startsWith('fact_production_count count_in_a_shift')),
      warnings.join(),
    );
  });

  it('splits a stop crossing a shift boundary into its shifts, and counts the failure once, in the first', async () => {
    // M2 breakdown 13:30-14:20 (3000 s): 1800 s in S1, 1200 s in S2.
    assert.equal(cell('M2', 'S1').breakdown_s, 1800);
    assert.equal(cell('M2', 'S2').breakdown_s, 1200);
    assert.equal(cell('M2', 'S1').run_s, 28800 - 1800);
    assert.equal(cell('M2', 'S2').run_s, 28800 - 1200);
    // One failure, in the cell of its first remaining second (S1), with all 3000 s as repair time.
    assert.deepEqual([cell('M2', 'S1').failures, cell('M2', 'S1').repair_s], [1, 3000]);
    assert.deepEqual([cell('M2', 'S2').failures, cell('M2', 'S2').repair_s], [0, 0]);
    const segments = await query<{ shift_id: string; duration_s: number }>(
      lake,
      "select shift_id, duration_s from fact_stop_segment where machine_id = 'M2' order by segment_start_ts",
    );
    assert.deepEqual(segments, [
      { shift_id: 'S1', duration_s: 1800 },
      { shift_id: 'S2', duration_s: 1200 },
    ]);
  });

  it('removes the part of an unplanned stop that overlaps a planned one: the overlap counts as planned', async () => {
    // Planned (merged): 10:00-10:30, 11:10-11:20, 12:00-12:30 = 1800 + 600 + 1800 = 4200 s.
    // Setup 10:20-10:50 less the break up to 10:30: 1200 s.
    // Breakdown 11:00-11:40 less 11:10-11:20: 600 + 1200 = 1800 s, a failure with 1800 s repair.
    // Breakdown 12:05-12:15 inside the 12:00 break: nothing left, no failure.
    const m3 = cell('M3', 'S1');
    assert.equal(m3.planned_stop_s, 4200);
    assert.equal(m3.ppt_s, 28800 - 4200);
    assert.equal(m3.setup_s, 1200);
    assert.equal(m3.breakdown_s, 1800);
    assert.equal(m3.stop_s, 3000);
    assert.equal(m3.run_s, 24600 - 3000);
    assert.deepEqual([m3.failures, m3.repair_s], [1, 1800]);
  });

  it('removes a planned overlap across midnight once, not once per day it touches', async () => {
    // Breakdown 23:00-01:00 around a break 23:30-00:30, all in S3: planned 3600 s,
    // breakdown 1800 + 1800 = 3600 s, one failure with 3600 s repair.
    const m8 = cell('M8', 'S3');
    assert.deepEqual([m8.planned_stop_s, m8.breakdown_s, m8.failures, m8.repair_s], [3600, 3600, 1, 3600]);
    assert.equal(m8.run_s, 14400 - 3600 - 3600);
  });

  it('merges touching and overlapping events; the merged stop takes the longest event’s category', async () => {
    // 07:00-07:12: MAT 240 s + BD 360 s (touching) + SET 240 s (overlapping) = 720 s, breakdown (longest).
    // 08:00-08:10: MAT 300 s + SET 300 s: a tie, the earlier start wins: material_shortage -> other_stop 600 s.
    // 09:00-09:06: SET and BD, same start and length: the smaller event_id (M4-C1, setup) wins: 360 s.
    const m4 = cell('M4', 'S1');
    assert.deepEqual([m4.breakdown_s, m4.other_stop_s, m4.setup_s, m4.stop_s], [720, 600, 360, 1680]);
    assert.deepEqual([m4.failures, m4.repair_s], [1, 720]);
    const stops = await query<{ loss_category: string; reason_code: string; event_count: number }>(
      lake,
      "select loss_category, reason_code, event_count::int as event_count from stop_merged where machine_id = 'M4' order by stop_start_ts",
    );
    assert.deepEqual(stops, [
      { loss_category: 'breakdown', reason_code: 'BD', event_count: 3 },
      { loss_category: 'material_shortage', reason_code: 'MAT', event_count: 2 },
      { loss_category: 'setup', reason_code: 'SET', event_count: 2 },
    ]);
  });

  it('keeps small stops inside run time, judged on the whole merged stop', async () => {
    // Small: 120 s setup + 299 s breakdown = 419 s (the breakdown is no failure).
    // Two touching 180 s shortages merge to 360 s: not small, other_stop.
    // Unplanned planned_maintenance 600 s: other_stop. Planned maintenance 1800 s: planned.
    const m5 = cell('M5', 'S1');
    assert.equal(m5.small_stop_s, 419);
    assert.equal(m5.other_stop_s, 960);
    assert.equal(m5.stop_s, 960);
    assert.equal(m5.planned_stop_s, 1800);
    assert.equal(m5.run_s, 28800 - 1800 - 960); // small stops are not taken off run time
    assert.equal(m5.failures, 0);
  });

  it('ends an open downtime event at the cut-off and flags it open; nothing after the cut-off counts', async () => {
    // Breakdown open since 01:00: ends at the 02:00 cut-off, 3600 s in the partial S3, a failure.
    const m6 = cell('M6', 'S3');
    assert.equal(m6.breakdown_s, 3600);
    assert.equal(m6.run_s, 14400 - 3600);
    assert.deepEqual([m6.failures, m6.repair_s], [1, 3600]);
    const segments = await query<{ segment_end_ts: string; is_open: boolean }>(
      lake,
      "select segment_end_ts::varchar as segment_end_ts, is_open from fact_stop_segment where machine_id = 'M6'",
    );
    assert.deepEqual(segments, [{ segment_end_ts: '2026-03-03 02:00:00+00', is_open: true }]);
  });

  it('gives a cell without counts zero counts, null ratios where the denominator is 0, and product unassigned', async () => {
    // M7 S1: nothing happened: A = 1, P = 0/28800 = 0, Q = 0/0 = null, OEE = 0/28800 = 0.
    const s1 = cell('M7', 'S1');
    assert.deepEqual(
      [s1.total, s1.ideal_s, s1.availability, s1.performance, s1.quality, s1.oee],
      [0, 0, 1, 0, null, 0],
    );
    // M7 S2: no demand all shift: ppt_s = 0, run_s = 0: every ratio null, never 0.
    const s2 = cell('M7', 'S2');
    assert.deepEqual([s2.ppt_s, s2.run_s], [0, 0]);
    assert.deepEqual([s2.availability, s2.performance, s2.quality, s2.oee], [null, null, null, null]);
    const products = await query<{ product_id: string; order_id: string | null; share: number }>(
      lake,
      "select product_id, order_id, share from fact_machine_shift_product where machine_id = 'M7' order by shift_id",
    );
    assert.deepEqual(
      products,
      ['S1', 'S2', 'S3'].map(() => ({ product_id: 'unassigned', order_id: null, share: 1 })),
    );
  });

  it('shares a cell among its products by count-interval seconds; the shares add up to the cell', async () => {
    // M1 S1: A ran 6 h, B 2 h: shares .75 and .25 of ppt_s 28800 - 1800 = 27000: 20250 and 6750.
    const rows = await query<{
      product_id: string;
      share: number;
      ppt_s: number;
      run_s: number;
      total: number;
    }>(
      lake,
      "select product_id, share, ppt_s, run_s, total from fact_machine_shift_product where machine_id = 'M1' and shift_id = 'S1' order by product_id",
    );
    assert.deepEqual(rows, [
      { product_id: 'A', share: 0.75, ppt_s: 20250, run_s: 20250, total: 600 },
      { product_id: 'B', share: 0.25, ppt_s: 6750, run_s: 6750, total: 100 },
    ]);
  });

  it('books defects in the machine’s shift containing detected_at, and warns when scrap + rework exceed rejects', async () => {
    // M1 S1: scrap 5 + rework 3 = 8 <= 10 rejected. M2 S1: 4 scrapped, 0 rejected: the warning test fails.
    assert.deepEqual([cell('M1', 'S1').scrap_qty, cell('M1', 'S1').rework_qty], [5, 3]);
    assert.equal(cell('M2', 'S1').scrap_qty, 4);
    assert.ok(
      warnings.some((warning) => warning.startsWith('fact_machine_shift scrap_and_rework_within_rejects')),
      warnings.join(),
    );
    const defects = await query<{
      defect_id: string;
      shift_id: string | null;
      scrap_cost: number;
      rework_cost: number;
    }>(lake, 'select defect_id, shift_id, scrap_cost, rework_cost from fact_defect order by defect_id');
    // Product A: unit_cost 3.5, rework_cost 0.8.
    assert.deepEqual(defects, [
      { defect_id: 'D1', shift_id: 'S1', scrap_cost: 17.5, rework_cost: 0 },
      { defect_id: 'D2', shift_id: 'S1', scrap_cost: 0, rework_cost: 2.4000000000000004 },
      { defect_id: 'D3', shift_id: 'S1', scrap_cost: 14, rework_cost: 0 },
      { defect_id: 'D4', shift_id: null, scrap_cost: 3.5, rework_cost: 0 },
    ]);
  });

  it('keeps every identity of every cell: ppt, run, stop split and the loss waterfall', async () => {
    const broken = await query(
      lake,
      `select machine_id, shift_id from fact_machine_shift
       where abs(ppt_s - (shift_s - planned_stop_s)) > 1e-6
          or abs(run_s - (ppt_s - stop_s)) > 1e-6
          or abs(stop_s - (breakdown_s + setup_s + other_stop_s)) > 1e-6
          or abs(ppt_s - (ideal_good_s + breakdown_s + setup_s + other_stop_s + small_stop_s
                          + (run_s - ideal_s - small_stop_s) + (ideal_s - ideal_good_s))) > 1e-6`,
    );
    assert.deepEqual(broken, []);
  });
});

/**
 * Plant-local time across daylight-saving changes (CONTRACT §2: production days are plant-local,
 * a day is 23 or 25 h long when the clocks change) and the type-2 dimensions across loads,
 * through the real pipeline. Plant P1 is in Europe/Berlin: clocks go forward on 29 March 2026
 * (02:00 -> 03:00) and back on 25 October 2026 (03:00 -> 02:00).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scratch } from '../support/drop.js';
import { baseDrop, blockingProblems, csv, fixtureDrop, ingestAndBuild, query } from './support.js';

describe('daylight saving through ingest, build and query', () => {
  it('gives days of 23 and 25 h, shifts across the change their real length, and plant-local production dates', async () => {
    const scratch = await Scratch.create();
    try {
      const { lake, build } = await ingestAndBuild(
        scratch,
        await baseDrop({
          'shifts.csv': csv(
            'shift_id,plant_id,shift_name,start_ts,end_ts',
            // 22:00 CET to 06:00 CEST: 8 h on the wall clock, 7 h real
            'N1,P1,night,2026-03-28T22:00:00+01:00,2026-03-29T06:00:00+02:00',
            'D1,P1,early,2026-03-29T06:00:00+02:00,2026-03-29T14:00:00+02:00',
            // starts 00:30 local on 1 June = 31 May 22:30 UTC: production date 1 June
            'J1,P1,early,2026-06-01T00:30:00+02:00,2026-06-01T08:30:00+02:00',
            // 22:00 CEST to 06:00 CET: 8 h on the wall clock, 9 h real
            'N2,P1,night,2026-10-24T22:00:00+02:00,2026-10-25T06:00:00+01:00',
            'D2,P1,early,2026-10-25T06:00:00+01:00,2026-10-25T14:00:00+01:00',
          ),
          'production_counts.csv': csv(
            'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count',
            'M1,PO-A,A,O1,2026-03-28T22:00:00+01:00,2026-03-29T06:00:00+02:00,100,0',
            // the last count: cut-off 25 October 14:00 CET, so D2 is whole
            'M1,PO-A,A,O1,2026-10-25T13:00:00+01:00,2026-10-25T14:00:00+01:00,100,0',
          ),
          'downtime_events.csv': csv(
            'event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note',
            // 01:30 CET to 03:30 CEST: two hours on the wall clock, one real hour
            'E1,M1,2026-03-29T01:30:00+01:00,2026-03-29T03:30:00+02:00,BD,,down across the change',
          ),
        }),
      );
      assert.deepEqual(blockingProblems(build), []);
      const shifts = await query<{
        shift_id: string;
        production_date: string;
        shift_s: number;
        partial: boolean;
      }>(
        lake,
        'select shift_id, production_date::varchar as production_date, shift_s, partial from dim_shift order by shift_start_ts',
      );
      assert.deepEqual(shifts, [
        { shift_id: 'N1', production_date: '2026-03-28', shift_s: 7 * 3600, partial: false },
        { shift_id: 'D1', production_date: '2026-03-29', shift_s: 8 * 3600, partial: false },
        { shift_id: 'J1', production_date: '2026-06-01', shift_s: 8 * 3600, partial: false },
        { shift_id: 'N2', production_date: '2026-10-24', shift_s: 9 * 3600, partial: false },
        { shift_id: 'D2', production_date: '2026-10-25', shift_s: 8 * 3600, partial: false },
      ]);
      const days = await query<{ date: string; calendar_s: number }>(
        lake,
        `select date::varchar as date, calendar_s from dim_date
         where date in ('2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26') order by date`,
      );
      assert.deepEqual(days, [
        { date: '2026-03-28', calendar_s: 86400 },
        { date: '2026-03-29', calendar_s: 82800 },
        { date: '2026-03-30', calendar_s: 86400 },
        { date: '2026-10-24', calendar_s: 86400 },
        { date: '2026-10-25', calendar_s: 90000 },
      ]);
      // Every plant-local day from the first shift's production date to the last one's.
      const span = await query<{ days: number }>(lake, 'select count(*)::int as days from dim_date');
      assert.equal(span[0]!.days, 212); // 28 March to 25 October inclusive
      const [night] = await query<{ shift_s: number; breakdown_s: number; run_s: number }>(
        lake,
        "select shift_s, breakdown_s, run_s from fact_machine_shift where shift_id = 'N1'",
      );
      assert.deepEqual(night, { shift_s: 25200, breakdown_s: 3600, run_s: 21600 });
    } finally {
      await scratch.dispose();
    }
  });
});

describe('type-2 dimensions across loads', () => {
  it('keeps one version per change: two versions of a changed machine, one current, none overlapping', async () => {
    const scratch = await Scratch.create();
    try {
      const machines = (m1Cost: number, withM2: boolean) =>
        csv(
          'machine_id,line_id,machine_name,machine_type,line_position,hourly_cost,crew_size',
          `M1,L1,Press,press,1,${m1Cost},1`,
          ...(withM2 ? ['M2,L1,Mill,mill,2,95,1'] : []),
        );
      const first = await fixtureDrop('vorne');
      // Load 1: M1 at 80/h and M2. Load 2: M1 now costs 90/h. Load 3: the same M1, M2 no longer delivered.
      const { lake, build, loadIds } = await ingestAndBuild(
        scratch,
        { ...first, 'machines.csv': machines(80, true) },
        { 'machines.csv': machines(90, true) },
        { 'machines.csv': machines(90, false) },
      );
      assert.deepEqual(blockingProblems(build), []);
      assert.equal(build.status, 'published');
      for (const name of ['scd2_one_current_row', 'scd2_versions_do_not_overlap']) {
        const test = build.tests.find((result) => result.name === name);
        assert.equal(test?.status, 'pass', `${name}: ${JSON.stringify(test)}`);
      }
      const versions = await query<{
        machine_key: string;
        machine_id: string;
        hourly_cost: number;
        is_current: boolean;
        version: number;
        first_load_id: string;
        closed: boolean;
        valid_from: string;
        valid_to: string | null;
      }>(
        lake,
        `select machine_key, machine_id, hourly_cost, is_current, version::int as version, first_load_id,
                valid_to is not null as closed, valid_from::varchar as valid_from, valid_to::varchar as valid_to
         from dim_machine order by machine_id, version`,
      );
      const [load1, load2, load3] = loadIds;
      assert.deepEqual(
        versions.map((v) => [
          v.machine_key,
          v.hourly_cost,
          v.is_current,
          v.version,
          v.first_load_id,
          v.closed,
        ]),
        [
          [`M1@${load1}`, 80, false, 1, load1, true],
          [`M1@${load2}`, 90, true, 2, load2, false],
          // M2 was last delivered in load 2: its only version ends when load 3 commits; no current row.
          [`M2@${load1}`, 95, false, 1, load1, true],
        ],
      );
      const [m1v1, m1v2, m2] = versions;
      // M1's first version ends exactly where the second begins (no gap, no overlap).
      assert.equal(m1v1!.valid_to, m1v2!.valid_from);
      assert.ok(m2!.valid_to! > m1v2!.valid_from, `M2 closes with load 3 (${load3}), after load 2`);
      // The cell uses the machine's current master data.
      const cells = await query<{ machine_id: string }>(lake, 'select machine_id from fact_machine_shift');
      assert.deepEqual(cells, [{ machine_id: 'M1' }]);
    } finally {
      await scratch.dispose();
    }
  });
});

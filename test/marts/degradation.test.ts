/**
 * mart_degradation_signature against a hand calculation (CONTRACT §3 Degradation), through
 * ingest, build and query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BuildResult, buildWarehouse } from '../../src/models/index.js';
import { type DropFiles, Scratch, validDrop } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';
import { buildMarts, type MartLake, MODELS_DIR, round4 } from './support.js';

/** Readings of M1 at `HH:00Z` on 2026-03-DD: [day, hour, value]. */
function readings(sensor: string, points: [number, number, number][]): string[] {
  return points.map(
    ([day, hour, value]) =>
      `M1,${sensor},2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z,${value},good`,
  );
}

// One 5-day shift, 2026-03-01 00:00Z to 03-06 00:00Z; M1 breaks down 2026-03-05 12:00-13:00Z (a
// failure: 3600 s >= 300 s). Its window is [03-04 12:00Z, 03-05 12:00Z). Failure-free 24 h
// windows: the UTC days 03-01 to 03-04 (03-05 holds the failure).
//
// temp: days 50, 51, 49, 50 (flat: slope 0). Mean of means 50, s.d. sqrt((0+1+1+0)/3) = .8165.
//   Before the failure: 56 at 00:00, 62 at 06:00 on 03-05 -> mean 59, slope 6/6 h = 1 /h.
//   z_mean = (59 - 50) / .8165 = 11.0227; the slopes' s.d. is 0: z_slope NULL.
// vib: days (1.0, 1.6), (1.0, 1.0), (1.3, 1.3), (1.0, 1.6) at 00:00 and 06:00:
//   means 1.3, 1.0, 1.3, 1.3 -> 1.225, s.d. .15; slopes .1, 0, 0, .1 /h -> .05, s.d. .057735.
//   Before the failure: 1.3, 1.3 -> mean 1.3 (z .5), slope 0 (z -.8660).
// temp ranks first (11.02 > .866).
const temp = readings('temp', [
  [1, 0, 50],
  [1, 6, 50],
  [2, 0, 51],
  [2, 6, 51],
  [3, 0, 49],
  [3, 6, 49],
  [4, 0, 50],
  [4, 6, 50],
  [5, 0, 56],
  [5, 6, 62],
  [5, 13, 99], // after the failure started: in no window
]);
const vib = readings('vib', [
  [1, 0, 1.0],
  [1, 6, 1.6],
  [2, 0, 1.0],
  [2, 6, 1.0],
  [3, 0, 1.3],
  [3, 6, 1.3],
  [4, 0, 1.0],
  [4, 6, 1.6],
  [5, 0, 1.3],
  [5, 6, 1.3],
]);

/** The scenario above: one shift, the failure on 03-05, the readings of temp, vib and single. */
function failureDrop(): DropFiles {
  return {
    ...validDrop(),
    'shifts.csv': `shift_id,plant_id,shift_name,start_ts,end_ts
S1,P1,long,2026-03-01T00:00:00Z,2026-03-06T00:00:00Z
`,
    'production_counts.csv': `machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count
M1,PO1,A,O1,2026-03-05T23:00:00Z,2026-03-06T00:00:00Z,100,0
`,
    'downtime_events.csv': `event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note
E1,M1,2026-03-05T12:00:00Z,2026-03-05T13:00:00Z,BD,O1,spindle
`,
    'defects.csv': `defect_id,detected_at,machine_id,order_id,product_id,batch_id,defect_code,severity,quantity,disposition
`,
    'maintenance_orders.csv': `work_order_id,machine_id,kind,failure_at,repair_start,repair_end,failure_mode,cost
`,
    // single: one reading, on a failure-free day (a slope of one point is no slope).
    'sensor_readings.csv': [
      'machine_id,sensor,ts,value,quality',
      ...temp,
      ...vib,
      'M1,single,2026-03-01T00:00:00Z,7,good',
      '',
    ].join('\n'),
  };
}

describe('mart_degradation_signature', () => {
  let lake: MartLake;

  before(async () => {
    lake = await buildMarts(failureDrop());
  });
  after(() => lake?.dispose());

  it('scores each sensor before the failure against failure-free days and ranks them', async () => {
    const rows = await lake.query<Record<string, number | string | null>>(
      `select sensor, strftime(failure_start_ts, '%Y-%m-%dT%H:%MZ') as failure_start, readings, mean, slope_per_h,
         baseline_windows, baseline_mean, baseline_mean_sd, z_mean, z_slope, signature_score, signature_rank
       from mart_degradation_signature where machine_id = 'M1' order by signature_rank`,
    );
    assert.equal(rows.length, 3);
    const [t, v, single] = rows;
    assert.deepEqual(
      [
        t!.sensor,
        t!.failure_start,
        t!.readings,
        t!.mean,
        round4(t!.slope_per_h as number),
        t!.baseline_windows,
      ],
      ['temp', '2026-03-05T12:00Z', 2, 59, 1, 4],
    );
    assert.equal(t!.baseline_mean, 50);
    assert.equal(round4(t!.baseline_mean_sd as number), round4(Math.sqrt(2 / 3)));
    assert.equal(round4(t!.z_mean as number), round4(9 / Math.sqrt(2 / 3))); // 11.0227
    assert.equal(t!.z_slope, null, 'flat baseline slopes: no z-score');
    assert.equal(t!.signature_rank, 1);
    assert.equal(v!.sensor, 'vib');
    assert.equal(round4(v!.z_mean as number), 0.5);
    assert.equal(round4(v!.z_slope as number), round4(-0.05 / Math.sqrt(0.01 / 3))); // -0.8660
    assert.equal(round4(v!.signature_score as number), 0.866);
    assert.equal(v!.signature_rank, 2);
    // No reading before the failure, one baseline window with no slope: nothing to score, ranked last.
    assert.deepEqual(
      [
        single!.sensor,
        single!.readings,
        single!.slope_per_h,
        single!.z_mean,
        single!.signature_score,
        single!.signature_rank,
      ],
      ['single', 0, null, null, null, 3],
    );
  });
});

/** Sample mean and s.d. of `values`. */
function meanSd(values: number[]): [number, number] {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return [mean, Math.sqrt(variance)];
}

// Later drops, built incrementally. Load 2: a new failure-free day (03-06), a reading of 03-02
// re-sent with another value, a late vib reading inside the failure's window (03-05 03:00), and
// a second breakdown, 03-04 06:30-07:30. Load 3: that breakdown re-sent as a setup: no failure.
const load2 = {
  'sensor_readings.csv': `machine_id,sensor,ts,value,quality
M1,temp,2026-03-06T00:00:00Z,50,good
M1,temp,2026-03-06T06:00:00Z,52,good
M1,temp,2026-03-02T06:00:00Z,53,good
M1,vib,2026-03-05T03:00:00Z,1.6,good
`,
  'downtime_events.csv': `event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note
E3,M1,2026-03-04T06:30:00Z,2026-03-04T07:30:00Z,BD,O1,bearing
`,
};
const load3 = {
  'downtime_events.csv': `event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note
E3,M1,2026-03-04T06:30:00Z,2026-03-04T07:30:00Z,SET,O1,was a setup
`,
};

interface Built {
  result: BuildResult;
  marts: Record<string, unknown>[];
  days: unknown[];
  windows: unknown[];
}

describe('mart_degradation_signature after later drops: incremental, equal to a full rebuild', () => {
  let scratch: Scratch;
  /** After load 2 and after load 3: the incremental build, then a --full-refresh one. */
  const after2: Built[] = [];
  const after3: Built[] = [];

  before(async () => {
    scratch = await Scratch.create('lathe-marts-');
    const lake = scratch.path('lake');
    const build = async (options: { fullRefresh?: boolean } = {}): Promise<Built> => {
      const result = await buildWarehouse({ lake, modelsDir: MODELS_DIR, ...options });
      assert.equal(result.status, 'published', JSON.stringify(result.error));
      return {
        result,
        marts: await queryLake(lake, 'select * from mart_degradation_signature order by all'),
        days: await queryLake(lake, 'select * from sensor_day_stats order by all'),
        windows: await queryLake(lake, 'select * from failure_sensor_window order by all'),
      };
    };
    await ingestFiles(scratch, failureDrop(), { lake });
    await build();
    await ingestFiles(scratch, load2, { lake });
    after2.push(await build(), await build({ fullRefresh: true }));
    await ingestFiles(scratch, load3, { lake });
    after3.push(await build(), await build({ fullRefresh: true }));
  });
  after(() => scratch?.dispose());

  const mode = (built: Built, name: string) => {
    const model = built.result.models.find((m) => m.name === name)!;
    return [model.mode, model.mode === 'full' ? model.full_reason : model.rows];
  };
  const scores = (built: Built, start: string, sensor: string) =>
    built.marts.find(
      (row) => row.sensor === sensor && new Date(String(row.failure_start_ts)).toISOString() === start,
    )!;

  it('recomputes only the touched days and windows; a failure gone rebuilds the windows in full', () => {
    // 03-02 (temp, vib), 03-05 (temp, vib) and 03-06 (temp).
    assert.deepEqual(mode(after2[0]!, 'sensor_day_stats'), ['incremental', 5]);
    // The new failure (temp, vib) and the one whose window got a late reading (temp, vib).
    assert.deepEqual(mode(after2[0]!, 'failure_sensor_window'), ['incremental', 4]);
    assert.deepEqual(mode(after3[0]!, 'sensor_day_stats'), ['incremental', 0]);
    assert.deepEqual(mode(after3[0]!, 'failure_sensor_window'), ['full', 'full_refresh_if is true']);
  });

  it('gives the rows of a full rebuild, to the last bit', () => {
    for (const [incremental, full] of [after2, after3]) {
      assert.deepEqual(incremental!.marts, full!.marts);
      assert.deepEqual(incremental!.days, full!.days);
      assert.deepEqual(incremental!.windows, full!.windows);
    }
  });

  it('scores against the new and corrected days, without the days of either failure', () => {
    // After load 2 the failure-free days are 03-01..03 and 03-06 (03-04 holds the new failure):
    // temp means 50, 52 (51 and 53), 49, 51; slopes 0, 2/6, 0, 2/6 per hour.
    // Before the 03-05 failure: mean 59, slope 1 /h.
    const temp2 = scores(after2[0]!, '2026-03-05T12:00:00.000Z', 'temp');
    const [means2, meansSd2] = meanSd([50, 52, 49, 51]);
    const [slopes2, slopesSd2] = meanSd([0, 1 / 3, 0, 1 / 3]);
    assert.equal(temp2.baseline_windows, 4);
    assert.equal(round4(temp2.z_mean as number), round4((59 - means2) / meansSd2));
    assert.equal(round4(temp2.z_slope as number), round4((1 - slopes2) / slopesSd2));
    // vib before it: 1.3 at 00:00, 1.6 at 03:00 (late), 1.3 at 06:00: mean 1.4, slope 0.
    const vib = scores(after2[0]!, '2026-03-05T12:00:00.000Z', 'vib');
    assert.deepEqual(
      [vib.readings, round4(vib.mean as number), round4(vib.slope_per_h as number)],
      [3, 1.4, 0],
    );
    // Before the new failure: temp 50, 50 and vib 1.0, 1.6 on 03-04 at 00:00 and 06:00.
    const newFailure = scores(after2[0]!, '2026-03-04T06:30:00.000Z', 'vib');
    assert.deepEqual(
      [newFailure.readings, newFailure.mean, round4(newFailure.slope_per_h as number)],
      [2, 1.3, 0.1],
    );
    // After load 3, 03-04 is failure-free again: five days.
    const temp3 = scores(after3[0]!, '2026-03-05T12:00:00.000Z', 'temp');
    const [means3, meansSd3] = meanSd([50, 52, 49, 50, 51]);
    const [slopes3, slopesSd3] = meanSd([0, 1 / 3, 0, 0, 1 / 3]);
    assert.equal(temp3.baseline_windows, 5);
    assert.equal(round4(temp3.z_mean as number), round4((59 - means3) / meansSd3)); // 7.5427
    assert.equal(round4(temp3.z_slope as number), round4((1 - slopes3) / slopesSd3)); // 4.7469
    assert.equal(scores(after3[0]!, '2026-03-04T06:30:00.000Z', 'vib'), undefined);
  });
});

/**
 * mart_capability against hand calculations (CONTRACT §3 Process capability), through ingest,
 * build and query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BuildResult, buildWarehouse } from '../../src/models/index.js';
import { Scratch, validDrop, withLines } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';
import { buildMarts, type MartLake, MODELS_DIR, readingLines, round4 } from './support.js';

interface Capability {
  sensor: string;
  month_start: string;
  n: number;
  mean: number;
  sigma_within: number;
  sigma_overall: number;
  cp: number | null;
  cpk: number | null;
  cpu: number | null;
  cpl: number | null;
  pp: number | null;
  ppk: number | null;
  ppu: number | null;
  ppl: number | null;
  capability_status: string;
}

// The contract's oracle: USL 7.02, LSL 5.70, mean 6.25, sigma .15 -> Cp 1.467, Cpk 1.222.
// A series with exactly those statistics: 26 readings alternating 6.25 + d and 6.25 - d.
// Mean = 6.25 (13 of each); every moving range is 2d, so sigma_within = 2d / 1.128 = .15 when
// d = .15 * 1.128 / 2 = .0846. Cp = (7.02 - 5.70) / (6 * .15) = 1.32 / .9 = 1.4667;
// Cpk = min(7.02 - 6.25, 6.25 - 5.70) / (3 * .15) = .55 / .45 = 1.2222.
const D = 0.0846;
const oracle = Array.from({ length: 26 }, (_, i) => (i % 2 === 0 ? 6.25 + D : 6.25 - D));

describe('mart_capability: Cp/Cpk/Pp/Ppk per machine, sensor and month', () => {
  let lake: MartLake;
  let rows: Map<string, Capability>;

  before(async () => {
    let files = withLines(
      validDrop(),
      'sensor_specs.csv',
      'M1,thickness_mm,mm,5.70,7.02,6.25',
      'M1,few_mm,mm,5.70,7.02,6.25',
      'M1,upper_only_c,C,,80,',
      'M1,flat_mm,mm,5.70,7.02,6.25',
    );
    files = withLines(
      files,
      'sensor_readings.csv',
      ...readingLines('M1', 'thickness_mm', '2026-03-10T08:00:00Z', oracle),
      // Not good: left out (a bad reading in the middle would change every statistic).
      'M1,thickness_mm,2026-03-10T08:00:30Z,9.99,bad',
      'M1,thickness_mm,2026-03-10T08:01:30Z,1.11,uncertain',
      // 24 good readings: too few.
      ...readingLines('M1', 'few_mm', '2026-03-10T08:00:00Z', oracle.slice(0, 24)),
      // One-sided spec (USL 80 only). Values 50, 51, 52 repeated: mean 51, every |MR| is 1 or 2.
      ...readingLines(
        'M1',
        'upper_only_c',
        '2026-03-10T08:00:00Z',
        Array.from({ length: 30 }, (_, i) => 50 + (i % 3)),
      ),
      // No variation at all: sigma 0.
      ...readingLines('M1', 'flat_mm', '2026-03-10T08:00:00Z', Array(30).fill(6.25)),
      // 2026-02-28 23:30 UTC is 2026-03-01 00:30 in Berlin: a March reading of the plant.
      ...readingLines('M1', 'flat_mm', '2026-02-28T23:30:00Z', [6.25]),
    );
    lake = await buildMarts(files);
    const result = await lake.query<Capability>(
      `select * replace (strftime(month_start, '%Y-%m-%d') as month_start) from mart_capability where machine_id = 'M1'`,
    );
    rows = new Map(result.map((row) => [`${row.sensor} ${row.month_start}`, row]));
  });
  after(() => lake?.dispose());

  it("reproduces the contract's oracle: Cp 1.467, Cpk 1.222", () => {
    const row = rows.get('thickness_mm 2026-03-01')!;
    assert.equal(row.n, 26, 'bad and uncertain readings are left out');
    assert.equal(round4(row.mean), 6.25);
    assert.equal(round4(row.sigma_within), 0.15);
    assert.equal(round4(row.cp), 1.4667);
    assert.equal(round4(row.cpk), 1.2222);
    // Two-sided: Cpk = min(Cpu, Cpl); Cpu = .77 / .45 = 1.7111, Cpl = .55 / .45 = 1.2222.
    assert.equal(round4(row.cpu), 1.7111);
    assert.equal(round4(row.cpl), 1.2222);
    // sigma_overall = d * sqrt(n / (n - 1)) = .0846 * sqrt(26/25) = .086275;
    // Pp = 1.32 / (6 * .086275) = 2.5500, Ppk = .55 / (3 * .086275) = 2.1250.
    const sigmaOverall = D * Math.sqrt(26 / 25);
    assert.equal(round4(row.sigma_overall), round4(sigmaOverall));
    assert.equal(round4(row.pp), round4(1.32 / (6 * sigmaOverall)));
    assert.equal(round4(row.ppk), round4(0.55 / (3 * sigmaOverall)));
    assert.equal(row.capability_status, 'ok');
  });

  it('gives no index below 25 readings', () => {
    const row = rows.get('few_mm 2026-03-01')!;
    assert.equal(row.n, 24);
    assert.equal(row.capability_status, 'too_few_readings');
    assert.deepEqual(
      [row.cp, row.cpk, row.pp, row.ppk, row.cpu, row.cpl],
      [null, null, null, null, null, null],
    );
  });

  it('gives only Cpu and Ppu for an upper limit alone', () => {
    const row = rows.get('upper_only_c 2026-03-01')!;
    // 50,51,52 x 10: mean 51; moving ranges 1,1,2 repeating over 29 ranges: 1,1,2 x 9 + 1,1
    // = (9 * 4 + 2) / 29 = 38/29; sigma_within = 38/29/1.128; Cpu = (80 - 51) / (3 sigma_within).
    const sigmaWithin = 38 / 29 / 1.128;
    assert.equal(round4(row.sigma_within), round4(sigmaWithin));
    assert.equal(round4(row.cpu), round4(29 / (3 * sigmaWithin)));
    assert.ok(row.ppu !== null && row.ppu > 0);
    assert.deepEqual(
      [row.cp, row.cpk, row.cpl, row.pp, row.ppk, row.ppl],
      [null, null, null, null, null, null],
    );
  });

  it('gives null, not infinity, when sigma is 0; months are plant-local', () => {
    const row = rows.get('flat_mm 2026-03-01')!;
    assert.equal(row.n, 31, 'the reading at 23:30 UTC on Feb 28 is 00:30 on March 1 in Berlin');
    assert.equal(row.capability_status, 'zero_sigma');
    assert.deepEqual([row.cp, row.cpk, row.pp, row.ppk], [null, null, null, null]);
    assert.equal(rows.has('flat_mm 2026-02-01'), false);
  });

  it('answers any period with the SQL of docs/marts.md, equal to the mart for a whole month', async () => {
    // docs/marts.md "Any other period", over March in Berlin time.
    const [period] = await lake.query<Record<string, number>>(`
      with x as (
        select value, abs(value - lag(value) over (order by ts)) as mr
        from fact_sensor_reading
        where machine_id = 'M1' and sensor = 'thickness_mm' and coalesce(quality, 'good') = 'good'
          and ts >= timestamptz '2026-03-01 00:00:00+01' and ts < timestamptz '2026-04-01 00:00:00+02'
      ),
      s as (select count(*) n, avg(value) mean, avg(mr) / 1.128 sw, stddev_samp(value) so from x),
      spec as (select lsl, usl from stg_sensor_specs where machine_id = 'M1' and sensor = 'thickness_mm')
      select n, mean, sw as sigma_within, so as sigma_overall,
        case when n >= 25 and sw > 0 and lsl < usl then (usl - lsl) / (6 * sw) end as cp,
        case when n >= 25 and sw > 0 and lsl < usl then least(usl - mean, mean - lsl) / (3 * sw) end as cpk,
        case when n >= 25 and so > 0 and lsl < usl then (usl - lsl) / (6 * so) end as pp,
        case when n >= 25 and so > 0 and lsl < usl then least(usl - mean, mean - lsl) / (3 * so) end as ppk
      from s, spec`);
    const month = rows.get('thickness_mm 2026-03-01')!;
    assert.equal(period!.n, month.n);
    for (const column of ['cp', 'cpk', 'pp', 'ppk'] as const)
      assert.equal(round4(period![column]), round4(month[column]), column);
    assert.equal(round4(period!.cp), 1.4667);
  });
});

// A later drop, built incrementally: sensor_day_stats recomputes only the UTC days the new
// readings fall on, and the month figures equal both a full rebuild (to the bit) and the
// statistics of the final good series computed here.
const READINGS_HEADER = 'machine_id,sensor,ts,value,quality';
const DRIFT_SPEC = 'M1,drift_mm,mm,5.70,7.02,6.25';
const firstDrop = [
  ...readingLines('M1', 'drift_mm', '2026-03-10T08:00:00Z', oracle),
  ...readingLines(
    'M1',
    'drift_mm',
    '2026-03-12T08:00:00Z',
    oracle.map((value, i) => value + i / 100),
  ),
  // The only reading of its day.
  'M1,drift_mm,2026-03-20T12:00:00Z,7,good',
];
const laterDrop = [
  // The next day of the month, flat: every moving range 0 but the one from the day before.
  ...readingLines('M1', 'drift_mm', '2026-03-13T08:00:00Z', Array(26).fill(6.3)),
  // Re-sent as bad: left out, its neighbours become consecutive.
  'M1,drift_mm,2026-03-10T08:05:00Z,6.1654,bad',
  // A late reading between two earlier ones.
  'M1,drift_mm,2026-03-10T08:02:30Z,6.5,good',
  // Re-sent as bad: its day keeps no good reading.
  'M1,drift_mm,2026-03-20T12:00:00Z,7,bad',
  // 23:30 on March 31 and 00:30 on April 1 in Berlin (CEST): one UTC day, two plant-local months.
  'M1,drift_mm,2026-03-31T21:30:00Z,6.4,good',
  'M1,drift_mm,2026-03-31T22:30:00Z,6.2,good',
];

/** The good values of `month` in time order after both drops (a later load re-states a reading). */
function finalSeries(inMonth: (ts: string) => boolean): number[] {
  const byTs = new Map<string, { value: number; quality: string }>();
  for (const line of [...firstDrop, ...laterDrop]) {
    const [, , ts, value, quality] = line.split(',') as [string, string, string, string, string];
    byTs.set(new Date(ts).toISOString(), { value: Number(value), quality });
  }
  return [...byTs.entries()]
    .filter(([ts, reading]) => reading.quality === 'good' && inMonth(ts))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, reading]) => reading.value);
}

function statistics(values: number[]) {
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const ranges = values.slice(1).map((value, i) => Math.abs(value - values[i]!));
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return {
    n,
    mean,
    mr_bar: ranges.reduce((sum, range) => sum + range, 0) / ranges.length,
    sigma_overall: Math.sqrt(variance),
  };
}

const closeTo = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

describe('mart_capability after a later drop: incremental, equal to a full rebuild', () => {
  let scratch: Scratch;
  let incremental: BuildResult;
  let full: BuildResult;
  const rows: Record<'incremental' | 'full', { capability: unknown[]; days: unknown[] }> = {
    incremental: { capability: [], days: [] },
    full: { capability: [], days: [] },
  };

  before(async () => {
    scratch = await Scratch.create('lathe-marts-');
    const lake = scratch.path('lake');
    const read = async () => ({
      capability: await queryLake(lake, 'select * from mart_capability order by all'),
      days: await queryLake(lake, 'select * from sensor_day_stats order by all'),
    });
    const build = async (options: { fullRefresh?: boolean } = {}) => {
      const result = await buildWarehouse({ lake, modelsDir: MODELS_DIR, ...options });
      assert.equal(result.status, 'published', JSON.stringify(result.error));
      return result;
    };
    const first = withLines(validDrop(), 'sensor_specs.csv', DRIFT_SPEC);
    await ingestFiles(scratch, withLines(first, 'sensor_readings.csv', ...firstDrop), { lake });
    await build();
    const later = { 'sensor_readings.csv': [READINGS_HEADER, ...laterDrop, ''].join('\n') };
    assert.equal((await ingestFiles(scratch, later, { lake })).status, 'committed');
    incremental = await build();
    rows.incremental = await read();
    full = await build({ fullRefresh: true });
    rows.full = await read();
  });
  after(() => scratch?.dispose());

  it('recomputes only the days the later drop touches', () => {
    const days = incremental.models.find((model) => model.name === 'sensor_day_stats')!;
    // 03-10, 03-13, 03-20 and 03-31, which a Berlin month start splits in two.
    assert.deepEqual([days.mode, days.rows], ['incremental', 5]);
    assert.equal(full.models.find((model) => model.name === 'sensor_day_stats')!.mode, 'full');
  });

  it('gives the same rows as a full rebuild, to the last bit', () => {
    assert.deepEqual(rows.incremental.capability, rows.full.capability);
    assert.deepEqual(rows.incremental.days, rows.full.days);
  });

  it('re-sent, late and month-end readings count as in the final series', async () => {
    const marts = (rows.incremental.capability as Capability[]).filter((row) => row.sensor === 'drift_mm');
    const month = (start: string) =>
      marts.find((row) => String(row.month_start).startsWith(start)) as Capability & { mr_bar: number };
    // April starts at 2026-03-31 22:00Z in Berlin.
    const march = statistics(finalSeries((ts) => ts < '2026-03-31T22:00:00.000Z'));
    assert.equal(march.n, 26 - 1 + 1 + 26 + 26 + 1);
    const row = month('2026-03-01');
    assert.equal(row.n, march.n);
    closeTo(row.mean, march.mean, 'mean');
    closeTo(row.mr_bar, march.mr_bar, 'mr_bar');
    closeTo(row.sigma_overall, march.sigma_overall, 'sigma_overall');
    assert.deepEqual([month('2026-04-01').n, month('2026-04-01').capability_status], [1, 'too_few_readings']);
    const lone = (rows.incremental.days as Record<string, unknown>[]).find(
      (day) => day.sensor === 'drift_mm' && String(day.utc_day).startsWith('2026-03-20'),
    )!;
    assert.deepEqual([lone.readings, lone.good_readings, lone.sum_nano], [1, 0, null]);
  });
});

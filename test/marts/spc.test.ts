/**
 * mart_spc_limits and mart_spc_violations against a hand-made series (CONTRACT §3 Control
 * charts), through ingest, build and query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BuildResult, buildWarehouse } from '../../src/models/index.js';
import { Scratch, validDrop, withLines } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';
import { buildMarts, type MartLake, MODELS_DIR, readingLines, round4 } from './support.js';

// Baseline: 100 good readings alternating 49, 51. CL = 50, MR-bar = 2, sigma = 2 / 1.128 = 1.7730.
// Zones: 1 sigma 51.7730 / 48.2270, 2 sigma 53.5461 / 46.4539, 3 sigma (UCL/LCL) 55.3191 / 44.6809.
const baseline = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 49 : 51));

// Monitored readings (numbered from 1), each rule completed exactly once, every run broken by
// a point exactly on CL (50):
//  2: 56 > UCL                                  -> rule 1 at 2
//  5, 7: 54 > 2 sigma (6 is 50)                 -> rule 2 at 7 (2 of 3), points 5 and 7
//  10, 11, 12, 14: 52 > 1 sigma (13 is 50)      -> rule 3 at 14 (4 of 5), points 10 11 12 14
//  17-24: 51, above CL inside 1 sigma           -> rule 4 at 24, points 17-24
//  26-32: 51 (7 points), 33: 50 on CL, 34: 51   -> no rule 4: the point on CL breaks the run
const monitored = [
  50, 56, 50, 50, 54, 50, 54, 50, 50, 52, 52, 52, 50, 52, 50, 50, 51, 51, 51, 51, 51, 51, 51, 51, 50, 51, 51,
  51, 51, 51, 51, 51, 50, 51,
];
// The same with 50.5 (above CL) instead of the point on CL: the run goes on -> rule 4 at 33 and 34.
const unbroken = monitored.map((value, i) => (i === 32 ? 50.5 : value));

const START = Date.parse('2026-03-10T00:00:00Z');
/** Timestamp of monitored reading k (1-based): baseline takes minutes 0-99. */
const at = (k: number) => new Date(START + (99 + k) * 60_000).toISOString();
const series = (values: number[]) => [...baseline, ...values];

interface Violation {
  sensor: string;
  ts: string;
  rule: number;
  rule_name: string;
  side: string;
  point_count: number;
  point_ts: string[];
}

describe('I-MR control limits and Western Electric rules', () => {
  let lake: MartLake;

  before(async () => {
    const files = withLines(
      validDrop(),
      'sensor_readings.csv',
      ...readingLines('M1', 'up', '2026-03-10T00:00:00Z', series(monitored)),
      // Mirror image around CL: every rule once on the lower side.
      ...readingLines('M1', 'down', '2026-03-10T00:00:00Z', series(monitored.map((value) => 100 - value))),
      ...readingLines('M1', 'unbroken', '2026-03-10T00:00:00Z', series(unbroken)),
      // A bad reading inside the baseline is not part of it (nor of the chart).
      'M1,up,2026-03-10T00:00:10Z,500,bad',
      // 24 good readings: no limits, no violations.
      ...readingLines('M1', 'short', '2026-03-10T00:00:00Z', [...Array(12).fill(40), ...Array(12).fill(90)]),
    );
    lake = await buildMarts(files);
  });
  after(() => lake?.dispose());

  it('sets the limits from the first 100 good readings', async () => {
    const [up] = await lake.query<Record<string, number | string>>(
      `select * replace (strftime(baseline_end_ts, '%Y-%m-%dT%H:%M:%S.000Z') as baseline_end_ts)
       from mart_spc_limits where sensor = 'up'`,
    );
    const sigma = 2 / 1.128;
    assert.equal(up!.baseline_n, 100);
    assert.equal(up!.baseline_end_ts, at(0));
    assert.equal(up!.cl, 50);
    assert.equal(up!.mr_bar, 2);
    assert.equal(round4(up!.sigma as number), 1.773);
    assert.equal(round4(up!.ucl as number), round4(50 + 3 * sigma)); // 55.3191
    assert.equal(round4(up!.lcl as number), round4(50 - 3 * sigma)); // 44.6809
    assert.equal(round4(up!.upper_2sigma as number), round4(50 + 2 * sigma));
    assert.equal(round4(up!.lower_1sigma as number), round4(50 - sigma));
    assert.equal(round4(up!.mr_ucl as number), 6.534); // 3.267 * 2
    const [short] = await lake.query<Record<string, unknown>>(
      `select * from mart_spc_limits where sensor = 'short'`,
    );
    assert.equal(short!.baseline_n, 24);
    assert.equal(short!.limits_status, 'too_few_readings');
    assert.equal(short!.ucl, null);
  });

  async function violations(sensor: string): Promise<Violation[]> {
    return lake.query<Violation>(
      `select sensor, strftime(ts, '%Y-%m-%dT%H:%M:%S.000Z') as ts, rule, rule_name, side, point_count,
         list_transform(point_ts, t -> strftime(t, '%Y-%m-%dT%H:%M:%S.000Z')) as point_ts
       from mart_spc_violations where sensor = '${sensor}' order by ts, rule`,
    );
  }

  it('raises each rule exactly once, at the point that completes it, with its points', async () => {
    assert.deepEqual(await violations('up'), [
      {
        sensor: 'up',
        ts: at(2),
        rule: 1,
        rule_name: 'beyond_3_sigma',
        side: 'upper',
        point_count: 1,
        point_ts: [at(2)],
      },
      {
        sensor: 'up',
        ts: at(7),
        rule: 2,
        rule_name: '2_of_3_beyond_2_sigma',
        side: 'upper',
        point_count: 2,
        point_ts: [at(5), at(7)],
      },
      {
        sensor: 'up',
        ts: at(14),
        rule: 3,
        rule_name: '4_of_5_beyond_1_sigma',
        side: 'upper',
        point_count: 4,
        point_ts: [at(10), at(11), at(12), at(14)],
      },
      {
        sensor: 'up',
        ts: at(24),
        rule: 4,
        rule_name: '8_in_a_row_one_side',
        side: 'upper',
        point_count: 8,
        point_ts: [17, 18, 19, 20, 21, 22, 23, 24].map(at),
      },
    ]);
  });

  it('finds the same on the lower side', async () => {
    const down = await violations('down');
    assert.deepEqual(
      down.map((v) => [v.ts, v.rule, v.side, v.point_count]),
      [
        [at(2), 1, 'lower', 1],
        [at(7), 2, 'lower', 2],
        [at(14), 3, 'lower', 4],
        [at(24), 4, 'lower', 8],
      ],
    );
  });

  it('lets a point exactly on CL break a run of rule 4, and only that', async () => {
    // Sensor 'up' has 7 points above CL, one on CL, one above: no second rule 4 (checked above).
    // With 50.5 instead of 50 the run is 9 long: rule 4 at points 33 and 34.
    const rule4 = (await violations('unbroken')).filter((v) => v.rule === 4);
    assert.deepEqual(
      rule4.map((v) => [v.ts, v.point_ts[0]]),
      [
        [at(24), at(17)],
        [at(33), at(26)],
        [at(34), at(27)],
      ],
    );
    assert.deepEqual(await violations('short'), []);
  });
});

describe('control chart violations built incrementally, load by load', () => {
  // Sensor 'drift' of M1, baseline as above. Load 1 brings monitored readings 1-12: rule 1 at 2,
  // and 6-12 above CL (7 points, no rule 4 yet). Load 2 brings 13-18: 13 and 14 complete rule 4
  // with windows reaching back into load 1; 16 and 18 beyond 2 sigma (17 on CL): rule 2 at 18.
  // Load 3 brings a late reading on CL between 8 and 9 (it breaks the run: both rule 4
  // violations must go) and a later one, 19, beyond UCL (rule 1, and rule 2 with 18). Load 4
  // resumes two days later with 54: rules 2 (18, 19 and it) and 3 (16, 18, 19 and it), with
  // points from before the gap.
  const firstLoad = [50, 56, 50, 50, 50, 51, 51, 51, 51, 51, 51, 51];
  const secondLoad = [51, 51, 50, 54, 50, 54];
  const lateTs = new Date(Date.parse(at(8)) + 30_000).toISOString();
  const afterGap = new Date(Date.parse(at(19)) + 2 * 86_400_000).toISOString();
  const driftFile = (lines: string[]) => ({
    'sensor_readings.csv': ['machine_id,sensor,ts,value,quality', ...lines, ''].join('\n'),
  });

  let scratch: Scratch;
  let lake: string;
  /** Per load: the build after it, and a `--full-refresh` build of the same loads. */
  const builds: Record<string, { build: BuildResult; full: BuildResult }> = {};

  async function build(fullRefresh = false): Promise<BuildResult> {
    const result = await buildWarehouse({ lake, modelsDir: MODELS_DIR, fullRefresh });
    assert.equal(result.status, 'published', JSON.stringify(result.error ?? result.models));
    return result;
  }

  async function loadAndBuild(name: string, files: Record<string, string>): Promise<void> {
    assert.equal((await ingestFiles(scratch, files)).status, 'committed');
    const result = await build();
    builds[name] = { build: result, full: await build(true) };
  }

  function violationsMode(name: string) {
    const model = builds[name]!.build.models.find((m) => m.name === 'mart_spc_violations')!;
    return { mode: model.mode, full_reason: model.full_reason };
  }

  /** (ts, rule, first point) of sensor drift's violations as the build after load `name` has them. */
  async function drift(name: string) {
    const rows = await queryLake<{ ts: string; rule: number; first_point: string }>(
      lake,
      `select strftime(ts, '%Y-%m-%dT%H:%M:%S.000Z') as ts, rule,
         strftime(point_ts[1], '%Y-%m-%dT%H:%M:%S.000Z') as first_point
       from mart_spc_violations where sensor = 'drift' order by ts, rule`,
      builds[name]!.build.build_id,
    );
    return rows.map((v) => [v.ts, v.rule, v.first_point]);
  }

  /** Every column of every violation of the build after load `name` equals its --full-refresh twin. */
  async function assertEqualsFullRefresh(name: string): Promise<void> {
    const rows = (buildId: string) =>
      queryLake(lake, 'select * from mart_spc_violations order by machine_id, sensor, ts, rule', buildId);
    assert.deepEqual(
      await rows(builds[name]!.build.build_id),
      await rows(builds[name]!.full.build_id),
      `after load ${name}, the build equals --full-refresh`,
    );
  }

  before(async () => {
    scratch = await Scratch.create('lathe-spc-inc-');
    lake = scratch.path('lake');
    await loadAndBuild(
      'first',
      withLines(
        validDrop(),
        'sensor_readings.csv',
        ...readingLines('M1', 'drift', '2026-03-10T00:00:00Z', series(firstLoad)),
      ),
    );
    await loadAndBuild('later', driftFile(readingLines('M1', 'drift', at(13), secondLoad)));
    await loadAndBuild(
      'late',
      driftFile([`M1,drift,${lateTs},50,good`, ...readingLines('M1', 'drift', at(19), [56])]),
    );
    await loadAndBuild('gap', driftFile(readingLines('M1', 'drift', afterGap, [54])));
  });
  after(() => scratch?.dispose());

  it('builds only the new readings, with windows reaching into the earlier load', async () => {
    assert.deepEqual(violationsMode('first'), { mode: 'full', full_reason: 'first incremental build' });
    assert.deepEqual(violationsMode('later'), { mode: 'incremental', full_reason: undefined });
    assert.deepEqual(await drift('later'), [
      [at(2), 1, at(2)],
      [at(13), 4, at(6)],
      [at(14), 4, at(7)],
      [at(18), 2, at(16)],
    ]);
    await assertEqualsFullRefresh('later');
  });

  it('rebuilds in full when a reading arrives late, so violations it breaks disappear', async () => {
    assert.deepEqual(violationsMode('late'), { mode: 'full', full_reason: 'full_refresh_if is true' });
    assert.deepEqual(await drift('late'), [
      [at(2), 1, at(2)],
      [at(18), 2, at(16)],
      [at(19), 1, at(19)],
      [at(19), 2, at(18)],
    ]);
    await assertEqualsFullRefresh('late');
  });

  it('rebuilds in full when the day before the new readings holds too few for a window', async () => {
    assert.deepEqual(violationsMode('gap'), { mode: 'full', full_reason: 'full_refresh_if is true' });
    assert.deepEqual(
      (await drift('gap')).filter(([ts]) => ts === afterGap),
      [
        [afterGap, 2, at(18)],
        [afterGap, 3, at(16)],
      ],
    );
    await assertEqualsFullRefresh('gap');
  });
});

describe('a re-sent latest reading', () => {
  it('rebuilds the violations in full, so the violation its old value raised goes', async () => {
    const scratch = await Scratch.create('lathe-spc-resent-');
    try {
      const lake = scratch.path('lake');
      const base = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 49 : 51));
      // 56 after the baseline is beyond UCL = 55.32: a rule-1 violation, the sensor's latest reading.
      const lines = readingLines('M1', 'drift', '2026-03-10T00:00:00Z', [...base, 50, 56]);
      await ingestFiles(scratch, withLines(validDrop(), 'sensor_readings.csv', ...lines), { lake });
      await buildWarehouse({ lake, modelsDir: MODELS_DIR });
      const violations = "select rule, value from mart_spc_violations where sensor = 'drift' order by all";
      assert.deepEqual(await queryLake(lake, violations), [{ rule: 1, value: 56 }]);
      const ts = lines.at(-1)!.split(',')[2];
      await ingestFiles(
        scratch,
        { 'sensor_readings.csv': `machine_id,sensor,ts,value,quality\nM1,drift,${ts},50,good\n` },
        { lake },
      );
      const build = await buildWarehouse({ lake, modelsDir: MODELS_DIR });
      const mart = build.models.find((model) => model.name === 'mart_spc_violations')!;
      assert.deepEqual([mart.mode, mart.full_reason], ['full', 'full_refresh_if is true']);
      assert.deepEqual(await queryLake(lake, violations), [], 'the corrected reading raises nothing');
    } finally {
      await scratch.dispose();
    }
  });
});

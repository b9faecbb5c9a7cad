/**
 * The safety net for incremental builds: a lake that grew load by load and was built
 * incrementally after each load must hold exactly the rows a full rebuild of the same loads
 * gives, in every model of the project (tables, incremental models and views alike).
 *
 * One generated factory (2 plants, Europe/Berlin and America/Chicago, 4 machines) arrives the
 * way a plant sends its next day (a continuation drop with `idPrefix`, as bench/build.ts does):
 *   load 1  2026-03-29..30 (Europe's daylight-saving change)       build 1: full (first build)
 *   load 2  2026-03-31 (the same plant-local month)                build 2: incremental
 *   load 3  2026-04-01 (a new month)                               build 3: incremental
 *   load 4  readings re-sent with new values or quality, and       build 4: incremental
 *           late readings between earlier ones (all four days);
 *           downtime events re-sent (one now bridges two stops, one
 *           turns planned, one is shortened, one moved later), a late
 *           one, a change inside a 38 h stop sent with load 3; a shift
 *           re-sent shorter, the next starting later
 * Then in the same lake, so that load ids (carried by facts and dimension keys) are the same:
 * `--full-refresh --as-of load 3` (compared with build 3) and `--full-refresh` (with build 4).
 * Set LATHE_EQUIVALENCE_MODELS to a models folder to run the same check on another project,
 * e.g. a copy with an incremental model broken on purpose.
 */
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { factorySource } from '../../src/contract/factory.js';
import { generateFactory } from '../../src/generate/index.js';
import { ingestDrop } from '../../src/ingest/load.js';
import { DuckSession, sqlString } from '../../src/lake/duckdb.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readBuildManifest } from '../../src/lake/manifest.js';
import { type BuildResult, buildWarehouse, loadProject } from '../../src/models/index.js';
import { Scratch } from '../support/drop.js';
import { compareBuildCopies, copyBuildModels, DOUBLE_RELATIVE_TOLERANCE } from './incremental-equivalence.js';
import { blockingProblems, MODELS_DIR } from './support.js';

const MODELS = process.env.LATHE_EQUIVALENCE_MODELS ?? MODELS_DIR;
/** A small factory (about 25 000 readings), so that the six builds take well under a minute. */
const FACTORY = { seed: 11, scale: 'small', plants: 2, linesPerPlant: 1, machinesPerLine: 2 } as const;
const DAYS = [
  { start: '2026-03-29', days: 2, idPrefix: '' },
  { start: '2026-03-31', days: 1, idPrefix: 'D2' },
  { start: '2026-04-01', days: 1, idPrefix: 'D3' },
];

/** Late and re-sent readings are from this time on (ISO text compares as time). */
const AFTER_BASELINES = '2026-03-30T00:00:00Z';

describe('incremental builds equal a full rebuild of the same loads', () => {
  let scratch: Scratch;
  let lake: string;
  let models: string[];
  const loads: string[] = [];
  /** Builds 1-4, each right after its load. */
  const builds: BuildResult[] = [];
  let fullOfLoad3: BuildResult;
  let fullOfLoad4: BuildResult;

  const ingest = async (drop: string) => {
    const load = await ingestDrop({ lake, drop, source: factorySource() });
    assert.equal(load.status, 'committed', JSON.stringify(load.load.error));
    // The drops are meant to load whole: a quarantined row would leave the scenario short.
    assert.equal(load.load.rows_quarantined, 0, `${drop}: quarantined rows`);
    loads.push(load.load.load_id);
  };
  const build = (options: { asOfLoad?: string; fullRefresh?: boolean } = {}) =>
    buildWarehouse({ lake, modelsDir: MODELS, parallelism: 2, ...options });

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    models = (await loadProject(MODELS)).models.map((model) => model.name);
    const readings: string[] = [];
    const downtime: string[] = [];
    for (const [index, day] of DAYS.entries()) {
      const out = scratch.path(`drop-${index + 1}`);
      await generateFactory({ ...FACTORY, ...day, out });
      readings.push(await readFile(`${out}/sensor_readings.csv`, 'utf8'));
      if (index === 2) await appendFile(`${out}/downtime_events.csv`, `${LONG_STOP}\n`);
      downtime.push(await readFile(`${out}/downtime_events.csv`, 'utf8'));
      await ingest(out);
      builds.push(await build());
    }
    const shifts = await readFile(scratch.path('drop-1', 'shifts.csv'), 'utf8');
    await ingest(
      await scratch.drop('drop-4', {
        'sensor_readings.csv': laterReadings(readings),
        'downtime_events.csv': resentDowntime(downtime),
        'shifts.csv': shorterShift(shifts),
      }),
    );
    builds.push(await build());
    fullOfLoad3 = await build({ asOfLoad: loads[2], fullRefresh: true });
    fullOfLoad4 = await build({ fullRefresh: true });
    for (const result of [...builds, fullOfLoad3, fullOfLoad4])
      assert.equal(
        result.status,
        'published',
        `${labelOf(result)} (${result.build_id}) did not publish:\n${blockingProblems(result).join('\n')}`,
      );
  });
  after(() => scratch.dispose());

  test('the builds after each load ran incrementally where models allow; --full-refresh in full', async () => {
    for (const [index, result] of builds.entries()) {
      const modes = result.models
        .filter((model) => model.mode)
        .map(
          (model) =>
            `${model.name}=${model.mode} ${model.mode === 'full' ? extras(model) : `(${model.rows} rows)`}`,
        );
      // Which models ran incrementally is read, not asserted: more models are becoming incremental.
      console.log(`build ${index + 1} (${result.build_id}): ${modes.join(', ') || 'no incremental model'}`);
    }
    const sensor = (result: BuildResult) =>
      result.models.find((model) => model.name === 'fact_sensor_reading');
    assert.equal(sensor(builds[0]!)?.mode, 'full', 'the first build reads every load');
    for (const [index, result] of builds.entries()) {
      if (index === 0) continue;
      const model = sensor(result);
      assert.equal(model?.mode, 'incremental', `fact_sensor_reading in build ${index + 1}`);
      assert.ok(model.rows! > 0, `build ${index + 1} wrote the load's readings`);
    }
    // The stop chain recomputed only what the re-sent downtime and shift can change, and took
    // out stops that merged away: else the comparison below would not test it.
    const stops = (name: string) => builds[3]!.models.find((model) => model.name === name)!;
    assert.equal(stops('stop_merged').mode, 'incremental');
    assert.equal(stops('fact_stop_segment').mode, 'incremental');
    const rebuilt = (name: string) => fullOfLoad4.models.find((model) => model.name === name)!.rows!;
    for (const name of ['stop_merged', 'fact_stop_segment']) {
      const rows = stops(name).rows!;
      assert.ok(rows > 0 && rows < rebuilt(name), `${name}: build 4 wrote ${rows} of ${rebuilt(name)} rows`);
    }
    const manifest = await readBuildManifest(new LakeLayout(lake), builds[3]!.build_id);
    assert.ok(
      manifest!.models.stop_merged!.parts.at(-1)!.replaces! > 0,
      'the stop merged away was taken out',
    );
    for (const result of [fullOfLoad3, fullOfLoad4]) {
      const partial = result.models.filter((model) => model.mode && model.mode !== 'full');
      assert.deepEqual(
        partial.map((model) => model.name),
        [],
        'a --full-refresh build reads every load for every incremental model',
      );
    }
    assert.equal(fullOfLoad3.load_id, loads[2]);
  });

  test('after the next days: every model of the incremental build equals the full rebuild', async () => {
    await assertSameRows(builds[2]!, fullOfLoad3);
  });

  test('after re-sent and late readings: every model equals the full rebuild', async () => {
    await assertSameRows(builds[3]!, fullOfLoad4);
  });

  test('the comparison is not blind: build 1 (one load) against the full rebuild of load 3', async () => {
    const some = ['fact_sensor_reading', 'fact_machine_shift', 'mart_capability'];
    const differences = await compareBuilds(builds[0]!, fullOfLoad3, some);
    assert.deepEqual(
      differences.map((difference) => difference.model),
      some,
    );
    // Build 1 lacks the readings of loads 2 and 3, and has none that the rebuild lacks.
    assert.match(
      differences[0]!.lines[0]!,
      /^build 1: (\d+) rows, full rebuild of load 3: \d+ rows; 0 only in build 1, [1-9]\d* only in full/,
    );
  });

  /** Every model's rows in `incremental` and `full`, as multisets. */
  async function assertSameRows(incremental: BuildResult, full: BuildResult): Promise<void> {
    const differences = await compareBuilds(incremental, full, models);
    const report = differences.map((difference) => [`${difference.model}:`, ...difference.lines].join('\n'));
    assert.deepEqual(
      report,
      [],
      `models whose rows differ between the incremental build ${incremental.build_id} and the full build ` +
        `${full.build_id} (a DOUBLE may differ by a relative ${DOUBLE_RELATIVE_TOLERANCE} of itself or its column, ` +
        `anything else not at all):\n${report.join('\n')}`,
    );
  }

  async function compareBuilds(left: BuildResult, right: BuildResult, names: string[]) {
    const side = async (result: BuildResult) => {
      const label = labelOf(result);
      const copies = await copyBuildModels(
        lake,
        result.build_id,
        names,
        scratch.path('copies', result.build_id),
      );
      return { label, copies };
    };
    const [a, b] = [await side(left), await side(right)];
    assert.equal(a.copies.size, names.length, `${a.label} has every model of the project`);
    return compareBuildCopies(names, a, b);
  }

  function labelOf(result: BuildResult): string {
    const index = builds.indexOf(result);
    if (index >= 0) return `build ${index + 1}`;
    return `full rebuild of load ${loads.indexOf(result.load_id) + 1}`;
  }
});

describe('the comparison of two builds', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(() => scratch.dispose());

  /** Differences between two one-model "builds" given as SQL rows of (machine_id, run_s DOUBLE). */
  async function compare(left: string, right: string): Promise<string[]> {
    const db = await DuckSession.open();
    const side = async (label: string, rows: string) => {
      const file = scratch.path(`${label}.parquet`);
      await db.run(`COPY (SELECT * FROM (VALUES ${rows}) v(machine_id, run_s)) TO ${sqlString(file)}`);
      const columns = [
        { name: 'machine_id', type: 'VARCHAR' },
        { name: 'run_s', type: 'DOUBLE' },
      ];
      return { label, copies: new Map([['m', { columns, file }]]) };
    };
    try {
      const [a, b] = [await side('a', left), await side('b', right)];
      return (await compareBuildCopies(['m'], a, b)).flatMap((difference) => difference.lines);
    } finally {
      db.close();
    }
  }

  test('float noise passes; a changed value, a NULL or a duplicated row does not', async () => {
    const rows = "('M1', 3600.0::double), ('M2', NULL), ('M3', 1e-13), ('M3', 1e-13)";
    assert.deepEqual(
      await compare(rows, "('M3', 1e-13), ('M1', 3600.000000000001), ('M3', 0.0), ('M2', NULL)"),
      [],
    );
    assert.match(
      (await compare(rows, "('M1', 3600.001), ('M2', NULL), ('M3', 1e-13), ('M3', 1e-13)"))[0]!,
      /1 rows differ/,
    );
    assert.match(
      (await compare(rows, "('M1', 3600.0), ('M2', 0.0), ('M3', 1e-13), ('M3', 1e-13)"))[0]!,
      /1 rows differ/,
    );
    assert.match(
      (await compare(rows, "('M1', 3600.0), ('M2', NULL), ('M3', 1e-13), ('M1', 3600.0)"))[0]!,
      /1 rows differ/,
    );
    assert.match(
      (await compare(rows, "('M1', 3600.0), ('M2', NULL), ('M3', 1e-13)"))[0]!,
      /a: 4 rows, b: 3 rows; 1 only in a, 0 only in b/,
    );
  });
});

/**
 * A later load of readings for times already built, from the three drops' readings: some
 * re-sent with another value or quality (the key supersedes the earlier reading), and some
 * new readings between two earlier ones (a sensor buffer flushed late). None on the first
 * day, which holds the SPC baselines (first 100 good readings): changed control limits would
 * rebuild the SPC marts in full, and the incremental path for late readings would go untried.
 */
function laterReadings(files: string[]): string {
  const lines = files
    .flatMap((file) => file.trim().split('\n').slice(1))
    .filter((line) => line.split(',')[2]! >= AFTER_BASELINES);
  const out = ['machine_id,sensor,ts,value,quality'];
  for (const [index, line] of lines.entries()) {
    const [machine, sensor, ts, value, quality] = line.split(',') as [string, string, string, string, string];
    if (index % 97 === 0)
      out.push([machine, sensor, ts, (Number(value) + 0.75).toFixed(3), quality].join(','));
    else if (index % 89 === 0)
      out.push([machine, sensor, ts, value, quality === 'good' ? 'bad' : 'good'].join(','));
    else if (index % 61 === 0) {
      const late = new Date(Date.parse(ts) + 150_000).toISOString().replace('.000Z', 'Z');
      out.push([machine, sensor, late, (Number(value) * 1.01).toFixed(3), 'good'].join(','));
    }
  }
  return `${out.join('\n')}\n`;
}

/** A planned stop of 38 h sent with load 3: a change inside it lies more than a day after its start. */
const LONG_STOP = 'LONG-1,P2-L1-M1,2026-03-30T06:00:00Z,2026-03-31T20:00:00Z,NO-DEMAND,,';
const PLANNED = new Set(['BRK-SHORT', 'BRK-MEAL', 'NO-DEMAND', 'PM-SCHED']);
const DOWNTIME_HEADER = 'event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note';

/**
 * Downtime events re-sent a day or more later, the way an MES corrects its log:
 * - on P1-L1-M1's 30 March, one unplanned event now ends inside the next (their stops merge:
 *   one stop goes), one turns planned (it leaves the unplanned stops), one is shortened, one
 *   was logged on the wrong machine (it moves to P2-L1-M2);
 * - on P2-L1-M2's 30 March, the first unplanned event moved two hours later (its stop goes
 *   from where it was, with nothing earlier changed on that machine);
 * - a late breakdown on P1-L1-M2's 29 March;
 * - on P2-L1-M1, a planned event inside LONG_STOP, more than a day after it began, ends a
 *   minute later (the stop to recompute began before the day the build looks back).
 */
function resentDowntime(files: string[]): string {
  type Event = { id: string; machine: string; start: string; end: string; reason: string };
  const events: Event[] = files
    .flatMap((file) => file.trim().split('\n').slice(1))
    .map((line) => line.split(','))
    .filter((fields) => fields.length === 7 && fields[3] !== '')
    .map(([id, machine, start, end, reason]) => ({
      id: id!,
      machine: machine!,
      start: start!,
      end: end!,
      reason: reason!,
    }))
    .sort((a, b) => a.start.localeCompare(b.start));
  const unplanned = (machine: string) =>
    events.filter((e) => e.machine === machine && e.start.startsWith('2026-03-30') && !PLANNED.has(e.reason));
  const shifted = (iso: string, seconds: number) =>
    new Date(Date.parse(iso) + seconds * 1000).toISOString().replace('.000Z', 'Z');
  const [bridging, bridged, , , turned, , shortened, , reassigned] = unplanned('P1-L1-M1');
  const [moved] = unplanned('P2-L1-M2');
  const insideLong = events.find(
    (e) =>
      e.machine === 'P2-L1-M1' &&
      PLANNED.has(e.reason) &&
      e.id !== 'LONG-1' &&
      e.start > '2026-03-31T06:00:00Z' &&
      e.end < '2026-03-31T20:00:00Z',
  );
  if (!bridging || !bridged || !turned || !shortened || !reassigned || !moved || !insideLong)
    throw new Error('the generated downtime no longer has the events this scenario re-sends');
  const row = (e: Event) => [e.id, e.machine, e.start, e.end, e.reason, '', ''].join(',');
  return `${[
    DOWNTIME_HEADER,
    row({ ...bridging, end: shifted(bridged.start, 30) }),
    row({ ...turned, reason: 'PM-SCHED' }),
    row({ ...shortened, end: shifted(shortened.start, 5) }),
    row({ ...moved, start: shifted(moved.start, 7200), end: shifted(moved.end, 7200) }),
    row({ ...reassigned, machine: 'P2-L1-M2' }),
    row({
      id: 'LATE-1',
      machine: 'P1-L1-M2',
      start: '2026-03-29T10:00:00Z',
      end: '2026-03-29T10:20:00Z',
      reason: 'BD-MECH',
    }),
    row({ ...insideLong, end: shifted(insideLong.end, 60) }),
  ].join('\n')}\n`;
}

/** P1's shifts of 30 March re-sent: the first ends 30 minutes earlier, the second starts 15 minutes later. */
function shorterShift(file: string): string {
  const [header, ...lines] = file.trim().split('\n');
  const [first, second] = lines.filter((line) => line.startsWith('P1-20260330-'));
  if (!first || !second) throw new Error('the generated shifts no longer have two P1 shifts on 30 March');
  const moved = (line: string, field: 3 | 4, seconds: number) => {
    const fields = line.split(',');
    fields[field] = new Date(Date.parse(fields[field]!) + seconds * 1000).toISOString().replace('.000Z', 'Z');
    return fields.join(',');
  };
  return `${header}\n${moved(first, 4, -1800)}\n${moved(second, 3, 900)}\n`;
}

/** The fields of a model's build record beyond the usual ones (e.g. why it ran in full). */
function extras(model: BuildResult['models'][number]): string {
  const { name, layer, materialized, status, rows, seconds, mode, since_load_id, ...rest } = model;
  return Object.keys(rest).length > 0 ? JSON.stringify(rest) : '';
}

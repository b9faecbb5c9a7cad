import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { readBuildManifest } from '../../src/lake/manifest.js';
import { type BuildResult, buildWarehouse } from '../../src/models/index.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';

const INCREMENTAL = new URL('../fixtures/models/incremental', import.meta.url).pathname;
const COUNT_HEADER =
  'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count';

/** A second load: M1 costs more, M3 is new; one new count interval and one re-sent key (M1 05:00) corrected. */
const load2 = {
  'machines.csv': `machine_id,line_id,machine_name,machine_type,line_position,hourly_cost,crew_size
M1,L1,Press,press,1,85,1
M2,L1,Mill,mill,2,95,0.5
M3,L1,Deburr,deburr,3,60,1
`,
  'production_counts.csv': `${COUNT_HEADER}
M1,PO1,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,2990,30
M1,PO1,A,O1,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,3050,15
`,
};

const totals = (lake: string, asOf?: string) =>
  queryLake(lake, 'select machine_id, total from machine_totals order by machine_id', asOf);

describe('incremental models, source history and time travel', () => {
  let scratch: Scratch;
  let lake: string;
  let loads: string[];
  let first: BuildResult;
  let second: BuildResult;

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    loads = [(await ingestFiles(scratch, validDrop(), { lake })).load.load_id];
    first = await buildWarehouse({ lake, modelsDir: INCREMENTAL });
    loads.push((await ingestFiles(scratch, load2, { lake })).load.load_id);
    second = await buildWarehouse({ lake, modelsDir: INCREMENTAL });
  });
  after(() => scratch.dispose());

  it('the first build reads every load; the next one only the new load, and upserts by key', async () => {
    assert.equal(first.status, 'published');
    assert.equal(second.status, 'published');
    const inc1 = first.models.find((model) => model.name === 'counts_inc')!;
    const inc2 = second.models.find((model) => model.name === 'counts_inc')!;
    assert.deepEqual([inc1.mode, inc1.rows], ['full', 3]);
    assert.deepEqual([inc2.mode, inc2.since_load_id, inc2.rows], ['incremental', loads[0], 2]);
    const manifest = await readBuildManifest(new LakeLayout(lake), second.build_id);
    const parts = manifest!.models.counts_inc!.parts;
    assert.deepEqual(
      parts.map((part) => [part.buildId, part.rows]),
      [
        [first.build_id, 3],
        [second.build_id, 2],
      ],
      'only the new rows were written, as a second part',
    );
    assert.deepEqual(
      parts.map((part) => part.replaces),
      [undefined, 1],
      'the second part re-states one earlier key (M1 05:00): readers take that row out',
    );
    const rows = await queryLake(
      lake,
      "select machine_id, strftime(interval_start, '%H:%M') as start, total_count, loaded_by from counts_inc order by 1, 2",
    );
    assert.deepEqual(rows, [
      { machine_id: 'M1', start: '05:00', total_count: 2990, loaded_by: loads[1] },
      { machine_id: 'M1', start: '06:00', total_count: 3100, loaded_by: loads[0] },
      { machine_id: 'M1', start: '07:00', total_count: 3050, loaded_by: loads[1] },
      { machine_id: 'M2', start: '05:00', total_count: 2000, loaded_by: loads[0] },
    ]);
    assert.deepEqual(await totals(lake), [
      { machine_id: 'M1', total: 9140 },
      { machine_id: 'M2', total: 2000 },
    ]);
  });

  it('an incremental build tests row by row only its new rows, when the rest passed before', () => {
    const test = (build: BuildResult, name: string) =>
      build.tests.find((t) => t.model === 'counts_inc' && t.name === name)!;
    const notNull = 'not_null(machine_id, interval_start)';
    assert.deepEqual([test(first, notNull).status, test(first, notNull).scope], ['pass', undefined]);
    assert.deepEqual([test(second, notNull).status, test(second, notNull).scope], ['pass', 'new_rows']);
    // under_3050 failed on the first load's 3100, so the second build judges every row again:
    // the old 3100 and the new 3050 (and not the corrected 2990).
    assert.equal(test(first, 'under_3050').failing_rows, 1);
    assert.deepEqual(
      [test(second, 'under_3050').failing_rows, test(second, 'under_3050').scope],
      [2, undefined],
    );
  });

  it('the incremental result equals a full rebuild', async () => {
    const scratch2 = await Scratch.create();
    try {
      const lake2 = scratch2.path('lake');
      await ingestFiles(scratch2, validDrop(), { lake: lake2 });
      await ingestFiles(scratch2, load2, { lake: lake2 });
      const full = await buildWarehouse({ lake: lake2, modelsDir: INCREMENTAL });
      assert.equal(full.models.find((model) => model.name === 'counts_inc')!.mode, 'full');
      const sql = 'select machine_id, interval_start, total_count from counts_inc order by all';
      assert.deepEqual(await queryLake(lake2, sql), await queryLake(lake, sql));
    } finally {
      await scratch2.dispose();
    }
  });

  it('source_history has every version of a master-data entity with its load and commit time', async () => {
    const rows = await queryLake<{
      machine_id: string;
      hourly_cost: number;
      _load_id: string;
      loaded: string;
    }>(
      lake,
      "select machine_id, hourly_cost, _load_id, strftime(_loaded_at, '%Y') as loaded from machine_versions order by 1, 3",
    );
    assert.deepEqual(
      rows.map((row) => [row.machine_id, row.hourly_cost, row._load_id]),
      [
        ['M1', 80, loads[0]],
        ['M1', 85, loads[1]],
        ['M2', 95, loads[0]],
        ['M2', 95, loads[1]],
        ['M3', 60, loads[1]],
      ],
    );
    assert.ok(rows.every((row) => /^\d{4}$/.test(row.loaded)));
  });

  it('time travel: a model as of an older build, or as of a load', async () => {
    const old = [
      { machine_id: 'M1', total: 6100 },
      { machine_id: 'M2', total: 2000 },
    ];
    assert.deepEqual(await totals(lake, first.build_id), old);
    assert.deepEqual(await totals(lake, loads[0]), old, 'as of the first load: the build that read it');
    assert.deepEqual(await totals(lake, loads[1]), await totals(lake));
    // Raw entities follow the same as-of: the first load had no M3.
    assert.deepEqual(await queryLake(lake, 'select count(*)::int as n from machines', first.build_id), [
      { n: 2 },
    ]);
  });

  it('a build with no new load adds no part; --full-refresh rebuilds from every load', async () => {
    const again = await buildWarehouse({ lake, modelsDir: INCREMENTAL, select: 'counts_inc+' });
    const inc = again.models.find((model) => model.name === 'counts_inc')!;
    assert.deepEqual([inc.mode, inc.rows], ['incremental', 0]);
    assert.equal(again.models.find((model) => model.name === 'machine_versions')!.status, 'reused');
    const layout = new LakeLayout(lake);
    assert.equal((await readBuildManifest(layout, again.build_id))!.models.counts_inc!.parts.length, 2);
    const refreshed = await buildWarehouse({ lake, modelsDir: INCREMENTAL, fullRefresh: true });
    const full = refreshed.models.find((model) => model.name === 'counts_inc')!;
    assert.deepEqual([full.mode, full.rows], ['full', 4]);
    assert.equal((await readBuildManifest(layout, refreshed.build_id))!.models.counts_inc!.parts.length, 1);
    assert.deepEqual(await totals(lake), [
      { machine_id: 'M1', total: 9140 },
      { machine_id: 'M2', total: 2000 },
    ]);
  });

  it('--as-of rebuilds history: a build from the first load', async () => {
    const rebuilt = await buildWarehouse({ lake, modelsDir: INCREMENTAL, asOfLoad: loads[0] });
    assert.equal(rebuilt.status, 'published');
    assert.equal(rebuilt.load_id, loads[0]);
    assert.equal(rebuilt.models.find((model) => model.name === 'counts_inc')!.mode, 'full');
    assert.deepEqual(await totals(lake), [
      { machine_id: 'M1', total: 6100 },
      { machine_id: 'M2', total: 2000 },
    ]);
  });
});

describe('relationships of an incremental model', () => {
  let scratch: Scratch;
  const builds: BuildResult[] = [];
  const relationship = (build: BuildResult) =>
    build.tests.find((t) => t.model === 'counts_inc' && t.kind === 'relationships')!;

  before(async () => {
    scratch = await Scratch.create();
    const lake = scratch.path('lake');
    const build = async () => builds.push(await buildWarehouse({ lake, modelsDir: INCREMENTAL }));
    await ingestFiles(scratch, validDrop(), { lake });
    await build();
    // New counts; the machines (what the test points to) as they were.
    await ingestFiles(
      scratch,
      {
        'production_counts.csv': `${COUNT_HEADER}\nM1,PO1,A,O1,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,3000,0\n`,
      },
      { lake },
    );
    await build();
    // M2 leaves the machines snapshot: its earlier counts now point nowhere.
    const machines = validDrop()
      ['machines.csv']!.split('\n')
      .filter((line) => !line.startsWith('M2,'))
      .join('\n');
    await ingestFiles(scratch, { 'machines.csv': machines }, { lake });
    await build();
  });
  after(() => scratch.dispose());

  it('checks only the new rows while the model pointed to is unchanged, and every row once it changed', () => {
    assert.deepEqual(
      builds.map((build) => [relationship(build).status, relationship(build).scope ?? 'whole']),
      [
        ['pass', 'whole'],
        ['pass', 'new_rows'],
        ['fail', 'whole'],
      ],
    );
    assert.equal(relationship(builds[1]!).target_fingerprint, relationship(builds[0]!).target_fingerprint);
    assert.deepEqual(
      relationship(builds[2]!).sample.map((row) => (row as { machine_id: string }).machine_id),
      ['M2'],
      "M2's earlier count, which no new row has",
    );
  });
});

describe('incremental models that recompute whole scopes from new_rows()', () => {
  let scratch: Scratch;
  let lake: string;
  const builds: BuildResult[] = [];
  const hours = (build: BuildResult) => build.models.find((model) => model.name === 'machine_hours')!;
  const machineHours = () =>
    queryLake(lake, 'select machine_id, intervals, total, cost from machine_hours order by machine_id');

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    const step = async (files: Record<string, string>) => {
      assert.equal((await ingestFiles(scratch, files, { lake })).load.status, 'committed');
      builds.push(await buildWarehouse({ lake, modelsDir: INCREMENTAL }));
    };
    await step(validDrop());
    await step(load2);
    // Counts only: one new interval of M2.
    await step({
      'production_counts.csv': `${COUNT_HEADER}\nM2,PO1,A,,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,1900,5\n`,
    });
    // A backfill from before March 2: the model's full_refresh_if.
    await step({
      'production_counts.csv': `${COUNT_HEADER}\nM2,PO1,A,,2026-03-01T22:00:00Z,2026-03-01T23:00:00Z,500,0\n`,
    });
  });
  after(() => scratch.dispose());

  it('builds in full when it must, and says why', () => {
    assert.ok(builds.every((build) => build.status === 'published'));
    assert.deepEqual(
      builds.map((build) => [hours(build).mode, hours(build).full_reason]),
      [
        ['full', 'first incremental build'],
        ['full', 'its input machine_cost_rates changed'],
        ['incremental', undefined],
        ['full', 'full_refresh_if is true'],
      ],
    );
  });

  it('an incremental build rewrites only the touched scope, and the result equals a full rebuild', async () => {
    assert.equal(hours(builds[2]!).rows, 1, 'only machine M2 was recomputed');
    const counts = (await readBuildManifest(new LakeLayout(lake), builds[2]!.build_id))!.models.counts_inc!;
    assert.equal(
      counts.parts.at(-1)!.replaces,
      0,
      "M2's new interval only adds a row: no anti join to read it",
    );
    const layout = new LakeLayout(lake);
    const parts = (await readBuildManifest(layout, builds[2]!.build_id))!.models.machine_hours!.parts;
    assert.deepEqual(
      parts.map((part) => [part.buildId, part.rows]),
      [
        [builds[1]!.build_id, 2],
        [builds[2]!.build_id, 1],
      ],
    );
    const asOfThird = await queryLake(
      lake,
      'select machine_id, intervals, total, cost from machine_hours order by machine_id',
      builds[2]!.build_id,
    );
    assert.deepEqual(asOfThird, [
      { machine_id: 'M1', intervals: 3, total: 9140, cost: 255 },
      { machine_id: 'M2', intervals: 2, total: 3900, cost: 190 },
    ]);
    const incremental = await machineHours();
    const refreshed = await buildWarehouse({ lake, modelsDir: INCREMENTAL, fullRefresh: true });
    assert.equal(hours(refreshed).full_reason, '--full-refresh');
    assert.deepEqual(await machineHours(), incremental);
    assert.deepEqual(
      incremental[1],
      { machine_id: 'M2', intervals: 3, total: 4400, cost: 285 },
      'with the backfill',
    );
  });
});

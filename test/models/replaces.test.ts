import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { readBuildManifest } from '../../src/lake/manifest.js';
import { type BuildResult, buildWarehouse } from '../../src/models/index.js';
import type { LatheError } from '../../src/util/errors.js';
import { runCli } from '../support/cli.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';

const fixture = (name: string) => new URL(`../fixtures/models/${name}`, import.meta.url).pathname;
const COUNT_HEADER =
  'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count';

/** A late interval before M1's first (every running total of M1 after it changes) and a new last one. */
const load2 = {
  'production_counts.csv': `${COUNT_HEADER}
M1,PO1,A,O1,2026-03-02T04:00:00Z,2026-03-02T05:00:00Z,1000,0
M1,PO1,A,O1,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,500,0
`,
};

const runs = (lake: string, asOf?: string) =>
  queryLake(
    lake,
    "select machine_id, strftime(interval_start, '%H:%M') as start, running_total from count_runs order by 1, 2",
    asOf,
  );
const model = (build: BuildResult) => build.models.find((m) => m.name === 'count_runs')!;

describe('replaces: rows that depend on the rows before them', () => {
  let scratch: Scratch;
  let lake: string;
  let models: string;
  const builds: BuildResult[] = [];

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    models = scratch.path('models');
    await cp(fixture('replaces'), models, { recursive: true });
    await ingestFiles(scratch, validDrop(), { lake });
    builds.push(await buildWarehouse({ lake, modelsDir: models }));
    await ingestFiles(scratch, load2, { lake });
    builds.push(await buildWarehouse({ lake, modelsDir: models }));
  });
  after(() => scratch.dispose());

  it('an incremental build recomputes from the earliest new row and takes out what it replaces', async () => {
    assert.deepEqual(
      builds.map((build) => [build.status, model(build).mode]),
      [
        ['published', 'full'],
        ['published', 'incremental'],
      ],
    );
    assert.equal(model(builds[1]!).rows, 4, "M1's four intervals from 04:00 on, not M2's");
    const expected = [
      { machine_id: 'M1', start: '04:00', running_total: 1000 },
      { machine_id: 'M1', start: '05:00', running_total: 4000 },
      { machine_id: 'M1', start: '06:00', running_total: 7100 },
      { machine_id: 'M1', start: '07:00', running_total: 7600 },
      { machine_id: 'M2', start: '05:00', running_total: 2000 },
    ];
    assert.deepEqual(await runs(lake), expected, 'the running totals a full build gives');
    const part = (await readBuildManifest(
      new LakeLayout(lake),
      builds[1]!.build_id,
    ))!.models.count_runs!.parts.at(-1)!;
    assert.deepEqual(part.replacedRanges?.columns, ['machine_id', 'interval_start']);
    assert.ok(part.replaces! >= 2, "M1's two earlier rows were taken out");
  });

  it('lathe compile shows the SQL of a full build, which lathe query runs to the model’s rows', async () => {
    const compiled = await runCli(['compile', 'count_runs', '--models', fixture('replaces'), '--json']);
    assert.equal(compiled.code, 0, compiled.stderr);
    const { sql } = JSON.parse(compiled.stdout) as { sql: string };
    assert.doesNotMatch(sql, /replaced__/, 'no relation that exists only inside a build');
    const query = await runCli([
      '--lake',
      lake,
      'query',
      '--json',
      `select machine_id, strftime(interval_start, '%H:%M') as start, running_total from (${sql}) order by 1, 2`,
    ]);
    assert.equal(query.code, 0, query.stderr);
    assert.deepEqual(JSON.parse(query.stdout), await runs(lake));
  });

  it('a changed replaces rebuilds in full, and one that returns no column of the model is refused', async () => {
    const file = `${models}/core/count_runs.sql`;
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('group by all"', 'group by machine_id"'));
    const changed = await buildWarehouse({ lake, modelsDir: models });
    assert.deepEqual(
      [changed.status, model(changed).mode, model(changed).full_reason],
      ['published', 'full', 'replaces changed'],
    );
    const brokenModels = scratch.path('broken-models');
    await cp(fixture('replaces'), brokenModels, { recursive: true });
    await writeFile(
      `${brokenModels}/core/count_runs.sql`,
      text
        .replace('as interval_start from', 'as run_start from')
        .replace('>= r.interval_start', '>= r.run_start'),
    );
    const broken = await buildWarehouse({ lake, modelsDir: brokenModels });
    assert.equal(broken.status, 'failed');
    assert.match(
      broken.error?.message ?? '',
      /replaces of `count_runs` returns `run_start`, not columns of the model/,
    );
    assert.match(model(broken).error?.file ?? '', /broken-models\/core\/count_runs\.sql$/);
    assert.deepEqual(
      await runs(lake),
      await runs(lake, changed.build_id),
      'the failed build did not become current',
    );
  });

  it('a source misnamed in replaces is refused before the build, with its file and line', async () => {
    const misnamed = scratch.path('misnamed-models');
    await cp(fixture('replaces'), misnamed, { recursive: true });
    const file = `${misnamed}/core/count_runs.sql`;
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        "from new_rows('stg_counts') group by all\"",
        "from new_rows('stg_counts') where machine_id in (select machine_id from source('machine')) group by all\"",
      ),
    );
    await assert.rejects(buildWarehouse({ lake, modelsDir: misnamed }), (error: LatheError) => {
      assert.equal(error.code, 'unknown_source');
      assert.match(error.message, /`count_runs` reads unknown source `machine`; did you mean `machines`\?/);
      assert.match(error.location?.file ?? '', /misnamed-models\/core\/count_runs\.sql$/);
      assert.equal(error.location?.line, 5, 'the line of replaces in the header');
      return true;
    });
  });
});

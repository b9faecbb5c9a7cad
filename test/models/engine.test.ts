import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { readCurrentId } from '../../src/lake/manifest.js';
import { openLakeReader, runReadOnlyQuery } from '../../src/lake/reader.js';
import { buildWarehouse, loadProject } from '../../src/models/index.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';

const BASIC = new URL('../fixtures/models/basic', import.meta.url).pathname;

describe('model engine: load, build, read', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(() => scratch.dispose());

  it('reads the project in dependency order with its references', async () => {
    const project = await loadProject(BASIC);
    assert.deepEqual(
      project.models.map((model) => model.name),
      ['stg_counts', 'machine_counts'],
    );
    const counts = project.byName.get('machine_counts')!;
    assert.equal(counts.layer, 'core');
    assert.equal(counts.header.materialized, 'table');
    assert.deepEqual(counts.refs, ['stg_counts']);
    assert.deepEqual(counts.sources, ['machines']);
    assert.deepEqual(
      counts.tests.map((test) => test.name),
      ['unique(machine_id)', 'row_count(1..)'],
    );
  });

  it('builds into the lake, publishes the build, and the reader sees the models', async () => {
    const load = await ingestFiles(scratch, validDrop());
    assert.equal(load.status, 'committed');
    const lake = scratch.path('lake');
    const result = await buildWarehouse({ lake, modelsDir: BASIC });
    assert.equal(result.status, 'published', JSON.stringify(result.error));
    assert.equal(result.load_id, load.load.load_id);
    assert.deepEqual(
      result.models.map((model) => [model.name, model.status, model.rows]),
      [
        ['stg_counts', 'built', null],
        ['machine_counts', 'built', 2],
      ],
    );
    assert.ok(result.tests.length >= 3 && result.tests.every((test) => test.status === 'pass'));
    const layout = new LakeLayout(lake);
    assert.equal(await readCurrentId(layout, 'build'), result.build_id);
    const stored = JSON.parse(await readFile(layout.buildRecord(result.build_id), 'utf8'));
    assert.equal(stored.status, 'published');

    const rows = await queryLake(
      lake,
      'select machine_id, line_id, total, good from machine_counts order by machine_id',
    );
    assert.deepEqual(rows, [
      { machine_id: 'M1', line_id: 'L1', total: 6100, good: 6050 },
      { machine_id: 'M2', line_id: 'L1', total: 2000, good: 1990 },
    ]);
    const view = await queryLake(lake, 'select sum(good_count) as good from stg_counts');
    assert.deepEqual(view, [{ good: 8040 }]);
    const [columns] = await queryLake(lake, 'select * from machine_counts limit 1');
    assert.deepEqual(
      Object.keys(columns!),
      ['machine_id', 'line_id', 'total', 'good'],
      'no partition column leaks in',
    );
    // sum() of integers is HUGEINT, which DuckDB would write to Parquet as DOUBLE.
    const [types] = await queryLake(
      lake,
      'select typeof(total) as total, typeof(good) as good from machine_counts limit 1',
    );
    assert.deepEqual(types, { total: 'BIGINT', good: 'BIGINT' }, 'unit counts stay whole numbers');
  });

  it('--select builds the selected models and takes the others from the current build', async () => {
    const lake = scratch.path('lake');
    const subset = await buildWarehouse({ lake, modelsDir: BASIC, select: 'machine_counts' });
    assert.equal(subset.status, 'published');
    assert.deepEqual(
      subset.models.map((model) => [model.name, model.status]),
      [
        ['stg_counts', 'reused'],
        ['machine_counts', 'built'],
      ],
    );
    assert.ok(
      subset.tests.every((test) => test.model === 'machine_counts'),
      'only the selected models are tested',
    );
    const upstream = await buildWarehouse({ lake, modelsDir: BASIC, select: ['+machine_counts'] });
    assert.deepEqual(
      upstream.models.map((model) => model.status),
      ['built', 'built'],
    );
    assert.deepEqual(await queryLake(lake, 'select sum(total)::int as total from machine_counts'), [
      { total: 8100 },
    ]);
  });

  it('a reader can attach only the models a query needs', async () => {
    const reader = await openLakeReader(scratch.path('lake'), { models: ['machine_counts'] });
    try {
      assert.deepEqual(reader.models, ['machine_counts']);
      assert.deepEqual(
        (await runReadOnlyQuery(reader, 'select count(*)::int as n from machine_counts')).rows,
        [{ n: 2 }],
      );
      await assert.rejects(runReadOnlyQuery(reader, 'select * from stg_counts'), /unknown table/);
    } finally {
      reader.close();
    }
  });

  it('an unknown table suggests a model name', async () => {
    await assert.rejects(
      queryLake(scratch.path('lake'), 'select * from machine_count'),
      /did you mean `machine_counts`/,
    );
  });
});

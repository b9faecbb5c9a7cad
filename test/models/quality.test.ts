import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { readCurrentId } from '../../src/lake/manifest.js';
import { buildWarehouse, FileBuildStore, testWarehouse } from '../../src/models/index.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';

const fixture = (name: string) => new URL(`../fixtures/models/${name}`, import.meta.url).pathname;

describe('data-quality tests gate publishing', () => {
  let scratch: Scratch;
  let lake: string;
  let layout: LakeLayout;
  let good: string;

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    layout = new LakeLayout(lake);
    await ingestFiles(scratch, validDrop(), { lake });
    const first = await buildWarehouse({ lake, modelsDir: fixture('basic') });
    assert.equal(first.status, 'published');
    good = first.build_id;
  });
  after(() => scratch.dispose());

  it('a failing error test blocks the build: CURRENT unchanged, readers keep the previous build, the record says why', async () => {
    const result = await buildWarehouse({ lake, modelsDir: fixture('failing-test') });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'test_failed');
    assert.match(
      result.error!.message,
      /error test `every_machine_made_6000` on `machine_counts` failed: 1 failing row; build \S+ stays current/,
    );
    assert.match(result.error!.fix ?? '', /lathe dq --model machine_counts/);
    assert.equal(await readCurrentId(layout, 'build'), good);
    // Readers still see the previous build's model, which has good and line_id; the failed one had no line_id.
    const rows = await queryLake(lake, 'select machine_id, line_id, total from machine_counts order by 1');
    assert.deepEqual(rows, [
      { machine_id: 'M1', line_id: 'L1', total: 6100 },
      { machine_id: 'M2', line_id: 'L1', total: 2000 },
    ]);
    // Nothing of the failed build is left in the lake.
    await assert.rejects(access(layout.modelPartition('core', 'machine_counts', result.build_id)));
    await assert.rejects(access(layout.buildStagingDir(result.build_id)));
    // Every result is kept: the failing one with its count and sample, the passing ones too.
    const stored = await new FileBuildStore(layout).get(result.build_id);
    assert.equal(stored?.status, 'failed');
    const failing = stored!.tests.find((test) => test.name === 'every_machine_made_6000')!;
    assert.equal(failing.status, 'fail');
    assert.equal(failing.failing_rows, 1);
    assert.deepEqual(failing.sample, [{ machine_id: 'M2', total: 2000, good: 1990 }]);
    const statuses = Object.fromEntries(stored!.tests.map((test) => [test.name, test.status]));
    assert.equal(statuses['unique(machine_id)'], 'pass');
    assert.equal(statuses.rejects_below_one_percent, 'pass', 'the singular test ran');
  });

  it('a failing warn test does not block', async () => {
    const result = await buildWarehouse({ lake, modelsDir: fixture('warn-test') });
    assert.equal(result.status, 'published');
    const warned = result.tests.find((test) => test.name === 'every_machine_made_6000')!;
    assert.deepEqual([warned.severity, warned.status, warned.failing_rows], ['warn', 'fail', 1]);
    assert.equal(await readCurrentId(layout, 'build'), result.build_id);
    assert.deepEqual(await queryLake(lake, 'select count(*)::int as n from machine_counts'), [{ n: 2 }]);
  });

  it('lathe test runs the tests against the current build without publishing', async () => {
    const before = await readCurrentId(layout, 'build');
    const result = await testWarehouse({ lake, modelsDir: fixture('failing-test') });
    assert.equal(result.build_id, before);
    const failing = result.tests.find((test) => test.name === 'every_machine_made_6000')!;
    assert.deepEqual([failing.severity, failing.status, failing.failing_rows], ['error', 'fail', 1]);
    assert.equal(await readCurrentId(layout, 'build'), before);
  });

  it('a model that builds 0 rows where it had rows warns', async () => {
    const result = await buildWarehouse({ lake, modelsDir: fixture('vanished') });
    assert.equal(result.status, 'published');
    const vanished = result.tests.find(
      (test) => test.kind === 'rows_vanished' && test.model === 'machine_counts',
    )!;
    assert.equal(vanished.severity, 'warn');
    assert.equal(vanished.status, 'fail');
    assert.match(vanished.message ?? '', /built 0 rows; build \S+ had 2/);
  });
});

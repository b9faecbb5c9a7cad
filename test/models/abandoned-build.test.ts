import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { newLoadId } from '../../src/lake/load-id.js';
import { type BuildRecord, buildWarehouse, FileBuildStore } from '../../src/models/index.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles } from '../support/lake.js';

const MODELS = new URL('../fixtures/models/incremental', import.meta.url).pathname;

describe('a build killed before it published', () => {
  let scratch: Scratch;
  let layout: LakeLayout;
  let killed: BuildRecord;
  let next: BuildRecord;

  before(async () => {
    scratch = await Scratch.create();
    const lake = scratch.path('lake');
    layout = new LakeLayout(lake);
    await ingestFiles(scratch, validDrop(), { lake });
    const first = await buildWarehouse({ lake, modelsDir: MODELS });
    // What a process killed mid-build leaves: its record saying running, and its staging folder.
    killed = {
      build_id: newLoadId(first.build_id),
      load_id: first.load_id,
      status: 'running',
      select: null,
      started_at: new Date().toISOString(),
      finished_at: null,
      duration_ms: null,
      pid: 999_999,
      models: [],
      tests: [],
      error: null,
    };
    const store = new FileBuildStore(layout);
    await store.save(killed);
    await mkdir(layout.buildStagingDir(killed.build_id), { recursive: true });
    await writeFile(`${layout.buildStagingDir(killed.build_id)}/half-written.parquet`, 'not done');
    next = await buildWarehouse({ lake, modelsDir: MODELS });
  });
  after(() => scratch.dispose());

  it('is recorded as abandoned by the next build, which cleans up after it and publishes', async () => {
    const record = await new FileBuildStore(layout).get(killed.build_id);
    assert.equal(record?.status, 'abandoned');
    assert.equal(record?.error?.code, 'abandoned');
    assert.equal(existsSync(layout.buildStagingDir(killed.build_id)), false, 'its staging folder is gone');
    assert.equal(next.status, 'published');
    assert.ok(next.build_id > killed.build_id, 'the next build id sorts after it');
  });
});

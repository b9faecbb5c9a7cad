import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { loadProject } from '../../src/models/index.js';
import type { LatheError } from '../../src/util/errors.js';
import { Scratch } from '../support/drop.js';

const FIXTURE = new URL('../fixtures/models/incremental', import.meta.url).pathname;

describe('the parsed project kept between builds', () => {
  let scratch: Scratch;
  let models: string;
  let cacheFile: string;
  before(async () => {
    scratch = await Scratch.create();
    models = scratch.path('models');
    cacheFile = scratch.path('lake', '_meta', 'cache', 'project.json');
    await cp(FIXTURE, models, { recursive: true });
  });
  after(() => scratch.dispose());

  it('a second load of the same files gives the same project, from the cache', async () => {
    const parsed = await loadProject(models, { cacheFile });
    assert.ok(JSON.parse(await readFile(cacheFile, 'utf8')).key, 'the cache was written');
    const cached = await loadProject(models, { cacheFile });
    assert.deepEqual(cached.models, parsed.models);
    assert.deepEqual(cached.singularTests, parsed.singularTests);
    assert.deepEqual([...cached.byName.keys()], [...parsed.byName.keys()]);
  });

  it('an edited model is read as edited, and a broken header is refused, cache or not', async () => {
    const file = `${models}/core/machine_totals.sql`;
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('select', 'select 42 as answer,'));
    const edited = await loadProject(models, { cacheFile });
    assert.match(edited.byName.get('machine_totals')!.text, /42 as answer/);
    await writeFile(file, text.replace(/materialized: \w+/, 'materialized: sometimes'));
    await assert.rejects(loadProject(models, { cacheFile }), (error: LatheError) => {
      assert.equal(error.code, 'bad_model_header');
      assert.match(error.location.file ?? '', /machine_totals\.sql$/);
      return true;
    });
    await writeFile(file, text);
  });

  it('an unreadable cache is parsed again', async () => {
    await writeFile(cacheFile, '{ not json');
    const project = await loadProject(models, { cacheFile });
    assert.ok(project.byName.has('machine_totals'));
  });
});

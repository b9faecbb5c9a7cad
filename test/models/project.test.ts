import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadProject, selectModels } from '../../src/models/index.js';
import { LatheError } from '../../src/util/errors.js';

const fixture = (name: string) => new URL(`../fixtures/models/${name}`, import.meta.url).pathname;

async function loadError(name: string): Promise<LatheError> {
  try {
    await loadProject(fixture(name));
  } catch (error) {
    assert.ok(error instanceof LatheError, String(error));
    return error;
  }
  assert.fail(`loading ${name} should fail`);
}

describe('model graph errors name the file and line', () => {
  it('a cycle is refused with its path', async () => {
    const error = await loadError('cycle');
    assert.equal(error.code, 'model_cycle');
    assert.match(error.message, /b -> c -> stg_a -> b/);
    assert.match(error.location.file ?? '', /cycle\/core\/b\.sql$/);
    assert.equal(error.location.line, 5, 'the line of ref(c) in b.sql');
  });

  it('an unknown ref says which model was meant and where', async () => {
    const error = await loadError('unknown-ref');
    assert.equal(error.code, 'unknown_ref');
    assert.match(error.message, /`totals` refs unknown model `stg_count`; did you mean `stg_counts`\?/);
    assert.match(error.location.file ?? '', /unknown-ref\/core\/totals\.sql$/);
    assert.equal(error.location.line, 5);
    assert.match(error.fix ?? '', /ref\('stg_counts'\)/);
  });

  it('new_rows() reads an incremental model, from an incremental model', async () => {
    const ofTable = await loadError('new-rows-of-table');
    assert.equal(ofTable.code, 'bad_new_rows');
    assert.match(
      ofTable.message,
      /`recent` reads new_rows\('totals'\), but `totals` is neither incremental nor a view of sources only/,
    );
    assert.match(ofTable.location.file ?? '', /new-rows-of-table\/core\/recent\.sql$/);
    assert.equal(ofTable.location.line, 5);
    const inTable = await loadError('new-rows-in-table');
    assert.equal(inTable.code, 'bad_new_rows');
    assert.match(inTable.message, /`recent` reads new_rows\('counts'\) but is not incremental/);
    assert.equal(inTable.location.line, 5);
    assert.match(inTable.fix ?? '', /materialized: incremental/);
  });

  it('replaced() is a model reading its own replaces; replaces is for incremental models', async () => {
    const ofOther = await loadError('replaced-of-other');
    assert.equal(ofOther.code, 'bad_new_rows');
    assert.match(
      ofOther.message,
      /`recent` reads replaced\('counts'\), which only a model's own SQL may read, of itself/,
    );
    assert.match(ofOther.location.file ?? '', /replaced-of-other\/core\/recent\.sql$/);
    assert.equal(ofOther.location.line, 7);
    assert.match(ofOther.fix ?? '', /replaced\('recent'\)/);
    const inTable = await loadError('replaces-in-table');
    assert.equal(inTable.code, 'bad_model_header');
    assert.match(inTable.message, /`totals` has replaces but is not incremental/);
    assert.match(inTable.location.file ?? '', /replaces-in-table\/core\/totals\.sql$/);
  });

  it('changes_handled names only inputs the model reads', async () => {
    const error = await loadError('bad-changes-handled');
    assert.equal(error.code, 'bad_model_header');
    assert.match(error.message, /changes_handled of `recent` names `totals`, which it does not read/);
    assert.match(error.location.file ?? '', /bad-changes-handled\/core\/recent\.sql$/);
  });

  it('two models of one name are refused', async () => {
    const error = await loadError('duplicate');
    assert.equal(error.code, 'duplicate_model');
    assert.match(error.message, /core\/m\.sql and .*staging\/m\.sql|staging\/m\.sql and .*core\/m\.sql/);
  });

  it('a bad header value is refused at its line', async () => {
    const error = await loadError('bad-header');
    assert.equal(error.code, 'bad_model_header');
    assert.equal(error.location.line, 3);
    assert.match(error.message, /materialized/);
  });

  it('a ref inside a comment or a string is no dependency', async () => {
    const project = await loadProject(fixture('basic'));
    assert.deepEqual(project.byName.get('machine_counts')!.refs, ['stg_counts']);
  });
});

describe('--select', () => {
  it('model+, +model, tag:x and plain names', async () => {
    const project = await loadProject(fixture('incremental'));
    const names = (select: string) => [...selectModels(project, select)].sort();
    // machine_hours reads counts_inc by new_rows(): downstream of it like a ref().
    assert.deepEqual(names('counts_inc+'), ['counts_inc', 'machine_hours', 'machine_totals']);
    assert.deepEqual(names('+machine_hours'), ['counts_inc', 'machine_cost_rates', 'machine_hours']);
    assert.deepEqual(names('+machine_totals'), ['counts_inc', 'machine_totals']);
    assert.deepEqual(names('machine_totals'), ['machine_totals']);
    assert.deepEqual(names('machine_versions,machine_totals'), ['machine_totals', 'machine_versions']);
    const basic = await loadProject(fixture('basic'));
    assert.deepEqual([...selectModels(basic, 'tag:counts')], ['machine_counts']);
    assert.throws(() => selectModels(basic, 'machine_count'), /did you mean `machine_counts`/);
    assert.throws(() => selectModels(basic, 'tag:nope'), /no model is tagged `nope`.*|tags in this project/);
  });
});

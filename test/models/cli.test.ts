import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles } from '../support/lake.js';

const fixture = (name: string) => new URL(`../fixtures/models/${name}`, import.meta.url).pathname;

describe('lathe build, models, compile, test, dq', () => {
  let scratch: Scratch;
  let lake: string;
  const lathe = (...args: string[]) => runCli(['--lake', lake, ...args]);

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    await ingestFiles(scratch, validDrop(), { lake });
  });
  after(() => scratch.dispose());

  it('build publishes and prints a summary; --json prints the record', async () => {
    const text = await lathe('build', '--models', fixture('basic'));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /machine_counts\s+core\s+table\s+built\s+2/);
    assert.match(text.stdout, /tests: 3 passed, 0 warned, 0 failed/);
    assert.match(text.stdout, /build \S+ published \(load \S+\)/);
    const json = await lathe('build', '--models', fixture('basic'), '--select', 'tag:counts', '--json');
    assert.equal(json.code, 0, json.stderr);
    const record = JSON.parse(json.stdout);
    assert.equal(record.status, 'published');
    assert.deepEqual(
      record.models.map((model: { name: string; status: string }) => [model.name, model.status]),
      [
        ['stg_counts', 'reused'],
        ['machine_counts', 'built'],
      ],
    );
  });

  it('a build blocked by an error test exits 1 and says which test, model and count', async () => {
    const result = await lathe('build', '--models', fixture('failing-test'));
    assert.equal(result.code, 1);
    assert.match(result.stdout, /FAIL machine_counts: every_machine_made_6000 — 1 failing row/);
    assert.match(
      result.stderr,
      /error test `every_machine_made_6000` on `machine_counts` failed: 1 failing row/,
    );
    assert.match(result.stderr, /fix: /);
    const test = await lathe('test', '--models', fixture('failing-test'));
    assert.equal(test.code, 1, 'lathe test also fails on the failing error test');
    const dq = await lathe('dq', '--model', 'machine_counts', '--failing', '--json');
    assert.equal(dq.code, 0, dq.stderr);
    const rows = JSON.parse(dq.stdout);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [rows[0].name, rows[0].build_status, rows[0].failing_rows],
      ['every_machine_made_6000', 'failed', 1],
    );
  });

  it('models lists and compile prints the SQL', async () => {
    const models = await lathe('models', '--models', fixture('basic'), '--json');
    assert.equal(models.code, 0, models.stderr);
    assert.deepEqual(
      JSON.parse(models.stdout).map((m: { name: string; depends_on: string[] }) => [m.name, m.depends_on]),
      [
        ['stg_counts', ['source:production_counts']],
        ['machine_counts', ['stg_counts', 'source:machines']],
      ],
    );
    const compiled = await lathe('compile', 'machine_counts', '--models', fixture('basic'));
    assert.equal(compiled.code, 0, compiled.stderr);
    assert.match(compiled.stdout, /from "stg_counts" s\s+join "raw"\."machines" m/);
    assert.doesNotMatch(compiled.stdout, /materialized:/, 'the header is not part of the SQL');
  });

  it('bad input: exit 2 with the fix', async () => {
    const cases: [string[], RegExp][] = [
      [['build', '--models', scratch.path('nope')], /no models folder/],
      [['build', '--models', fixture('basic'), '--select', 'machine_count'], /did you mean `machine_counts`/],
      [['compile', 'stg_count', '--models', fixture('basic')], /did you mean `stg_counts`/],
      [['dq', '--build', 'nope'], /no build `nope`/],
      [['build', '--wait', 'soon', '--models', fixture('basic')], /--wait is `soon`/],
    ];
    for (const [args, message] of cases) {
      const result = await lathe(...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /fix: /);
    }
    const cycle = await lathe('build', '--models', fixture('cycle'));
    assert.equal(cycle.code, 1);
    assert.match(
      cycle.stderr,
      /file \S*cycle\/core\/b\.sql line 5: models ref each other in a cycle: b -> c -> stg_a -> b/,
    );
    const help = await lathe('build', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n\s+\$ lathe build/);
  });
});

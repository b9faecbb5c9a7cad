/**
 * The `lathe` CLI as a user meets it: every command explains itself with an example, bad
 * input gets exit code 2 and a message that says what to fix, a failed load exits 1, and
 * the JSON that scripts read has the documented shape.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { Scratch, validDrop, withLines } from '../support/drop.js';

const COMMANDS = [
  ['generate'],
  ['ingest'],
  ['loads'],
  ['quarantine'],
  ['query'],
  ['lake'],
  ['lake', 'stats'],
];

describe('lathe CLI', () => {
  let scratch: Scratch;
  let lake: string;
  let goodDrop: string;
  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    goodDrop = await scratch.drop(
      'good',
      withLines(validDrop(), 'machines.csv', 'M3,L1,Lathe,lathe,3,abc,1'),
    );
  });
  after(() => scratch.dispose());

  test('--help lists every command', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const [name] of COMMANDS) assert.match(result.stdout, new RegExp(`\\n  ${name}\\b`));
  });

  for (const command of COMMANDS) {
    test(`lathe ${command.join(' ')} --help shows an example`, async () => {
      const result = await runCli([...command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Examples?:\n {2}\$ lathe /);
    });
  }

  test('an unknown command or option is bad usage (exit 2)', async () => {
    const unknownCommand = await runCli(['ingets']);
    assert.equal(unknownCommand.code, 2);
    assert.match(unknownCommand.stderr, /unknown command 'ingets'/);
    const unknownOption = await runCli(['loads', '--jsn']);
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /unknown option '--jsn'/);
    const missingArgument = await runCli(['ingest']);
    assert.equal(missingArgument.code, 2);
    assert.match(missingArgument.stderr, /missing required argument 'dir'/);
  });

  test('ingest: a drop folder that does not exist', async () => {
    const result = await runCli(['--lake', lake, 'ingest', scratch.path('nowhere')]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /error: drop folder .*nowhere does not exist\n {2}fix: pass the folder that holds the export files/,
    );
  });

  test('ingest: bad option values name the fix', async () => {
    const limit = await runCli(['--lake', lake, 'ingest', goodDrop, '--quarantine-limit', 'lots']);
    assert.equal(limit.code, 2);
    assert.match(
      limit.stderr,
      /--quarantine-limit is `lots`, expected a share between 0 and 1\n {2}fix: write e.g. --quarantine-limit 0.05/,
    );
    const wait = await runCli(['--lake', lake, 'ingest', goodDrop, '--wait', 'soon']);
    assert.equal(wait.code, 2);
    const source = await runCli([
      '--lake',
      lake,
      'ingest',
      goodDrop,
      '--source',
      scratch.path('missing.yaml'),
    ]);
    assert.equal(source.code, 2);
    assert.match(source.stderr, /cannot read the source declaration/);
  });

  test('ingest --json prints the load record; loads --json lists loads with their files', async () => {
    const ingest = await runCli(['--lake', lake, 'ingest', goodDrop, '--json', '--quarantine-limit', '0.5']);
    assert.equal(ingest.code, 0, ingest.stderr);
    const record = JSON.parse(ingest.stdout);
    assert.equal(record.status, 'committed');
    assert.equal(record.rows_quarantined, 1);

    const loads = await runCli(['--lake', lake, 'loads', '--json']);
    assert.equal(loads.code, 0);
    const list = JSON.parse(loads.stdout);
    assert.ok(Array.isArray(list) && list.length === 1);
    assert.equal(list[0].load_id, record.load_id);
    assert.equal(list[0].status, 'committed');
    const machines = list[0].files.find((file: { entity: string }) => file.entity === 'machines');
    assert.deepEqual(
      {
        entity: machines.entity,
        file: machines.file,
        rows_read: machines.rows_read,
        rows_loaded: machines.rows_loaded,
        rows_quarantined: machines.rows_quarantined,
      },
      { entity: 'machines', file: 'machines.csv', rows_read: 3, rows_loaded: 2, rows_quarantined: 1 },
    );
  });

  test('ingest of a failing drop exits 1 and says it did not become current', async () => {
    const badDrop = await scratch.drop('failing', {
      ...validDrop(),
      'lines.csv': 'line_id,plant_id\nL1,P1\n',
    });
    const result = await runCli(['--lake', lake, 'ingest', badDrop]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /failed and did not become current: file lines.csv line 1 field `line_name`: missing required column `line_name`/,
    );
  });

  test('quarantine shows the row, its line and its reasons; bad options are usage errors', async () => {
    const loads = JSON.parse((await runCli(['--lake', lake, 'loads', '--json'])).stdout);
    const first = loads[0].load_id;
    const text = await runCli(['--lake', lake, 'quarantine', '--load', first]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /machines machines.csv:4/);
    assert.match(text.stdout, /\[bad_type\] `hourly_cost` is `abc`, expected a decimal number/);
    const json = JSON.parse((await runCli(['--lake', lake, 'quarantine', '--load', first, '--json'])).stdout);
    assert.equal(json.total, 1);
    assert.equal(json.rows[0].line, 4);

    const unknown = await runCli(['--lake', lake, 'quarantine', '--load', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no load `nope` in this lake\n {2}fix: pick a load id from `lathe loads`/);
    const limit = await runCli(['--lake', lake, 'quarantine', '--limit', '-3']);
    assert.equal(limit.code, 2);
  });

  test('query: read-only SQL with table, JSON and CSV output', async () => {
    const json = await runCli([
      '--lake',
      lake,
      'query',
      'select machine_id, hourly_cost from machines order by 1',
      '--json',
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [
      { machine_id: 'M1', hourly_cost: 80 },
      { machine_id: 'M2', hourly_cost: 95 },
    ]);
    const csv = await runCli(['--lake', lake, 'query', 'select count(*) as n from sensor_readings', '--csv']);
    assert.equal(csv.stdout, 'n\n3\n');
    const table = await runCli(['--lake', lake, 'query', 'select plant_id from plants']);
    assert.match(table.stdout, /plant_id\n-+\nP1\n\(1 row\)/);
  });

  test('query refuses writes, several statements, unknown tables and bad SQL with exit 2', async () => {
    const write = await runCli(['--lake', lake, 'query', "copy machines to '/tmp/x.csv'"]);
    assert.equal(write.code, 2);
    assert.match(write.stderr, /lathe query only reads: the statement is not a SELECT/);
    const drop = await runCli(['--lake', lake, 'query', 'drop view machines']);
    assert.equal(drop.code, 2);
    const remove = await runCli(['--lake', lake, 'query', 'delete from machines']);
    assert.equal(remove.code, 2);
    assert.match(remove.stderr, /lathe query only reads: the statement is not a SELECT/);
    const two = await runCli(['--lake', lake, 'query', 'select 1; select 2']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /the query has 2 statements/);
    const unknown = await runCli(['--lake', lake, 'query', 'select * from machnes']);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /unknown table `machnes`; did you mean `machines`\?\n {2}fix: query one of the tables this lake has: .*machines/,
    );
    const syntax = await runCli(['--lake', lake, 'query', 'selec 1']);
    assert.equal(syntax.code, 2);
    const both = await runCli(['--lake', lake, 'query', 'select 1', '--json', '--csv']);
    assert.equal(both.code, 2);
    const asOf = await runCli(['--lake', lake, 'query', 'select 1', '--as-of', 'nope']);
    assert.equal(asOf.code, 2);
    assert.match(asOf.stderr, /no committed load `nope`/);
  });

  test('query prints a large result (200,000 rows) as a table', async () => {
    const many = await runCli(['--lake', lake, 'query', 'select range as n from range(200000)']);
    assert.equal(many.code, 0, many.stderr);
    assert.match(many.stdout, /\(200000 rows\)\n$/);
  });

  test('LATHE_LAKE picks the lake; lake stats --json describes it', async () => {
    const stats = await runCli(['lake', 'stats', '--json'], { env: { LATHE_LAKE: lake } });
    assert.equal(stats.code, 0, stats.stderr);
    const summary = JSON.parse(stats.stdout);
    assert.equal(summary.loads, 2);
    assert.deepEqual(summary.loads_by_status, { committed: 1, failed: 1 });
    const machines = summary.entities.find((entity: { entity: string }) => entity.entity === 'machines');
    assert.deepEqual([machines.kind, machines.rows_stored], ['snapshot', 2]);
  });

  test('commands on an empty lake say what to do', async () => {
    const empty = scratch.path('empty-lake');
    const loads = await runCli(['--lake', empty, 'loads']);
    assert.equal(loads.code, 0);
    assert.match(loads.stdout, /no loads yet: run lathe ingest DIR/);
    const query = await runCli(['--lake', empty, 'query', 'select * from machines']);
    assert.equal(query.code, 2);
    assert.match(
      query.stderr,
      /unknown table `machines`\n {2}fix: query one of the tables this lake has: none yet: ingest a drop first/,
    );
  });

  test('generate: bad options are usage errors naming the fix', async () => {
    const scale = await runCli(['generate', '--out', scratch.path('g1'), '--scale', 'huge']);
    assert.equal(scale.code, 2);
    const rate = await runCli(['generate', '--out', scratch.path('g2'), '--bad-rows', '2']);
    assert.equal(rate.code, 2);
    const nonEmpty = await runCli(['generate', '--out', goodDrop]);
    assert.equal(nonEmpty.code, 2);
    assert.match(nonEmpty.stderr, /--force/);
  });
});

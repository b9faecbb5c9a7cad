import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckSession } from '../../src/lake/duckdb.js';
import type { DataTest } from '../../src/models/index.js';
import { compileGenericTest, runTest, runTests } from '../../src/models/index.js';

const cutoff = '2026-03-01T00:00:00Z';
const on = (test: Record<string, unknown>) =>
  compileGenericTest({ model: 'machine_counts', severity: 'error', line: 1, ...test } as DataTest, cutoff);

describe('row tests of a model run in one scan', () => {
  let db: DuckSession;
  before(async () => {
    db = await DuckSession.open();
    await db.run(`CREATE TABLE machine_counts AS SELECT * FROM (VALUES
      ('M1', 'L1', 100, 2), ('M2', 'L1', 50, 60), ('M3', NULL, 70, 0), ('M4', 'L9', 10, 20)
    ) t(machine_id, line_id, total, reject)`);
  });
  after(() => db.close());

  const tests = () => [
    on({ kind: 'not_null', name: 'not_null(line_id)', columns: ['line_id'] }),
    on({
      kind: 'accepted_values',
      name: 'accepted_values(line_id)',
      column: 'line_id',
      values: ['L1', 'L2'],
    }),
    on({ kind: 'expression', name: 'rejects_within_total', sql: 'reject <= total' }),
    on({ kind: 'expression', name: 'total_positive', sql: 'total > 0' }),
    on({ kind: 'unique', name: 'unique(line_id)', columns: ['line_id'] }),
  ];

  it('gives each test the count and sample it gets alone', async () => {
    const batched = await runTests(db.connection, tests());
    const alone = [];
    for (const test of tests()) alone.push(await runTest(db.connection, test));
    const shape = (r: { name: string; status: string; failing_rows: number; sample: unknown[] }) => ({
      name: r.name,
      status: r.status,
      failing_rows: r.failing_rows,
      sample: r.sample,
    });
    assert.deepEqual(batched.map(shape), alone.map(shape));
    assert.deepEqual(
      batched.map((r) => [r.name, r.status, r.failing_rows]),
      [
        ['not_null(line_id)', 'fail', 1],
        ['accepted_values(line_id)', 'fail', 1],
        ['rejects_within_total', 'fail', 2],
        ['total_positive', 'pass', 0],
        ['unique(line_id)', 'fail', 1],
      ],
    );
    const rejects = batched.find((r) => r.name === 'rejects_within_total')!;
    assert.deepEqual(rejects.sample.map((row) => (row as { machine_id: string }).machine_id).sort(), [
      'M2',
      'M4',
    ]);
  });

  it('a test whose SQL fails is an error of its own; the others are still judged', async () => {
    const broken = on({ kind: 'expression', name: 'broken', sql: 'no_such_column > 0' });
    const results = await runTests(db.connection, [...tests(), broken]);
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    assert.equal(byName.broken!.status, 'error');
    assert.match(byName.broken!.message ?? '', /no_such_column/);
    assert.deepEqual(
      [byName['rejects_within_total']!.status, byName['rejects_within_total']!.failing_rows],
      ['fail', 2],
    );
    assert.equal(byName.total_positive!.status, 'pass');
  });

  it('the other tests go in one statement, each with the count it gets alone; a broken one is its own error', async () => {
    const queries = () => [
      on({ kind: 'unique', name: 'unique(line_id)', columns: ['line_id'] }),
      on({ kind: 'unique', name: 'unique(machine_id)', columns: ['machine_id'] }),
      on({ kind: 'row_count', name: 'row_count(5..)', min: 5 }),
    ];
    const batched = await runTests(db.connection, queries());
    const alone = [];
    for (const test of queries()) alone.push(await runTest(db.connection, test));
    const shape = (r: { name: string; status: string; failing_rows: number }) => [
      r.name,
      r.status,
      r.failing_rows,
    ];
    assert.deepEqual(batched.map(shape), alone.map(shape));
    assert.deepEqual(batched.map(shape), [
      ['unique(line_id)', 'fail', 1],
      ['unique(machine_id)', 'pass', 0],
      ['row_count(5..)', 'fail', 1],
    ]);
    const broken = on({
      kind: 'relationships',
      name: 'to_nowhere',
      column: 'line_id',
      to: 'no_such_table',
      field: 'x',
    });
    const results = await runTests(db.connection, [...queries(), broken]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fail', 'pass', 'fail', 'error'],
    );
    assert.match(results[3]!.message ?? '', /no_such_table/);
  });
});

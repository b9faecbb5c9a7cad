/**
 * Data-quality tests as SQL. Every test is a query returning the failing rows; the runner
 * counts them and keeps a sample of 10, reading the rows a second time only when some fail.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, jsonRows, sqlString } from '../lake/duckdb.js';
import { compileSql } from './compile.js';
import type { DataTest, Severity } from './header.js';
import type { SingularTest } from './project.js';
import type { TestResult } from './records.js';

export const SAMPLE_ROWS = 10;

/** A test ready to run: the query that returns its failing rows. */
export interface CompiledTest {
  name: string;
  model: string;
  kind: TestResult['kind'];
  severity: Severity;
  failingSql: string;
  /** A test that judges each row on its own: `failingSql` is `SELECT * FROM table WHERE failing`. */
  row?: { table: string; failing: string };
}

function valueLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (!Number.isFinite(value)) throw new Error(`accepted value ${value} is not a finite number`);
  return String(value);
}

/**
 * The failing-rows query of a generic test. `cutoff` is the build's load commit time (ISO);
 * `relation` is what to test instead of the whole model (an incremental build's new rows).
 */
export function compileGenericTest(test: DataTest, cutoff: string, relation?: string): CompiledTest {
  const table = ident(relation ?? test.model);
  let failingSql = '';
  let failing: string | undefined;
  switch (test.kind) {
    case 'unique': {
      const columns = test.columns.map(ident).join(', ');
      // Grouping by one 64-bit hash first is much cheaper than by the columns (15 M rows of
      // strings in the largest mart); only rows whose hash repeats are then grouped exactly.
      const repeated = `SELECT hash(${columns}) FROM ${table} GROUP BY 1 HAVING count(*) > 1`;
      failingSql = `SELECT ${columns}, count(*) AS duplicates FROM ${table} WHERE hash(${columns}) IN (${repeated}) GROUP BY ${columns} HAVING count(*) > 1`;
      break;
    }
    case 'not_null':
      failing = test.columns.map((column) => `${ident(column)} IS NULL`).join(' OR ');
      break;
    case 'relationships':
      failingSql = `SELECT c.* FROM ${table} c WHERE c.${ident(test.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ident(test.to)} p WHERE p.${ident(test.field)} = c.${ident(test.column)})`;
      break;
    case 'accepted_values':
      failing = `${ident(test.column)} IS NOT NULL AND ${ident(test.column)} NOT IN (${test.values.map(valueLiteral).join(', ')})`;
      break;
    case 'expression':
      // The modeller's own SQL, like the model body; NULL counts as not failing (SQL WHERE NOT).
      failing = `NOT (${test.sql})`;
      break;
    case 'row_count': {
      const checks = [
        test.min !== undefined ? `rows < ${test.min}` : null,
        test.max !== undefined ? `rows > ${test.max}` : null,
      ].filter(Boolean);
      failingSql = `SELECT rows, ${test.min ?? 'NULL'} AS min_rows, ${test.max ?? 'NULL'} AS max_rows FROM (SELECT count(*) AS rows FROM ${table}) WHERE ${checks.join(' OR ')}`;
      break;
    }
    case 'recency':
      failingSql = `SELECT latest, ${sqlString(cutoff)}::TIMESTAMPTZ AS cutoff, age_hours, ${test.max_age_hours} AS max_age_hours
        FROM (SELECT max(${ident(test.column)})::TIMESTAMPTZ AS latest,
                     epoch(${sqlString(cutoff)}::TIMESTAMPTZ - max(${ident(test.column)})::TIMESTAMPTZ) / 3600.0 AS age_hours
              FROM ${table})
        WHERE latest IS NULL OR age_hours > ${test.max_age_hours}`;
      break;
  }
  const base = { name: test.name, model: test.model, kind: test.kind, severity: test.severity };
  if (failing === undefined) return { ...base, failingSql };
  return { ...base, failingSql: `SELECT * FROM ${table} WHERE ${failing}`, row: { table, failing } };
}

export function compileSingularTest(test: SingularTest): CompiledTest {
  return {
    name: test.name,
    model: test.refs.join(', '),
    kind: 'singular',
    severity: test.header.severity,
    failingSql: compileSql(test),
  };
}

/**
 * Runs tests in batches, each one statement that returns every test's count of failing rows:
 * a table's row tests (not_null, accepted_values, expression) in one scan of the table (on a
 * 15 M-row mart the scans, not the checks, are the cost), and every other test together as
 * scalar subqueries (a model's few-millisecond checks cost their round trips, not their
 * work). A batch whose SQL fails is run test by test, so the error is the failing test's
 * own. Samples are read per failing test, as runTest does.
 */
export async function runTests(
  connection: DuckDBConnection,
  tests: CompiledTest[],
  onResult?: (result: TestResult) => void,
): Promise<TestResult[]> {
  const results = new Map<CompiledTest, TestResult>();
  const finish = (test: CompiledTest, result: TestResult) => {
    results.set(test, result);
    onResult?.(result);
  };
  const batches = new Map<string, CompiledTest[]>();
  for (const test of tests) {
    const key = test.row ? `row:${test.row.table}` : 'queries';
    batches.set(key, [...(batches.get(key) ?? []), test]);
  }
  for (const batch of batches.values()) {
    if (batch.length < 2) continue;
    const started = performance.now();
    let counts: number[];
    try {
      const row = (await connection.runAndReadAll(countingSql(batch))).getRows()[0]!;
      counts = row.map(Number);
    } catch {
      continue; // each test alone below, with its own error
    }
    const seconds = (performance.now() - started) / 1000 / batch.length;
    for (const [index, test] of batch.entries()) {
      const count = counts[index]!;
      const sampleStarted = performance.now();
      const sample = count > 0 ? await sampleOf(connection, test) : [];
      finish(test, {
        name: test.name,
        model: test.model,
        kind: test.kind,
        severity: test.severity,
        status: count > 0 ? 'fail' : 'pass',
        failing_rows: count,
        sample,
        seconds: seconds + (performance.now() - sampleStarted) / 1000,
      });
    }
  }
  for (const test of tests) if (!results.has(test)) finish(test, await runTest(connection, test));
  return tests.map((test) => results.get(test)!);
}

/** Up to SAMPLE_ROWS failing rows; none when they cannot be read (the count stands). */
async function sampleOf(
  connection: DuckDBConnection,
  test: CompiledTest,
): Promise<Record<string, unknown>[]> {
  try {
    return jsonRows(
      await connection.runAndReadAll(`SELECT * FROM (${test.failingSql}) LIMIT ${SAMPLE_ROWS}`),
    );
  } catch {
    return [];
  }
}

/** One row: the failing-row count of each test of the batch, in order. */
function countingSql(batch: CompiledTest[]): string {
  const row = batch[0]!.row;
  if (row && batch.every((test) => test.row?.table === row.table))
    return `SELECT ${batch.map((test) => `count(*) FILTER (WHERE ${test.row!.failing})`).join(', ')} FROM ${row.table}`;
  return `SELECT ${batch.map((test) => `(SELECT count(*) FROM (${test.failingSql}))`).join(', ')}`;
}

/** Runs one test: pass, fail (count + sample), or error when its SQL cannot run. */
export async function runTest(connection: DuckDBConnection, test: CompiledTest): Promise<TestResult> {
  const started = performance.now();
  const base = { name: test.name, model: test.model, kind: test.kind, severity: test.severity };
  try {
    const count = Number(
      (await connection.runAndReadAll(`SELECT count(*) FROM (${test.failingSql})`)).getRows()[0]![0],
    );
    const sample =
      count > 0
        ? jsonRows(await connection.runAndReadAll(`SELECT * FROM (${test.failingSql}) LIMIT ${SAMPLE_ROWS}`))
        : [];
    return {
      ...base,
      status: count > 0 ? 'fail' : 'pass',
      failing_rows: count,
      sample,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    return {
      ...base,
      status: 'error',
      failing_rows: 0,
      sample: [],
      message: `the test's SQL failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
      seconds: (performance.now() - started) / 1000,
    };
  }
}

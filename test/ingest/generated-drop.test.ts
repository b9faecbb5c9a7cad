/**
 * The generator and the ingester agree: a clean generated factory loads without a single
 * quarantined row, and in a drop with injected contract violations exactly the injected
 * rows are quarantined, each at its file and line with the reason the generator expects.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { factorySource } from '../../src/contract/factory.js';
import { generateFactory } from '../../src/generate/index.js';
import { ingestDrop } from '../../src/ingest/load.js';
import { Scratch } from '../support/drop.js';
import { quarantineOf, queryLake } from '../support/lake.js';

interface InjectedRow {
  entity: string;
  file: string;
  line: number;
  expected_reason: string;
}

async function readInjected(file: string): Promise<InjectedRow[]> {
  const [header, ...lines] = (await readFile(file, 'utf8')).trim().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => {
    const fields = line.split(',');
    const row = Object.fromEntries(columns.map((column, i) => [column, fields[i]]));
    return {
      entity: row.entity!,
      file: row.file!,
      line: Number(row.line),
      expected_reason: row.expected_reason!,
    };
  });
}

describe('generated drops', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(() => scratch.dispose());

  test('a clean generated factory loads every row', async () => {
    const drop = scratch.path('clean');
    const summary = await generateFactory({ out: drop, seed: 3, scale: 'tiny' });
    const result = await ingestDrop({ lake: scratch.path('lake-clean'), drop, source: factorySource() });
    assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
    assert.equal(result.load.rows_quarantined, 0);
    assert.equal(result.load.rows_loaded, summary.total_rows);
    const [counts] = await queryLake<{ n: number }>(
      scratch.path('lake-clean'),
      'select count(*)::int as n from production_counts',
    );
    assert.equal(counts!.n, summary.entities.production_counts);
  });

  test('exactly the injected violations are quarantined, at their line, with the expected reason', async () => {
    const drop = scratch.path('bad');
    await generateFactory({ out: drop, seed: 5, scale: 'tiny', badRows: 0.02 });
    const injected = await readInjected(`${drop}.truth/bad_rows.csv`);
    assert.ok(injected.length > 20);
    const lake = scratch.path('lake-bad');
    const result = await ingestDrop({ lake, drop, source: factorySource() });
    assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
    const quarantined = await quarantineOf(lake, result.load.load_id);
    const key = (file: string, line: number) => `${file}:${line}`;
    assert.deepEqual(
      quarantined.map((row) => key(row.file, row.line)).sort(),
      injected.map((row) => key(row.file, row.line)).sort(),
    );
    for (const row of injected) {
      const got = quarantined.find(
        (candidate) => candidate.file === row.file && candidate.line === row.line,
      )!;
      const codes = got.reasons.map((reason) => reason.code);
      assert.ok(
        codes.includes(row.expected_reason),
        `${key(row.file, row.line)}: expected ${row.expected_reason}, got ${codes.join(', ')}`,
      );
    }
    for (const file of result.load.files)
      assert.equal(file.rows_read, file.rows_loaded + file.rows_quarantined);
  });
});

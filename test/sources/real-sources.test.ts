/**
 * The shipped example sources (examples/sources/*.source.yaml) ingest two real, public
 * datasets exactly as a user's own declaration would, and the lake then shows the figures
 * their publishers (and each dataset's PROVENANCE.md) state.
 *
 * The datasets are read in place from ../shared/data beside the repository (never copied
 * into it). A clone without that folder skips these tests and says why. The C-MAPSS
 * corruption tests at the end write made-up files of the same form to a temporary drop and
 * run everywhere; the one that corrupts a copy of the real train file needs the folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSourceDeclaration, type SourceDeclaration } from '../../src/contract/declaration.js';
import { type IngestResult, ingestDrop } from '../../src/ingest/load.js';
import { type QuarantinedRow, readQuarantine } from '../../src/lake/quarantine.js';
import { type LakeReader, openLakeReader, runReadOnlyQuery } from '../../src/lake/reader.js';
import type { LoadRecord } from '../../src/meta/records.js';
import { Scratch } from '../support/drop.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sharedData = path.resolve(repoRoot, '..', 'shared', 'data');
const examples = path.join(repoRoot, 'examples', 'sources');
const cmapssDir = path.join(sharedData, 'cmapss-fd001');
const ai4iDir = path.join(sharedData, 'ai4i2020');
const noSharedData = existsSync(sharedData)
  ? false
  : `../shared/data not found: the real datasets live beside the repo in CI only (looked in ${sharedData})`;

/** One row of a read-only query over the lake, every value as a number (BIGINTs arrive as text). */
async function numbers(reader: LakeReader, sql: string): Promise<Record<string, number>> {
  const { rows } = await runReadOnlyQuery(reader, sql);
  assert.equal(rows.length, 1, `expected one row from: ${sql}`);
  return Object.fromEntries(Object.entries(rows[0]!).map(([key, value]) => [key, Number(value)]));
}

/** `column -> count` from a two-column query. */
async function counts(reader: LakeReader, sql: string): Promise<Record<string, number>> {
  const { rows, columns } = await runReadOnlyQuery(reader, sql);
  return Object.fromEntries(rows.map((row) => [String(row[columns[0]!]), Number(row[columns[1]!])]));
}

/** The audit a user relies on: committed, nothing quarantined, every row read is accounted for. */
function assertCleanLoad(result: IngestResult, expectedFiles: Record<string, number>): void {
  const { load } = result;
  assert.equal(result.status, 'committed', `load failed: ${JSON.stringify(load.error)}`);
  assert.equal(load.rows_quarantined, 0);
  assert.deepEqual(
    Object.fromEntries(load.files.map((file) => [file.file, file.rows_read])),
    expectedFiles,
    'rows read per file',
  );
  for (const file of load.files) {
    assert.equal(file.status, 'loaded', file.file);
    assert.equal(
      file.rows_read,
      file.rows_loaded + file.rows_quarantined,
      `${file.file}: read = loaded + quarantined`,
    );
    assert.equal(file.rows_quarantined, 0, `${file.file}: quarantined rows`);
  }
  for (const entity of load.entities) assert.deepEqual(entity.reasons, {}, `${entity.entity}: reasons`);
  assert.equal(
    load.rows_read,
    Object.values(expectedFiles).reduce((sum, n) => sum + n, 0),
  );
  assert.equal(load.rows_loaded, load.rows_read);
}

/** Sums of every whitespace-separated column of a C-MAPSS file, computed straight from its bytes. */
async function columnSumsOfText(file: string): Promise<{ rows: number; sums: number[] }> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const sums: number[] = [];
  for (const line of lines) {
    line
      .trim()
      .split(/\s+/)
      .forEach((field, i) => {
        sums[i] = (sums[i] ?? 0) + Number(field);
      });
  }
  return { rows: lines.length, sums };
}

const CMAPSS_COLUMNS = [
  'unit',
  'cycle',
  'op_setting_1',
  'op_setting_2',
  'op_setting_3',
  ...Array.from({ length: 21 }, (_, i) => `sensor_${i + 1}`),
];

describe('NASA C-MAPSS FD001 through examples/sources/cmapss-fd001.source.yaml', {
  skip: noSharedData,
}, () => {
  let scratch: Scratch;
  let result: IngestResult;
  let reader: LakeReader;

  before(async () => {
    scratch = await Scratch.create('lathe-cmapss-');
    const source = loadSourceDeclaration(path.join(examples, 'cmapss-fd001.source.yaml'));
    result = await ingestDrop({ lake: scratch.path('lake'), drop: cmapssDir, source });
    reader = await openLakeReader(scratch.path('lake'));
  });
  after(async () => {
    reader?.close();
    await scratch?.dispose();
  });

  test('the shared folder loads in place: 20,631 train and 13,096 test rows, none quarantined', () => {
    assertCleanLoad(result, { 'train_FD001.txt': 20_631, 'test_FD001.txt': 13_096, 'RUL_FD001.txt': 100 });
    assert.deepEqual(Object.fromEntries(result.load.entities.map((entity) => [entity.entity, entity.kind])), {
      engine_cycles_train: 'snapshot',
      engine_cycles_test: 'snapshot',
      engine_rul: 'snapshot',
    });
    // The notes belong to no entity.
    assert.deepEqual([...result.load.ignored_files].sort(), ['PROVENANCE.md', 'readme.txt']);
    assert.deepEqual([...reader.entities].sort(), [
      'engine_cycles_test',
      'engine_cycles_train',
      'engine_rul',
    ]);
  });

  test('100 engines in each file, ids 1..100, each with cycles 1..n without gaps', async () => {
    for (const table of ['engine_cycles_train', 'engine_cycles_test']) {
      const units = await numbers(
        reader,
        `SELECT count(*) AS units, min(unit) AS first, max(unit) AS last,
                count(*) FILTER (WHERE first_cycle = 1 AND last_cycle = cycles) AS contiguous
         FROM (SELECT unit, min(cycle) AS first_cycle, max(cycle) AS last_cycle, count(*) AS cycles
               FROM ${table} GROUP BY unit)`,
      );
      assert.deepEqual(units, { units: 100, first: 1, last: 100, contiguous: 100 }, table);
    }
  });

  test('life lengths: train 128/199/206.31/362 (sd 46.34), test 31/133.5/130.96/303 (sd 53.59)', async () => {
    const lifeSql = (table: string) =>
      `SELECT min(n) AS min, median(n) AS median, round(avg(n), 2) AS mean, max(n) AS max,
              round(stddev_samp(n), 2) AS sd
       FROM (SELECT max(cycle) AS n FROM ${table} GROUP BY unit)`;
    assert.deepEqual(await numbers(reader, lifeSql('engine_cycles_train')), {
      min: 128,
      median: 199,
      mean: 206.31,
      max: 362,
      sd: 46.34,
    });
    assert.deepEqual(await numbers(reader, lifeSql('engine_cycles_test')), {
      min: 31,
      median: 133.5,
      mean: 130.96,
      max: 303,
      sd: 53.59,
    });
  });

  test('exactly setting 3 and sensors 1, 5, 10, 16, 18, 19 are constant, in both files', async () => {
    for (const table of ['engine_cycles_train', 'engine_cycles_test']) {
      const distinct = await numbers(
        reader,
        `SELECT ${CMAPSS_COLUMNS.map((column) => `count(DISTINCT ${column}) AS ${column}`).join(', ')} FROM ${table}`,
      );
      const constant = CMAPSS_COLUMNS.filter((column) => distinct[column] === 1);
      assert.deepEqual(
        constant,
        ['op_setting_3', 'sensor_1', 'sensor_5', 'sensor_10', 'sensor_16', 'sensor_18', 'sensor_19'],
        table,
      );
    }
  });

  test('every column lands in its declared place: sums per column equal the file’s own', async () => {
    // An independent reading of the text files; a shifted or dropped field would change a sum.
    for (const [table, file] of [
      ['engine_cycles_train', 'train_FD001.txt'],
      ['engine_cycles_test', 'test_FD001.txt'],
    ] as const) {
      const expected = await columnSumsOfText(path.join(cmapssDir, file));
      const lake = await numbers(
        reader,
        `SELECT count(*) AS rows, ${CMAPSS_COLUMNS.map((column) => `sum(${column}) AS ${column}`).join(', ')} FROM ${table}`,
      );
      assert.equal(lake.rows, expected.rows, `${table} rows`);
      CMAPSS_COLUMNS.forEach((column, i) => {
        const want = expected.sums[i]!;
        assert.ok(
          Math.abs(lake[column]! - want) <= 1e-9 * Math.max(1, Math.abs(want)),
          `${table}.${column}: lake sum ${lake[column]} vs file sum ${want}`,
        );
      });
    }
  });

  test('loading the same folder again changes nothing', async () => {
    const source = loadSourceDeclaration(path.join(examples, 'cmapss-fd001.source.yaml'));
    const again = await ingestDrop({ lake: scratch.path('lake'), drop: cmapssDir, source });
    assert.equal(again.status, 'unchanged');
    assert.equal(again.load.load_id, result.load.load_id);
  });
});

/**
 * engine_rul: RUL_FD001.txt has one value per line and the unit is the line number,
 * declared with `record_number: true`.
 */

describe('NASA C-MAPSS FD001: RUL_FD001.txt as engine_rul (unit = line number)', {
  skip: noSharedData,
}, () => {
  test('100 RUL values, one per test engine: 7/86/75.52/145 (sd 41.77); total life 141/199/206.48/341', {}, async () => {
    const scratch = await Scratch.create('lathe-cmapss-rul-');
    try {
      const source = loadSourceDeclaration(path.join(examples, 'cmapss-fd001.source.yaml'));
      const result = await ingestDrop({ lake: scratch.path('lake'), drop: cmapssDir, source });
      assertCleanLoad(result, {
        'train_FD001.txt': 20_631,
        'test_FD001.txt': 13_096,
        'RUL_FD001.txt': 100,
      });
      assert.deepEqual([...result.load.ignored_files].sort(), ['PROVENANCE.md', 'readme.txt']);
      const reader = await openLakeReader(scratch.path('lake'));
      try {
        const rul = await numbers(
          reader,
          `SELECT count(*) AS n, min(unit) AS first, max(unit) AS last, min(rul_cycles) AS min,
                  median(rul_cycles) AS median, round(avg(rul_cycles), 2) AS mean, max(rul_cycles) AS max,
                  stddev_samp(rul_cycles) AS sd FROM engine_rul`,
        );
        assert.deepEqual(
          { ...rul, sd: undefined },
          { n: 100, first: 1, last: 100, min: 7, median: 86, mean: 75.52, max: 145, sd: undefined },
        );
        // PROVENANCE.md says 41.77; the exact sample sd is 41.76497 (41.765, rounded twice).
        assert.ok(Math.abs(rul.sd! - 41.77) < 0.006, `RUL sd ${rul.sd}`);
        assert.deepEqual(
          await numbers(
            reader,
            `SELECT min(life) AS min, median(life) AS median, round(avg(life), 2) AS mean, max(life) AS max
               FROM (SELECT t.unit, max(t.cycle) + any_value(r.rul_cycles) AS life
                     FROM engine_cycles_test t JOIN engine_rul r USING (unit) GROUP BY t.unit)`,
          ),
          { min: 141, median: 199, mean: 206.48, max: 341 },
        );
      } finally {
        reader.close();
      }
    } finally {
      await scratch.dispose();
    }
  });
});

describe('AI4I 2020 through examples/sources/ai4i2020.source.yaml', { skip: noSharedData }, () => {
  let scratch: Scratch;
  let result: IngestResult;
  let reader: LakeReader;

  before(async () => {
    scratch = await Scratch.create('lathe-ai4i-');
    const source = loadSourceDeclaration(path.join(examples, 'ai4i2020.source.yaml'));
    result = await ingestDrop({ lake: scratch.path('lake'), drop: ai4iDir, source });
    reader = await openLakeReader(scratch.path('lake'));
  });
  after(async () => {
    reader?.close();
    await scratch?.dispose();
  });

  test('the BOM, CRLF file loads in place: 10,000 rows, none quarantined, UDI 1..10,000', async () => {
    assertCleanLoad(result, { 'ai4i2020.csv': 10_000 });
    assert.deepEqual(result.load.ignored_files, ['PROVENANCE.md']);
    assert.deepEqual(
      await numbers(
        reader,
        'SELECT count(*) AS n, count(DISTINCT udi) AS udis, min(udi) AS first, max(udi) AS last FROM machine_process',
      ),
      { n: 10_000, udis: 10_000, first: 1, last: 10_000 },
    );
  });

  test('339 machine failures; TWF 46, HDF 115, PWF 95, OSF 98, RNF 19', async () => {
    assert.deepEqual(
      await numbers(
        reader,
        `SELECT sum(machine_failure) AS machine_failure, sum(twf) AS twf, sum(hdf) AS hdf, sum(pwf) AS pwf,
                sum(osf) AS osf, sum(rnf) AS rnf FROM machine_process`,
      ),
      { machine_failure: 339, twf: 46, hdf: 115, pwf: 95, osf: 98, rnf: 19 },
    );
  });

  test('the 27 published label discrepancies and 24 multi-mode rows load as they are', async () => {
    assert.deepEqual(
      await numbers(
        reader,
        `SELECT count(*) FILTER (WHERE machine_failure = 1 AND modes = 0) AS failure_without_mode,
                count(*) FILTER (WHERE machine_failure = 0 AND rnf = 1) AS rnf_without_failure,
                count(*) FILTER (WHERE modes >= 2) AS multi_mode
         FROM (SELECT *, twf + hdf + pwf + osf + rnf AS modes FROM machine_process)`,
      ),
      { failure_without_mode: 9, rnf_without_failure: 18, multi_mode: 24 },
    );
  });

  test('type mix L 6,000 / M 2,997 / H 1,003 (the file, not the UCI text’s 50/30/20); failures 235/83/21', async () => {
    assert.deepEqual(await counts(reader, 'SELECT type, count(*) FROM machine_process GROUP BY type'), {
      L: 6000,
      M: 2997,
      H: 1003,
    });
    assert.deepEqual(
      await counts(reader, 'SELECT type, sum(machine_failure) FROM machine_process GROUP BY type'),
      { L: 235, M: 83, H: 21 },
    );
  });

  test('process columns, mapped from the bracketed header names, match the published min/mean/max/sd', async () => {
    const stats = async (column: string, digits: number) =>
      numbers(
        reader,
        `SELECT min(${column}) AS min, round(avg(${column}), ${digits}) AS mean, max(${column}) AS max,
                round(stddev_samp(${column}), ${digits}) AS sd FROM machine_process`,
      );
    assert.deepEqual(await stats('air_temperature_k', 3), { min: 295.3, mean: 300.005, max: 304.5, sd: 2.0 });
    assert.deepEqual(await stats('process_temperature_k', 3), {
      min: 305.7,
      mean: 310.006,
      max: 313.8,
      sd: 1.484,
    });
    assert.deepEqual(await stats('rotational_speed_rpm', 2), {
      min: 1168,
      mean: 1538.78,
      max: 2886,
      sd: 179.28,
    });
    assert.deepEqual(await stats('torque_nm', 3), { min: 3.8, mean: 39.987, max: 76.6, sd: 9.969 });
    assert.deepEqual(await stats('tool_wear_min', 2), { min: 0, mean: 107.95, max: 253, sd: 63.65 });
  });
});

// ---------------------------------------------------------------------------------------------
// Corrupted C-MAPSS files: one bad field quarantines exactly its row, named by its physical line.

/** The shipped C-MAPSS declaration, read as `lathe ingest --source` reads it. */
function cmapssSource(): SourceDeclaration {
  return loadSourceDeclaration(path.join(examples, 'cmapss-fd001.source.yaml'));
}

/** A made-up line in the C-MAPSS form: 26 space-separated numbers and two trailing spaces. */
function cycleLine(unit: number, cycle: number): string {
  const settings = [(-0.0007 + cycle / 10_000).toFixed(4), '-0.0004', '100.0'];
  const sensors = Array.from({ length: 21 }, (_, i) => (500 + i * 10 + cycle / 100).toFixed(2));
  return `${[unit, cycle, ...settings, ...sensors].join(' ')}  `;
}

async function quarantined(lake: string, load: LoadRecord, entity: string): Promise<QuarantinedRow[]> {
  const reader = await openLakeReader(lake);
  try {
    return (await readQuarantine(reader.db, reader.layout, { loadId: load.load_id, entity })).rows;
  } finally {
    reader.close();
  }
}

async function rowCount(lake: string, sql: string): Promise<number> {
  const reader = await openLakeReader(lake);
  try {
    return (await numbers(reader, sql)).n!;
  } finally {
    reader.close();
  }
}

describe('a corrupted C-MAPSS file', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create('lathe-cmapss-bad-');
  });
  after(async () => {
    await scratch?.dispose();
  });

  test('a non-numeric field quarantines exactly that row as bad_type, at its line', async () => {
    const lines = [1, 2, 3, 4].map((cycle) => cycleLine(1, cycle)).concat(cycleLine(2, 1));
    lines[2] = lines[2]!.replace(/^(\S+ \S+ \S+ \S+ \S+ \S+) \S+/, '$1 n/a'); // sensor_2 of unit 1, cycle 3
    const drop = await scratch.drop('small', { 'train_FD001.txt': `${lines.join('\n')}\n` });
    const lake = scratch.path('small-lake');
    const result = await ingestDrop({ lake, drop, source: cmapssSource(), quarantineLimit: 0.5 });

    assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
    const [file] = result.load.files;
    assert.deepEqual(
      { read: file!.rows_read, loaded: file!.rows_loaded, quarantined: file!.rows_quarantined },
      { read: 5, loaded: 4, quarantined: 1 },
    );
    assert.deepEqual(result.load.entities[0]!.reasons, { bad_type: 1 });
    const [row, ...more] = await quarantined(lake, result.load, 'engine_cycles_train');
    assert.equal(more.length, 0);
    assert.equal(row!.file, 'train_FD001.txt');
    assert.equal(row!.line, 3);
    assert.deepEqual(
      row!.reasons.map((reason) => [reason.code, reason.field]),
      [['bad_type', 'sensor_2']],
    );
    assert.match(row!.reasons[0]!.message, /`sensor_2` is `n\/a`, expected a decimal number/);
    const record = JSON.parse(row!.record) as Record<string, string>;
    assert.deepEqual([record.unit, record.cycle, record.sensor_2], ['1', '3', 'n/a']);
    assert.equal(await rowCount(lake, 'SELECT count(*) AS n FROM engine_cycles_train'), 4);
    assert.equal(
      await rowCount(lake, 'SELECT count(*) AS n FROM engine_cycles_train WHERE unit = 1 AND cycle = 3'),
      0,
    );
  });

  test('the real train file with one bad field deep inside: 20,630 load, line 15,000 is quarantined', {
    skip: noSharedData,
  }, async () => {
    const lines = (await readFile(path.join(cmapssDir, 'train_FD001.txt'), 'utf8')).split('\n');
    const target = 15_000;
    const [unit, cycle] = lines[target - 1]!.trim().split(/\s+/);
    lines[target - 1] = lines[target - 1]!.replace(/^(\S+ \S+) \S+/, '$1 -0.00l2'); // op_setting_1: a letter l for a 1
    const drop = scratch.path('big');
    await scratch.drop('big', {});
    await writeFile(path.join(drop, 'train_FD001.txt'), lines.join('\n'));
    const lake = scratch.path('big-lake');
    const result = await ingestDrop({ lake, drop, source: cmapssSource() });

    assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
    const [file] = result.load.files;
    assert.deepEqual(
      { read: file!.rows_read, loaded: file!.rows_loaded, quarantined: file!.rows_quarantined },
      { read: 20_631, loaded: 20_630, quarantined: 1 },
    );
    const rows = await quarantined(lake, result.load, 'engine_cycles_train');
    assert.deepEqual(
      rows.map((row) => ({
        line: row.line,
        codes: row.reasons.map((reason) => `${reason.code}:${reason.field}`),
      })),
      [{ line: target, codes: ['bad_type:op_setting_1'] }],
    );
    const record = JSON.parse(rows[0]!.record) as Record<string, string>;
    assert.deepEqual([record.unit, record.cycle, record.op_setting_1], [unit, cycle, '-0.00l2']);
    assert.equal(
      await rowCount(
        lake,
        `SELECT count(*) AS n FROM engine_cycles_train WHERE unit = ${unit} AND cycle = ${cycle}`,
      ),
      0,
    );
  });

  test('blank lines do not shift the line a quarantined row is reported at', {}, async () => {
    const bad = cycleLine(1, 3).replace(/^(\S+ \S+) \S+/, '$1 abc');
    const text = [cycleLine(1, 1), '', cycleLine(1, 2), '   ', bad, cycleLine(1, 4), ''].join('\n');
    const drop = await scratch.drop('blank', { 'train_FD001.txt': text });
    const lake = scratch.path('blank-lake');
    const result = await ingestDrop({ lake, drop, source: cmapssSource(), quarantineLimit: 0.5 });
    assert.equal(result.status, 'committed');
    const rows = await quarantined(lake, result.load, 'engine_cycles_train');
    assert.deepEqual(
      rows.map((row) => [row.line, row.reasons[0]!.code]),
      [[5, 'bad_type']],
    );
  });

  test('a line with more fields than declared is quarantined as malformed, not cut short', {}, async () => {
    const lines = [cycleLine(1, 1), `${cycleLine(1, 2).trimEnd()} 99.9  `, cycleLine(1, 3)];
    const drop = await scratch.drop('extra', { 'train_FD001.txt': `${lines.join('\n')}\n` });
    const lake = scratch.path('extra-lake');
    const result = await ingestDrop({ lake, drop, source: cmapssSource(), quarantineLimit: 0.5 });
    assert.equal(result.status, 'committed');
    const rows = await quarantined(lake, result.load, 'engine_cycles_train');
    assert.deepEqual(
      rows.map((row) => [row.line, row.reasons[0]!.code]),
      [[2, 'malformed_row']],
    );
  });
});

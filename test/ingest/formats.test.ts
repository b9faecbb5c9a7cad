/**
 * NDJSON and Parquet drops load like CSV, a bad record in them is quarantined with its
 * line (NDJSON) or row (Parquet), and file-level failures stop the load with a message
 * that names the file, the line, the field and the fix.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { parseSourceDeclaration } from '../../src/contract/declaration.js';
import { DuckSession, sqlString } from '../../src/lake/duckdb.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readCurrentId } from '../../src/lake/manifest.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles, quarantineOf, queryLake } from '../support/lake.js';

describe('drop formats', () => {
  let scratch: Scratch;
  let lakeIndex = 0;
  const freshLake = () => scratch.path(`lake-${++lakeIndex}`);
  before(async () => {
    scratch = await Scratch.create();
  });
  after(() => scratch.dispose());

  test('NDJSON: case-insensitive keys load; a bad line is quarantined at its line; a blank line is no record', async () => {
    const lake = freshLake();
    const files = {
      ...validDrop(),
      'sensor_readings.csv': null,
      'sensor_readings.ndjson': [
        '{"machine_id":"M1","sensor":"temperature_c","ts":"2026-03-02T05:00:00Z","value":49.5,"quality":"good"}',
        '{"Machine_ID":"M1","sensor":"temperature_c","ts":"2026-03-02T05:00:10Z","value":"50.1"}',
        '',
        'not json at all',
        '{"machine_id":"M1","sensor":"temperature_c","ts":"2026-03-02T05:00:20Z","value":"hot","quality":"good","firmware":"1.2"}',
      ].join('\n'),
    };
    const result = await ingestFiles(scratch, files, { lake, quarantineLimit: 1 });
    assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
    const audit = result.load.files.find((file) => file.file === 'sensor_readings.ndjson')!;
    assert.deepEqual(
      [audit.format, audit.rows_read, audit.rows_loaded, audit.rows_quarantined],
      ['ndjson', 4, 2, 2],
    );
    const rows = await quarantineOf(lake, result.load.load_id, 'sensor_readings');
    assert.deepEqual(
      rows.map((row) => [row.line, row.reasons.map((reason) => reason.code)]),
      [
        [4, ['malformed_row']],
        [5, ['bad_type']],
      ],
    );
    const loaded = await queryLake(lake, 'select value, quality from sensor_readings order by ts');
    assert.deepEqual(loaded, [
      { value: 49.5, quality: 'good' },
      { value: 50.1, quality: 'good' },
    ]);
  });

  test('an entity split over several files: each bad row is reported in its own file at its own line', async () => {
    const lake = freshLake();
    const header = 'machine_id,sensor,ts,value,quality';
    const files = {
      ...validDrop(),
      'sensor_readings.csv': null,
      'sensor_readings_a.csv': `${header}\nM1,temperature_c,2026-03-02T05:00:00Z,50,good\nM1,temperature_c,2026-03-02T05:00:10Z,hot,good\n`,
      'sensor_readings_b.csv': `${header}\nM1,temperature_c,2026-03-02T06:00:00Z,51,good\nM1,temperature_c,2026-03-02T06:00:10Z,52,good\nM1,temperature_c,2026-03-02T06:00:20Z,53,fine\n`,
    };
    const result = await ingestFiles(scratch, files, { lake, quarantineLimit: 1 });
    assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
    const rows = await quarantineOf(lake, result.load.load_id, 'sensor_readings');
    assert.deepEqual(
      rows.map((row) => [row.file, row.line, row.reasons[0]!.code]),
      [
        ['sensor_readings_a.csv', 3, 'bad_type'],
        ['sensor_readings_b.csv', 4, 'bad_enum'],
      ],
    );
    const [count] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from sensor_readings');
    assert.equal(count!.n, 3);
  });

  test('Parquet: typed columns load; a bad row is quarantined with its row number', async () => {
    const lake = freshLake();
    const dropDir = await scratch.drop('parquet-drop', { ...validDrop(), 'sensor_readings.csv': null });
    const db = await DuckSession.open();
    await db.run(`COPY (
        SELECT * FROM (VALUES
          ('M1', 'temperature_c', TIMESTAMPTZ '2026-03-02 05:00:00+00', '49.5', 'good'),
          ('M1', 'temperature_c', TIMESTAMPTZ '2026-03-02 05:00:10+00', 'n/a', 'good'),
          ('M1', 'temperature_c', TIMESTAMPTZ '2026-03-02 05:00:20+00', '50.5', 'bad')
        ) AS t(machine_id, sensor, ts, value, quality)
      ) TO ${sqlString(`${dropDir}/sensor_readings.parquet`)} (FORMAT parquet)`);
    db.close();
    const { ingestDrop } = await import('../../src/ingest/load.js');
    const { factorySource } = await import('../../src/contract/factory.js');
    const result = await ingestDrop({ lake, drop: dropDir, source: factorySource(), quarantineLimit: 1 });
    assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
    const rows = await quarantineOf(lake, result.load.load_id, 'sensor_readings');
    assert.deepEqual(
      rows.map((row) => [row.file, row.line, row.reasons[0]!.code]),
      [['sensor_readings.parquet', 2, 'bad_type']],
    );
    const [count] = await queryLake<{ n: number }>(
      lake,
      "select count(*)::int as n from sensor_readings where ts >= '2026-03-02T05:00:00Z'",
    );
    assert.equal(count!.n, 2);
  });

  test('naive timestamps read as plant-local when declared: the earlier instant on fall-back, bad input on spring-forward', async () => {
    const source = parseSourceDeclaration(
      `source: berlin_logger
naive_timestamps: plant_local
timezone: Europe/Berlin
entities:
  readings:
    kind: append
    key: [ts]
    columns:
      ts: ts
      value: decimal
`,
      'berlin_logger.source.yaml',
    );
    const lake = freshLake();
    const drop = await scratch.drop('naive', {
      'readings.csv': `ts,value
2026-03-29T01:30:00,1
2026-03-29T02:30:00,2
2026-03-29T03:30:00,3
2026-10-25T02:30:00,4
2026-10-25T01:00:00+00:00,5
`,
    });
    const { ingestDrop } = await import('../../src/ingest/load.js');
    const result = await ingestDrop({ lake, drop, source, quarantineLimit: 1 });
    assert.equal(result.status, 'committed');
    const rows = await queryLake<{ value: number; utc: string }>(
      lake,
      "select value, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') as utc from readings order by value",
    );
    assert.deepEqual(rows, [
      { value: 1, utc: '2026-03-29T00:30:00Z' },
      { value: 3, utc: '2026-03-29T01:30:00Z' },
      { value: 4, utc: '2026-10-25T00:30:00Z' },
      { value: 5, utc: '2026-10-25T01:00:00Z' },
    ]);
    const [bad] = await quarantineOf(lake, result.load.load_id);
    assert.equal(bad!.line, 3);
    assert.equal(bad!.reasons[0]!.code, 'nonexistent_local_time');
    assert.match(bad!.reasons[0]!.message, /does not exist in Europe\/Berlin/);
  });
});

describe('file-level failures fail the whole load, which never becomes current', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(() => scratch.dispose());

  async function expectFailure(lakeName: string, files: Record<string, string | null>) {
    const lake = scratch.path(lakeName);
    const good = await ingestFiles(scratch, validDrop(), { lake });
    assert.equal(good.status, 'committed');
    const result = await ingestFiles(scratch, files, { lake });
    assert.equal(result.status, 'failed');
    assert.equal(result.load.status, 'failed');
    assert.equal(
      await readCurrentId(new LakeLayout(lake), 'raw'),
      good.load.load_id,
      'readers keep the last good load',
    );
    const [machines] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from machines');
    assert.equal(machines!.n, 2);
    return result.load.error!;
  }

  test('a missing required column names the file, line 1, the field and the fix', async () => {
    const files = {
      ...validDrop(),
      'machines.csv': 'machine_id,line_id,machine_name,line_position,crew_size\nM1,L1,Press,1,1\n',
    };
    const error = await expectFailure('lake-missing', files);
    assert.equal(error.code, 'missing_column');
    assert.equal(error.file, 'machines.csv');
    assert.equal(error.line, 1);
    assert.equal(error.field, 'hourly_cost');
    assert.equal(error.message, 'missing required column `hourly_cost`');
    assert.match(
      error.fix!,
      /add the column to the header \(columns found: machine_id, line_id, machine_name, line_position, crew_size\)/,
    );
  });

  test('a Parquet file that is not Parquet', async () => {
    const files = {
      ...validDrop(),
      'sensor_readings.csv': null,
      'sensor_readings.parquet': 'machine_id,sensor\nM1,t\n',
    };
    const error = await expectFailure('lake-parquet', files);
    assert.equal(error.code, 'file_unreadable');
    assert.equal(error.file, 'sensor_readings.parquet');
    assert.match(error.message, /^not a readable Parquet file/);
    assert.match(error.fix!, /export the file again as Parquet/);
  });

  test('a CSV file that is binary', async () => {
    const files = { ...validDrop(), 'materials.csv': null };
    const dir = await scratch.drop('binary', files);
    await writeFile(
      `${dir}/materials.csv`,
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0xfe, 0x00, 0x01]),
    );
    const lake = scratch.path('lake-binary');
    const { ingestDrop } = await import('../../src/ingest/load.js');
    const { factorySource } = await import('../../src/contract/factory.js');
    await ingestFiles(scratch, validDrop(), { lake });
    const result = await ingestDrop({ lake, drop: dir, source: factorySource() });
    assert.equal(result.status, 'failed');
    assert.equal(result.load.error!.file, 'materials.csv');
    assert.ok(
      ['missing_column', 'file_unreadable'].includes(result.load.error!.code),
      result.load.error!.code,
    );
  });

  test('an unreadable file', {
    skip: process.getuid?.() === 0 ? 'runs as root, which reads any file' : false,
  }, async () => {
    const dir = await scratch.drop('unreadable', validDrop());
    const { chmod } = await import('node:fs/promises');
    await chmod(`${dir}/machines.csv`, 0o000);
    const { ingestDrop } = await import('../../src/ingest/load.js');
    const { factorySource } = await import('../../src/contract/factory.js');
    const result = await ingestDrop({
      lake: scratch.path('lake-unreadable'),
      drop: dir,
      source: factorySource(),
    });
    assert.equal(result.load.error!.code, 'file_unreadable');
  });

  test('over the quarantine limit: the load fails, names the first bad row, and keeps its quarantine for inspection', async () => {
    const lake = scratch.path('lake-limit');
    const files = {
      ...validDrop(),
      'machines.csv':
        'machine_id,line_id,machine_name,machine_type,line_position,hourly_cost,crew_size\nM1,L1,Press,press,1,80,1\nM2,L1,Mill,mill,2,lots,0.5\n',
    };
    await ingestFiles(scratch, validDrop(), { lake });
    const result = await ingestFiles(scratch, files, { lake });
    assert.equal(result.status, 'failed');
    const error = result.load.error!;
    assert.equal(error.code, 'quarantine_limit');
    assert.equal(error.file, 'machines.csv');
    assert.equal(error.line, 3);
    assert.equal(error.field, 'hourly_cost');
    assert.match(
      error.message,
      /^50\.0% of machines rows were quarantined \(1 of 2\), above the limit of 5\.0%; the first: file machines.csv line 3: `hourly_cost` is `lots`/,
    );
    assert.match(error.fix!, /lathe quarantine --load/);
    const kept = await quarantineOf(lake, result.load.load_id, 'machines');
    assert.equal(kept.length, 1);
    const [m2] = await queryLake<{ hourly_cost: number }>(
      lake,
      "select hourly_cost from machines where machine_id = 'M2'",
    );
    assert.equal(m2!.hourly_cost, 95, 'the previous snapshot stays current');
  });
});

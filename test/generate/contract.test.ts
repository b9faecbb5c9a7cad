import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { ENTITY_COLUMNS, ENTITY_NAMES } from '../../src/generate/index.js';
import { checkDrop, loadContract } from './contract-check.js';
import { type CsvTable, type TempDrop, tempDrop } from './csv.js';

describe('generate: every contract entity, as declared', () => {
  let drop: TempDrop;
  const tables: Record<string, CsvTable> = {};
  before(async () => {
    drop = await tempDrop({ seed: 5 });
    for (const entity of ENTITY_NAMES) tables[entity] = await drop.table(entity);
  });
  after(() => drop.cleanup());

  test('the drop holds exactly one file per contract entity, with the declared header', async () => {
    const contract = loadContract();
    assert.deepEqual((await readdir(drop.out)).sort(), contract.map((entity) => `${entity.name}.csv`).sort());
    for (const entity of contract) {
      assert.deepEqual(
        tables[entity.name]!.header,
        entity.columns.map((c) => c.name),
        `header of ${entity.name}.csv`,
      );
      assert.deepEqual(
        [...ENTITY_COLUMNS[entity.name as keyof typeof ENTITY_COLUMNS]],
        entity.columns.map((c) => c.name),
      );
    }
  });

  test('every entity has rows, and a drop without --bad-rows passes every contract check', () => {
    for (const entity of ENTITY_NAMES) assert.ok(tables[entity]!.rows.length > 0, `${entity} has rows`);
    const verdicts = checkDrop(tables);
    for (const [entity, bad] of verdicts) {
      assert.deepEqual(
        [...bad].slice(0, 3).map(([line, reasons]) => `${line}: ${[...reasons]}`),
        [],
        `${entity} rows fail the contract`,
      );
    }
  });

  test('timestamps are UTC with Z, dates YYYY-MM-DD, booleans true/false', () => {
    for (const row of tables.shifts!.rows)
      assert.match(row.start_ts!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    for (const row of tables.production_orders!.rows) assert.match(row.due_date!, /^\d{4}-\d{2}-\d{2}$/);
    for (const row of tables.downtime_reasons!.rows) assert.match(row.planned!, /^(true|false)$/);
  });

  test('the summary counts the rows that are in the files', () => {
    for (const entity of ENTITY_NAMES)
      assert.equal(drop.summary.entities[entity], tables[entity]!.rows.length, entity);
    assert.equal(
      drop.summary.total_rows,
      ENTITY_NAMES.reduce((sum, entity) => sum + tables[entity]!.rows.length, 0),
    );
    assert.ok(
      drop.summary.total_rows > 2000 && drop.summary.total_rows < 20000,
      `tiny has ${drop.summary.total_rows} rows`,
    );
  });
});

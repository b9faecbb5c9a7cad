import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ENTITY_NAMES, REASON_CODES } from '../../src/generate/index.js';
import { checkDrop, type Verdicts } from './contract-check.js';
import { type CsvTable, type TempDrop, tempDrop } from './csv.js';

describe('generate --bad-rows: every kind of contract violation, recorded', () => {
  let drop: TempDrop;
  let badRows: CsvTable;
  let verdicts: Verdicts;
  const tables: Record<string, CsvTable> = {};
  before(async () => {
    drop = await tempDrop({ seed: 3, badRows: 0.02 });
    for (const entity of ENTITY_NAMES) tables[entity] = await drop.table(entity);
    badRows = await drop.truthTable('bad_rows');
    verdicts = checkDrop(tables);
  });
  after(() => drop.cleanup());

  test('every quarantine reason appears in bad_rows.csv', () => {
    const reasons = new Set(badRows.rows.map((row) => row.expected_reason));
    assert.deepEqual(
      [...REASON_CODES].filter((code) => !reasons.has(code)),
      [],
    );
    const violations = new Set(badRows.rows.map((row) => row.violation));
    assert.ok(violations.has('quarantined_parent'), 'a child of a quarantined parent');
  });

  test('each recorded row fails the contract for exactly its expected reason, and no other row fails', () => {
    const recorded = new Map<string, string>();
    for (const row of badRows.rows) recorded.set(`${row.entity}:${row.line}`, row.expected_reason!);
    for (const row of badRows.rows) {
      assert.equal(row.file, `${row.entity}.csv`);
      const reasons = verdicts.get(row.entity!)?.get(Number(row.line));
      assert.deepEqual(
        reasons ? [...reasons] : [],
        [row.expected_reason],
        `${row.file} line ${row.line} (${row.detail})`,
      );
    }
    for (const [entity, bad] of verdicts) {
      for (const [line, reasons] of bad) {
        assert.ok(
          recorded.has(`${entity}:${line}`),
          `${entity}.csv line ${line} fails (${[...reasons]}) but is not in bad_rows.csv`,
        );
      }
    }
  });

  test('overlaps name both rows, duplicates the second, conflicts all', () => {
    const of = (violation: string) => badRows.rows.filter((row) => row.violation === violation);
    const overlapLines = of('overlapping_interval').map((row) => Number(row.line));
    assert.ok(overlapLines.length >= 2 && overlapLines.length % 2 === 0);
    for (const row of of('duplicate_row')) {
      const table = tables[row.entity!]!;
      const index = table.lines.indexOf(Number(row.line));
      assert.deepEqual(table.rows[index], table.rows[index - 1], 'a duplicate repeats the row before it');
    }
    assert.ok(of('conflicting_key').length >= 2);
  });

  test('transaction entities stay under the 5% quarantine limit at a 2% rate', () => {
    for (const entity of [
      'production_counts',
      'sensor_readings',
      'downtime_events',
      'defects',
      'operators',
      'downtime_reasons',
    ]) {
      const bad = badRows.rows.filter((row) => row.entity === entity).length;
      const share = bad / tables[entity]!.rows.length;
      assert.ok(share < 0.05, `${entity}: ${bad} of ${tables[entity]!.rows.length} rows bad`);
    }
  });

  test('summary.json tallies the bad rows by reason and misses no kind', async () => {
    const summary = JSON.parse(await readFile(path.join(drop.truth, 'summary.json'), 'utf8'));
    assert.equal(summary.bad_rows.total, badRows.rows.length);
    assert.deepEqual(summary.bad_rows.kinds_not_injected, []);
    for (const code of REASON_CODES) {
      assert.equal(
        summary.bad_rows.by_reason[code],
        badRows.rows.filter((row) => row.expected_reason === code).length,
      );
    }
  });
});

/**
 * Two independent implementations of CONTRACT §2-3 must agree on a realistic factory: the
 * warehouse's `fact_machine_shift` (layered models) and the hand-written query the build
 * benchmark uses as its baseline (bench/oee-cells-baseline.sql). The generated drop has
 * everything the hand-made fixtures have one of at a time: daylight saving, overlapping
 * events, stops across shifts, open events, small stops, whole-shift planned stops.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { factorySource } from '../../src/contract/factory.js';
import { generateFactory } from '../../src/generate/index.js';
import { ingestDrop } from '../../src/ingest/load.js';
import { openLakeReader } from '../../src/lake/reader.js';
import { buildWarehouse } from '../../src/models/index.js';
import { Scratch } from '../support/drop.js';

const COMPONENTS = [
  'shift_s',
  'planned_stop_s',
  'ppt_s',
  'stop_s',
  'breakdown_s',
  'setup_s',
  'other_stop_s',
  'small_stop_s',
  'run_s',
  'total',
  'good',
  'ideal_s',
  'ideal_good_s',
];

describe('crosscheck: the warehouse and the hand-written baseline compute the same OEE cells', () => {
  let scratch: Scratch;
  let lake: string;
  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    const drop = scratch.path('drop');
    await generateFactory({ out: drop, seed: 9, scale: 'small' });
    const load = await ingestDrop({ lake, drop, source: factorySource() });
    assert.equal(load.status, 'committed');
    // Only what the cells need, on a lake without a build: tests of relationships to unbuilt dims are skipped.
    const build = await buildWarehouse({ lake, select: '+fact_machine_shift' });
    assert.equal(build.status, 'published', JSON.stringify(build.tests.filter((t) => t.status !== 'pass')));
  });
  after(() => scratch.dispose());

  test('every cell, every component, within 1e-6 s', async () => {
    const baseline = await readFile(new URL('../../bench/oee-cells-baseline.sql', import.meta.url), 'utf8');
    const reader = await openLakeReader(lake);
    try {
      const [counts] = await reader.db.json<{ warehouse: number; baseline: number }>(
        `SELECT (SELECT count(*) FROM fact_machine_shift) AS warehouse, (SELECT count(*) FROM (${baseline})) AS baseline`,
      );
      assert.ok(counts!.baseline > 200, 'a small factory has hundreds of cells');
      assert.equal(counts!.warehouse, counts!.baseline, 'the same cells');
      const differences = await reader.db.json<Record<string, unknown>>(
        `SELECT w.machine_id, w.shift_id, ${COMPONENTS.map((c) => `w.${c} AS w_${c}, b.${c} AS b_${c}`).join(', ')}
         FROM fact_machine_shift w FULL JOIN (${baseline}) b USING (machine_id, shift_id)
         WHERE ${COMPONENTS.map((c) => `abs(coalesce(w.${c}, -1e9) - coalesce(b.${c}, 1e9)) > 1e-6`).join(' OR ')}
         LIMIT 5`,
      );
      assert.deepEqual(differences, [], 'cells that differ (warehouse w_ against baseline b_)');
      const [shares] = await reader.db.json<{ stops: number; small: number; planned: number }>(
        `SELECT sum(stop_s) AS stops, sum(small_stop_s) AS small, sum(planned_stop_s) AS planned FROM fact_machine_shift`,
      );
      assert.ok(
        shares!.stops > 0 && shares!.small > 0 && shares!.planned > 0,
        'the drop exercises every kind of stop',
      );
    } finally {
      reader.close();
    }
  });
});

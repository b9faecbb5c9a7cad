/**
 * A later drop of the same factory (`--start` after the first drop, `--id-prefix`) is how a
 * plant's next day arrives: the same master data, new transactions whose ids never collide
 * with the first drop's, so loading both accumulates instead of superseding rows by key.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { factorySource } from '../../src/contract/factory.js';
import { generateFactory } from '../../src/generate/index.js';
import { ingestDrop } from '../../src/ingest/load.js';
import { Scratch } from '../support/drop.js';
import { queryLake } from '../support/lake.js';
import { parseCsv } from './csv.js';

const TRANSACTIONS = ['production_orders', 'batches', 'downtime_events', 'defects', 'maintenance_orders'];

describe('generate: a continuation drop', () => {
  let scratch: Scratch;
  const first = { rows: {} as Record<string, number> };
  const next = { rows: {} as Record<string, number> };
  before(async () => {
    scratch = await Scratch.create();
    const a = await generateFactory({ out: scratch.path('a'), seed: 4, scale: 'tiny' });
    const b = await generateFactory({
      out: scratch.path('b'),
      seed: 4,
      scale: 'tiny',
      start: '2026-03-30',
      days: 1,
      idPrefix: 'D2',
    });
    first.rows = a.entities;
    next.rows = b.entities;
  });
  after(() => scratch.dispose());

  test('carries the same master data', async () => {
    for (const entity of ['plants', 'lines', 'machines', 'products', 'routings', 'downtime_reasons']) {
      const a = await readFile(path.join(scratch.path('a'), `${entity}.csv`), 'utf8');
      const b = await readFile(path.join(scratch.path('b'), `${entity}.csv`), 'utf8');
      assert.equal(b, a, `${entity}.csv differs between the two drops of one factory`);
    }
  });

  test('reuses no transaction id, so both drops accumulate in the lake', async () => {
    const ids = parseCsv(await readFile(path.join(scratch.path('b'), 'downtime_events.csv'), 'utf8'));
    assert.ok(ids.rows.length > 0);
    assert.ok(ids.rows.every((row) => row.event_id!.startsWith('DT-D2')));

    const lake = scratch.path('lake');
    for (const drop of ['a', 'b']) {
      const result = await ingestDrop({ lake, drop: scratch.path(drop), source: factorySource() });
      assert.equal(result.status, 'committed');
    }
    for (const entity of TRANSACTIONS) {
      const [row] = await queryLake<{ n: number }>(lake, `select count(*) as n from ${entity}`);
      assert.equal(row!.n, first.rows[entity]! + next.rows[entity]!, `${entity}: rows of both drops`);
    }
  });
});

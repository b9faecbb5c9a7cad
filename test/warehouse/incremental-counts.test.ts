/**
 * fact_production_count adds only new count intervals, but must not keep an earlier count's
 * shift once the shifts say otherwise: a shift that arrives late for an earlier count (the
 * count was "in no shift") rebuilds it in full, and the count then lands in that shift.
 * cell_counts, the counts summed per cell and (product, order), follows: incrementally from
 * the new intervals, in full after fact_production_count was; and an interval re-sent with
 * another product leaves no row for the product it had.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { readBuildManifest } from '../../src/lake/manifest.js';
import { type BuildResult, buildWarehouse } from '../../src/models/index.js';
import { Scratch } from '../support/drop.js';
import { ingestFiles } from '../support/lake.js';
import { baseDrop, blockingProblems, csv, MODELS_DIR, query } from './support.js';

const COUNTS =
  'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count';
const SHIFTS = 'shift_id,plant_id,shift_name,start_ts,end_ts';

describe('fact_production_count and cell_counts build incrementally, and in full when shifts move under earlier counts', () => {
  let scratch: Scratch;
  let lake: string;
  const builds: BuildResult[] = [];
  const counts = () =>
    query<{ start: string; shift_id: string | null }>(
      lake,
      "select strftime(interval_start, '%d %H:%M') as start, shift_id from fact_production_count order by interval_start",
    );
  const cells = () =>
    query<{ shift_id: string; product_id: string; order_id: string; total: number }>(
      lake,
      'select shift_id, product_id, order_id, total from cell_counts order by shift_id, product_id',
    );
  const mode = (build: BuildResult, name = 'fact_production_count') => {
    const model = build.models.find((m) => m.name === name)!;
    return [model.mode, model.full_reason, model.rows];
  };

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    const step = async (files: Record<string, string>) => {
      const ingest = await ingestFiles(scratch, files, { lake });
      assert.equal(ingest.status, 'committed', JSON.stringify(ingest.load.error));
      const build = await buildWarehouse({ lake, modelsDir: MODELS_DIR, parallelism: 2 });
      assert.deepEqual(blockingProblems(build), []);
      builds.push(build);
    };
    await step(
      await baseDrop({
        'routings.csv': csv('machine_id,product_id,ideal_cycle_time_s', 'M1,A,1', 'M1,B,2'),
        'shifts.csv': csv(SHIFTS, 'S1,P1,early,2026-03-02T06:00:00Z,2026-03-02T14:00:00Z'),
        'production_counts.csv': csv(
          COUNTS,
          'M1,PO-A,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,100,0', // before S1: in no shift
          'M1,PO-A,A,O1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,300,0',
        ),
      }),
    );
    // The next shift and a count in it: only that count is added.
    await step({
      'shifts.csv': csv(SHIFTS, 'S2,P1,late,2026-03-02T14:00:00Z,2026-03-02T22:00:00Z'),
      'production_counts.csv': csv(COUNTS, 'M1,PO-A,A,O1,2026-03-02T14:00:00Z,2026-03-02T15:00:00Z,280,0'),
    });
    // A shift for the early hour arrives late: the 05:00 count now has a shift.
    await step({ 'shifts.csv': csv(SHIFTS, 'S0,P1,setup,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z') });
    // The 14:00 interval re-sent: it made product B for order PO-B, not A.
    await step({
      'production_counts.csv': csv(COUNTS, 'M1,PO-B,B,O1,2026-03-02T14:00:00Z,2026-03-02T15:00:00Z,250,5'),
    });
  });
  after(() => scratch.dispose());

  it('adds only the next shift’s count', async () => {
    assert.deepEqual(mode(builds[0]!), ['full', 'first incremental build', 2]);
    assert.deepEqual(mode(builds[1]!), ['incremental', undefined, 1]);
  });

  it('a late shift for an earlier count rebuilds in full, and the count lands in it', async () => {
    assert.deepEqual(mode(builds[2]!), ['full', 'full_refresh_if is true', 3]);
    assert.deepEqual(await counts(), [
      { start: '02 05:00', shift_id: 'S0' },
      { start: '02 06:00', shift_id: 'S1' },
      { start: '02 14:00', shift_id: 'S2' },
    ]);
  });

  it('cell_counts sums each cell from the new intervals, and in full after fact_production_count was', async () => {
    assert.deepEqual(mode(builds[0]!, 'cell_counts'), ['full', 'first incremental build', 1]);
    assert.deepEqual(mode(builds[1]!, 'cell_counts'), ['incremental', undefined, 1]);
    assert.deepEqual(mode(builds[2]!, 'cell_counts'), [
      'full',
      'fact_production_count was rebuilt in full since',
      3,
    ]);
  });

  it('an interval re-sent with another product moves its cell’s count to that product, leaving none for the old one', async () => {
    assert.deepEqual(mode(builds[3]!, 'cell_counts')[0], 'incremental');
    assert.deepEqual(await cells(), [
      { shift_id: 'S0', product_id: 'A', order_id: 'PO-A', total: 100 },
      { shift_id: 'S1', product_id: 'A', order_id: 'PO-A', total: 300 },
      { shift_id: 'S2', product_id: 'B', order_id: 'PO-B', total: 250 },
    ]);
    const [cell] = await query<{ total: number; good: number }>(
      lake,
      "select total, good from fact_machine_shift where shift_id = 'S2'",
    );
    assert.deepEqual(cell, { total: 250, good: 245 });
  });

  it('counts the rows a model holds after a part replaced some, not the rows its parts wrote', async () => {
    const manifest = await readBuildManifest(new LakeLayout(lake), builds[3]!.build_id);
    // The re-sent interval replaced its row (4 written, 3 held); its cell's A row was taken out.
    assert.equal(manifest?.models.fact_production_count?.rows, 3);
    assert.equal(manifest?.models.cell_counts?.rows, 3);
  });
});

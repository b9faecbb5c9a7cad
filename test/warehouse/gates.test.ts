/**
 * The contract's own data-quality rules as build gates, through the real pipeline: overlapping
 * shifts of one plant stop the build from being published (an error test), a performance above 1
 * only warns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scratch } from '../support/drop.js';
import { baseDrop, csv, failedWarnings, ingestAndBuild } from './support.js';

const counts = (...rows: string[]) =>
  csv(
    'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count',
    ...rows,
  );

describe('contract rules as build gates', () => {
  it('does not publish a build whose shifts of one plant overlap, and names the pair', async () => {
    const scratch = await Scratch.create();
    try {
      const { build } = await ingestAndBuild(
        scratch,
        await baseDrop({
          'shifts.csv': csv(
            'shift_id,plant_id,shift_name,start_ts,end_ts',
            'S1,P1,early,2026-03-02T06:00:00Z,2026-03-02T14:00:00Z',
            'S2,P1,late,2026-03-02T13:00:00Z,2026-03-02T22:00:00Z', // starts an hour before S1 ends
          ),
          'production_counts.csv': counts('M1,PO-A,A,O1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,100,0'),
        }),
      );
      assert.equal(build.status, 'failed');
      const test = build.tests.find((result) => result.name === 'shifts_do_not_overlap');
      assert.equal(test?.status, 'fail');
      assert.equal(test?.failing_rows, 1);
      assert.deepEqual(
        test?.sample.map((row) => [row.shift_id, row.overlapping_shift_id]),
        [['S1', 'S2']],
      );
    } finally {
      await scratch.dispose();
    }
  });

  it('publishes a cell faster than its ideal cycle, with a warning', async () => {
    const scratch = await Scratch.create();
    try {
      // One hour, ideal cycle 1 s: 4000 units need 4000 s of run time, the hour has 3600: P = 1.11.
      const { build } = await ingestAndBuild(
        scratch,
        await baseDrop({
          'shifts.csv': csv(
            'shift_id,plant_id,shift_name,start_ts,end_ts',
            'S1,P1,early,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z',
          ),
          'production_counts.csv': counts('M1,PO-A,A,O1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,4000,0'),
        }),
      );
      assert.equal(build.status, 'published');
      assert.deepEqual(
        failedWarnings(build).filter((warning) => warning.startsWith('fact_machine_shift')),
        ['fact_machine_shift performance_at_most_1'],
      );
    } finally {
      await scratch.dispose();
    }
  });
});

/**
 * The contract's worked examples (CONTRACT §3) through the real pipeline: the hand-made drops in
 * test/fixtures/warehouse/ are ingested, the warehouse is built, and the cell components read back
 * from fact_machine_shift. The ratios are computed here from the components, the way the metrics
 * layer does, so a wrong component shows as a wrong ratio a plant engineer would recognise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scratch } from '../support/drop.js';
import { blockingProblems, type Cell, cellsOf, fixtureDrop, ingestAndBuild, round4 } from './support.js';

/** Ingests the fixture into a lake of its own, builds, and reads the cells back. */
async function cellsOfFixture(fixture: string): Promise<Cell[]> {
  const scratch = await Scratch.create();
  try {
    const { lake, build } = await ingestAndBuild(scratch, await fixtureDrop(fixture));
    assert.deepEqual(blockingProblems(build), []);
    assert.equal(build.status, 'published');
    return await cellsOf(lake);
  } finally {
    await scratch.dispose();
  }
}

describe('oracles of CONTRACT §3 through ingest, build and query', () => {
  it("Vorne's example: A .8881, P .8611, Q .9780, OEE .7479", async () => {
    // Shift 06:00-14:00 = 480 min = 28800 s. Planned: breaks 15 + 15 min, meal 30 min = 3600 s.
    // PPT = 28800 - 3600 = 25200 s (420 min). Breakdown 09:00-09:47 = 2820 s: run = 22380 s (373 min).
    // Ideal cycle 1 s: ideal_s = 19271, ideal_good_s = 19271 - 423 = 18848.
    // A = 22380/25200 = .88810, P = 19271/22380 = .86108, Q = 18848/19271 = .97805, OEE = 18848/25200 = .74794.
    const [cell, ...others] = await cellsOfFixture('vorne');
    assert.equal(others.length, 0);
    assert.equal(cell!.shift_s, 28800);
    assert.equal(cell!.planned_stop_s, 3600);
    assert.equal(cell!.ppt_s, 25200);
    assert.equal(cell!.stop_s, 2820);
    assert.equal(cell!.breakdown_s, 2820);
    assert.equal(cell!.run_s, 22380);
    assert.equal(cell!.total, 19271);
    assert.equal(cell!.good, 18848);
    assert.equal(cell!.ideal_s, 19271);
    assert.equal(cell!.ideal_good_s, 18848);
    assert.equal(round4(cell!.availability), 0.8881);
    assert.equal(round4(cell!.performance), 0.8611);
    assert.equal(round4(cell!.quality), 0.978);
    assert.equal(round4(cell!.oee), 0.7479);
  });

  it('Vorne #2: A .9310, P .8642, Q .9643, OEE .7759', async () => {
    // 480 min shift, breaks 15 + 30 min: PPT = 435 min = 26100 s; 30 min down: run = 405 min = 24300 s.
    // Ideal 2 parts/min = 30 s a part: ideal_s = 700 × 30 = 21000, ideal_good_s = 675 × 30 = 20250.
    // A = 24300/26100 = .93103, P = 21000/24300 = .86420, Q = 20250/21000 = .96429, OEE = 20250/26100 = .77586.
    const [cell] = await cellsOfFixture('vorne2');
    assert.equal(cell!.ppt_s, 26100);
    assert.equal(cell!.run_s, 24300);
    assert.equal(cell!.ideal_s, 21000);
    assert.equal(cell!.ideal_good_s, 20250);
    assert.equal(round4(cell!.availability), 0.931);
    assert.equal(round4(cell!.performance), 0.8642);
    assert.equal(round4(cell!.quality), 0.9643);
    assert.equal(round4(cell!.oee), 0.7759);
  });

  it('roll-up: machine OEE .80 and .45 from their components, the line .5375 from the sums', async () => {
    // Ideal cycle 60 s. M1: PPT 100 min = 6000 s, run 90 min = 5400 s, 80 made, 80 good: ideal_s = ideal_good_s = 4800.
    // M2: PPT 300 min = 18000 s, run 150 min = 9000 s, 150 made, 135 good: ideal_s = 9000, ideal_good_s = 8100.
    // Line: (4800 + 8100) / (6000 + 18000) = .5375, not the mean of .80 and .45 (.625).
    const cells = await cellsOfFixture('rollup');
    assert.deepEqual(
      cells.map((cell) => [
        cell.machine_id,
        cell.ppt_s,
        cell.run_s,
        cell.total,
        cell.good,
        cell.ideal_s,
        cell.ideal_good_s,
      ]),
      [
        ['M1', 6000, 5400, 80, 80, 4800, 4800],
        ['M2', 18000, 9000, 150, 135, 9000, 8100],
      ],
    );
    assert.deepEqual(
      cells.map((cell) => round4(cell.oee)),
      [0.8, 0.45],
    );
    const line =
      cells.reduce((sum, cell) => sum + cell.ideal_good_s, 0) /
      cells.reduce((sum, cell) => sum + cell.ppt_s, 0);
    assert.equal(round4(line), 0.5375);
  });
});

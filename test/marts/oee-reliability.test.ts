/**
 * OEE and reliability marts on the contract's roll-up oracle (test/fixtures/warehouse/rollup),
 * through ingest, build and query, and checked against the metrics layer (queryKpi) so that a
 * mart and `lathe kpi` never disagree.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLakeReader } from '../../src/lake/reader.js';
import { queryKpi } from '../../src/metrics/index.js';
import { buildMarts, type MartLake, round4 } from './support.js';

const ROLLUP = fileURLToPath(new URL('../fixtures/warehouse/rollup/', import.meta.url));

async function rollupDrop(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const file of await readdir(ROLLUP)) files[file] = await readFile(path.join(ROLLUP, file), 'utf8');
  return files;
}

// The contract's roll-up (times in minutes, ideal cycle 1 min), shift 06:00-14:00 UTC on 2026-03-02:
// M1 planned 100 (380 min no demand), run 90 (10 min breakdown), 80 made, 80 good: OEE 80/100 = .80.
// M2 planned 300 (180 min no demand), run 150 (150 min breakdown), 150 made, 135 good: OEE 135/300 = .45.
// Line L1: (80 + 135) / (100 + 300) = .5375, not the average .625.
describe('OEE and reliability marts', () => {
  let lake: MartLake;
  let lakePath: string;

  before(async () => {
    lake = await buildMarts(await rollupDrop());
    lakePath = lake.path;
  });
  after(() => lake?.dispose());

  it('gives machine OEE .80 and .45 and line OEE .5375 (sums, not an average)', async () => {
    const machines = await lake.query<Record<string, number | string>>(
      `select machine_id, ppt_s, run_s, availability, performance, quality, oee, utilization, teep
       from mart_oee_machine_day where production_date = date '2026-03-02' order by machine_id`,
    );
    assert.deepEqual(
      machines.map((m) => [m.machine_id, m.ppt_s, m.run_s, round4(m.oee as number)]),
      [
        ['M1', 6000, 5400, 0.8],
        ['M2', 18000, 9000, 0.45],
      ],
    );
    // M1: A = 90/100, P = 80/90, Q = 1; utilization = 6000 s / 86400 s (a 24 h Berlin day).
    assert.equal(round4(machines[0]!.availability as number), 0.9);
    assert.equal(round4(machines[0]!.performance as number), round4(80 / 90));
    assert.equal(round4(machines[0]!.utilization as number), round4(6000 / 86400));
    assert.equal(round4(machines[0]!.teep as number), round4(0.8 * (6000 / 86400)));
    const [line] = await lake.query<Record<string, number>>(
      `select oee, machines, calendar_s, utilization from mart_oee_line_day where line_id = 'L1'`,
    );
    assert.equal(round4(line!.oee), 0.5375);
    assert.equal(line!.machines, 2);
    assert.equal(line!.calendar_s, 2 * 86400);
    const [plant] = await lake.query<Record<string, number>>(`select oee from mart_oee_plant_day`);
    assert.equal(round4(plant!.oee), 0.5375);
  });

  it('gives MTBF, MTTR and inherent availability per machine and month', async () => {
    const rows = await lake.query<Record<string, number | string | null>>(
      `select machine_id, failures, run_s, repair_s, mtbf_s, mttr_s, inherent_availability, censored_exposure_s
       from mart_reliability_machine_month order by machine_id`,
    );
    // M1: one 10-min breakdown (>= 300 s: a failure); run 5400 s -> MTBF 5400, MTTR 600, IA .9.
    // M2: one 150-min breakdown; run 9000 s -> MTBF 9000, MTTR 9000, IA .5.
    assert.deepEqual(
      rows.map((r) => [
        r.machine_id,
        r.failures,
        r.mtbf_s,
        r.mttr_s,
        r.inherent_availability,
        r.censored_exposure_s,
      ]),
      [
        ['M1', 1, 5400, 600, 0.9, null],
        ['M2', 1, 9000, 9000, 0.5, null],
      ],
    );
  });

  it('agrees with the metrics layer at machine, line and plant grain', async () => {
    const reader = await openLakeReader(lakePath);
    try {
      for (const [by, table, key] of [
        ['machine,day', 'mart_oee_machine_day', 'machine_id'],
        ['line,day', 'mart_oee_line_day', 'line_id'],
        ['plant,day', 'mart_oee_plant_day', 'plant_id'],
      ] as const) {
        const marts = await lake.query<Record<string, unknown>>(
          `select ${key} as id, strftime(production_date, '%Y-%m-%d') as day,
             availability, performance, quality, oee, utilization, teep
           from ${table} order by id, day`,
        );
        const oee = (await queryKpi(reader, { kpi: 'oee', by })).rows;
        const teep = (await queryKpi(reader, { kpi: 'teep', by })).rows;
        assert.equal(oee.length, marts.length, by);
        for (const [i, mart] of marts.entries()) {
          const fromKpi = oee.find((row) => row[key] === mart.id && String(row.day) === mart.day);
          const fromTeep = teep.find((row) => row[key] === mart.id && String(row.day) === mart.day);
          assert.ok(fromKpi && fromTeep, `${by} row ${i}: ${mart.id} ${mart.day}`);
          for (const column of ['availability', 'performance', 'quality', 'oee'])
            assert.equal(
              round4(mart[column] as number),
              round4(fromKpi[column] as number),
              `${by} ${column}`,
            );
          for (const column of ['utilization', 'teep'])
            assert.equal(
              round4(mart[column] as number),
              round4(fromTeep[column] as number),
              `${by} ${column}`,
            );
        }
      }
    } finally {
      reader.close();
    }
  });
});

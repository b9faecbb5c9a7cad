/**
 * Two independent answers to the same questions must agree: on a generated factory (two
 * plants, two currencies, the daylight-saving week of March 2026), ingested and built with
 * the project's models, every KPI the marts tabulate (models/marts/) equals the metrics
 * layer's roll-up at the same grain, figure by figure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { factorySource } from '../../src/contract/factory.js';
import { generateFactory } from '../../src/generate/index.js';
import { ingestDrop } from '../../src/ingest/load.js';
import { type LakeReader, openLakeReader } from '../../src/lake/reader.js';
import { queryKpi } from '../../src/metrics/query.js';
import { buildWarehouse } from '../../src/models/index.js';
import { Scratch } from '../support/drop.js';
import { MODELS_DIR } from '../warehouse/support.js';

type Row = Record<string, unknown>;

function same(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  return a === b;
}

describe('the metrics layer and the marts agree on a generated factory', () => {
  let scratch: Scratch;
  let reader: LakeReader;
  before(async () => {
    scratch = await Scratch.create();
    const drop = scratch.path('drop');
    await generateFactory({ out: drop, seed: 11, scale: 'small' });
    const lake = scratch.path('lake');
    const ingest = await ingestDrop({ lake, drop, source: factorySource() });
    assert.equal(ingest.status, 'committed');
    const build = await buildWarehouse({ lake, modelsDir: MODELS_DIR });
    assert.equal(build.status, 'published');
    reader = await openLakeReader(lake);
  });
  after(async () => {
    reader?.close();
    await scratch.dispose();
  });

  /** Our rows at `by` against the mart's rows, matched on keys, compared column by column. */
  async function agree(
    kpi: string,
    by: string[],
    mart: string,
    keys: Record<string, string>,
    columns: Record<string, string>,
  ): Promise<void> {
    // Cells without counts are product `unassigned` for the layer (no units: null rates); the
    // quality mart lists only products that ran.
    const ours = (await queryKpi(reader, { kpi, by })).rows.filter((row) => row.product_id !== 'unassigned');
    const theirs = await reader.db.json<Row>(`select * from ${mart}`);
    const keyOf = (row: Row, names: string[]) => JSON.stringify(names.map((name) => String(row[name])));
    const index = new Map(theirs.map((row) => [keyOf(row, Object.values(keys)), row]));
    assert.equal(
      ours.length,
      theirs.length,
      `${kpi} by ${by}: ${ours.length} rows, ${mart}: ${theirs.length}`,
    );
    assert.ok(ours.length > 0);
    for (const row of ours) {
      const other = index.get(keyOf(row, Object.keys(keys)));
      assert.ok(other, `${mart} has no row ${keyOf(row, Object.keys(keys))}`);
      for (const [ourColumn, theirColumn] of Object.entries(columns)) {
        assert.ok(
          same(row[ourColumn], other[theirColumn]),
          `${kpi} ${keyOf(row, Object.keys(keys))} ${ourColumn} = ${row[ourColumn]}, ${mart}.${theirColumn} = ${other[theirColumn]}`,
        );
      }
    }
  }

  test('OEE, A, P, Q, yield, utilization and TEEP per machine and day, and per line and day', async () => {
    const ratios = ['availability', 'performance', 'quality', 'oee'];
    const calendar = { oee: 'oee', utilization: 'utilization', teep: 'teep', calendar_s: 'calendar_s' };
    for (const [grain, mart] of [
      ['machine', 'mart_oee_machine_day'],
      ['line', 'mart_oee_line_day'],
      ['plant', 'mart_oee_plant_day'],
    ] as const) {
      const keys = { [`${grain}_id`]: `${grain}_id`, day: 'production_date' };
      await agree('oee', [grain, 'day'], mart, keys, Object.fromEntries(ratios.map((name) => [name, name])));
      await agree('teep', [grain, 'day'], mart, keys, calendar);
      await agree('yield', [grain, 'day'], mart, keys, { yield: 'yield' });
    }
    await agree(
      'waterfall',
      ['line', 'day'],
      'mart_oee_line_day',
      { line_id: 'line_id', day: 'production_date' },
      { speed_loss_s: 'speed_loss_s', quality_loss_s: 'quality_loss_s', small_stop_s: 'small_stop_s' },
    );
  });

  test('cost, COPQ, revenue and margin per line and day', async () => {
    await agree(
      'cost',
      ['line', 'day'],
      'mart_cost_line_day',
      { line_id: 'line_id', day: 'production_date' },
      Object.fromEntries(
        [
          'currency',
          'material',
          'machine',
          'labor',
          'cost_per_good_unit',
          'scrap_cost',
          'rework_cost',
          'copq',
          'revenue',
          'gross_margin',
          'output_good',
        ].map((name) => [name, name]),
      ),
    );
  });

  test('DPMO, sigma level, scrap and rework rates and RTY per line, product and day', async () => {
    const keys = { line_id: 'line_id', product_id: 'product_id', day: 'production_date' };
    const by = ['line', 'product', 'day'];
    await agree('dpmo', by, 'mart_quality_line_day', keys, {
      dpmo: 'dpmo',
      sigma_level: 'sigma_level',
      units: 'line_input_total',
      defects: 'defect_qty',
    });
    await agree('scrap', by, 'mart_quality_line_day', keys, { scrap_rate: 'scrap_rate' });
    await agree('rework', by, 'mart_quality_line_day', keys, { rework_rate: 'rework_rate' });
    await agree('rty', by, 'mart_quality_line_day', keys, { rty: 'rty' });
  });

  test('MTBF, MTTR, inherent availability and censored exposure per machine and month', async () => {
    const ours = (await queryKpi(reader, { kpi: 'reliability', by: ['machine', 'month'] })).rows;
    const theirs = await reader.db.json<Row>(
      `select *, strftime(month_start, '%Y-%m') as month from mart_reliability_machine_month`,
    );
    assert.equal(ours.length, theirs.length);
    for (const row of ours) {
      const other = theirs.find((mart) => mart.machine_id === row.machine_id && mart.month === row.month)!;
      for (const column of ['failures', 'mtbf_s', 'mttr_s', 'inherent_availability', 'censored_exposure_s']) {
        assert.ok(same(row[column], other[column]), `${row.machine_id} ${row.month} ${column}`);
      }
    }
  });
});

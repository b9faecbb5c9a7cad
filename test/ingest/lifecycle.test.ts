/**
 * The load lifecycle across three loads: master data is a snapshot per load, transactions
 * accumulate and upsert by key, every load can be read back as of itself (time travel),
 * and a drop sent twice is recognised and loads nothing new.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LakeLayout } from '../../src/lake/layout.js';
import { readManifest } from '../../src/lake/manifest.js';
import { FileLoadStore } from '../../src/meta/load-store.js';
import { LatheError } from '../../src/util/errors.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';

const COUNT_HEADER =
  'machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count';

describe('three loads: snapshot and append semantics, time travel, idempotence', () => {
  let scratch: Scratch;
  let lake: string;
  const ids: string[] = [];
  const load2 = {
    'machines.csv': `machine_id,line_id,machine_name,machine_type,line_position,hourly_cost,crew_size
M1,L1,Press,press,1,85,1
M3,L1,Deburr,deburr,2,60,1
`,
    // One new interval and one re-sent key (M1 05:00) with a corrected count.
    'production_counts.csv': `${COUNT_HEADER}
M1,PO1,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,2990,30
M1,PO1,A,O1,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,3050,15
`,
  };
  const load3 = {
    'products.csv': `product_id,product_name,family,material_cost,unit_cost,rework_cost,unit_price,defect_opportunities
A,Bracket v2,brackets,1.3,3.6,0.8,6.5,4
`,
    'sensor_readings.csv': `machine_id,sensor,ts,value,quality
M1,temperature_c,2026-03-02T06:00:00Z,51,good
`,
  };

  before(async () => {
    scratch = await Scratch.create();
    lake = scratch.path('lake');
    for (const files of [validDrop(), load2, load3]) {
      const result = await ingestFiles(scratch, files, { lake });
      assert.equal(result.status, 'committed', JSON.stringify(result.load.error));
      ids.push(result.load.load_id);
    }
  });
  after(() => scratch.dispose());

  test('load ids sort in load order', () => {
    assert.deepEqual([...ids].sort(), ids);
  });

  test('master data: the latest load that carried an entity defines it', async () => {
    const machines = await queryLake(lake, 'select machine_id, hourly_cost from machines order by 1');
    assert.deepEqual(machines, [
      { machine_id: 'M1', hourly_cost: 85 },
      { machine_id: 'M3', hourly_cost: 60 },
    ]);
    const [product] = await queryLake(lake, 'select product_name, unit_price from products');
    assert.deepEqual(product, { product_name: 'Bracket v2', unit_price: 6.5 });
    const [plants] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from plants');
    assert.equal(plants!.n, 1, 'an entity no later load carried stays as loaded');
  });

  test('transactions accumulate across loads and a re-sent key takes the latest arrival', async () => {
    const counts = await queryLake(
      lake,
      "select machine_id, strftime(interval_start, '%H:%M') as start, total_count from production_counts order by 1, 2",
    );
    assert.deepEqual(counts, [
      { machine_id: 'M1', start: '05:00', total_count: 2990 },
      { machine_id: 'M1', start: '06:00', total_count: 3100 },
      { machine_id: 'M1', start: '07:00', total_count: 3050 },
      { machine_id: 'M2', start: '05:00', total_count: 2000 },
    ]);
    const [readings] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from sensor_readings');
    assert.equal(readings!.n, 4);
    // The manifest says which loads re-stated keys: readers look for superseded rows only then.
    const manifest = (await readManifest(new LakeLayout(lake)))!;
    const replaces = (entity: string) => manifest.entities[entity]!.partitions.map((p) => p.replaces);
    assert.deepEqual(replaces('production_counts'), [undefined, 1]);
    assert.deepEqual(replaces('sensor_readings'), [undefined, 0]);
  });

  test('time travel: --as-of each load gives the state right after it', async () => {
    const state = async (asOf: string) => ({
      machines: (await queryLake(lake, 'select machine_id, hourly_cost from machines order by 1', asOf)).map(
        (r) => `${r.machine_id}:${r.hourly_cost}`,
      ),
      counts: (
        await queryLake<{ n: number; total: number }>(
          lake,
          'select count(*)::int as n, sum(total_count)::int as total from production_counts',
          asOf,
        )
      )[0],
      product: (await queryLake(lake, 'select product_name from products', asOf))[0]!.product_name,
    });
    assert.deepEqual(await state(ids[0]!), {
      machines: ['M1:80', 'M2:95'],
      counts: { n: 3, total: 8100 },
      product: 'Bracket',
    });
    assert.deepEqual(await state(ids[1]!), {
      machines: ['M1:85', 'M3:60'],
      counts: { n: 4, total: 11140 },
      product: 'Bracket',
    });
    assert.deepEqual(await state(ids[2]!), {
      machines: ['M1:85', 'M3:60'],
      counts: { n: 4, total: 11140 },
      product: 'Bracket v2',
    });
  });

  test('time travel to a load that does not exist names the fix', async () => {
    await assert.rejects(
      () => queryLake(lake, 'select 1', '20990101T000000000Z-dead'),
      (error: unknown) =>
        error instanceof LatheError && error.code === 'unknown_load' && /--as-of/.test(error.fix ?? ''),
    );
  });

  test('the same drop again is recognised by its content and loads nothing', async () => {
    const again = await ingestFiles(scratch, load3, { lake });
    assert.equal(again.status, 'unchanged');
    assert.equal(again.load.load_id, ids[2]);
    const loads = await new FileLoadStore(new LakeLayout(lake).loadsDir()).list();
    assert.equal(loads.length, 3);
    const [readings] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from sensor_readings');
    assert.equal(readings!.n, 4);
    // The manifest says which loads re-stated keys: readers look for superseded rows only then.
    const manifest = (await readManifest(new LakeLayout(lake)))!;
    const replaces = (entity: string) => manifest.entities[entity]!.partitions.map((p) => p.replaces);
    assert.deepEqual(replaces('production_counts'), [undefined, 1]);
    assert.deepEqual(replaces('sensor_readings'), [undefined, 0]);
  });

  test('every load is audited per file: read = loaded + quarantined', async () => {
    const loads = await new FileLoadStore(new LakeLayout(lake).loadsDir()).list();
    assert.deepEqual(
      loads.map((load) => [load.status, load.files.length]),
      [
        ['committed', 18],
        ['committed', 2],
        ['committed', 2],
      ],
    );
    for (const load of loads) {
      assert.ok(load.content_hash.length === 64 && load.duration_ms !== null && load.finished_at);
      for (const file of load.files) assert.equal(file.rows_read, file.rows_loaded + file.rows_quarantined);
    }
  });
});

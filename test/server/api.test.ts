/**
 * The API over a built lake: every route with good input answers what the metrics layer and
 * the marts hold (a KPI from the API equals queryKpi's), and every route with bad input —
 * unknown names, injection attempts in every parameter, malformed dates, reversed ranges —
 * is a 4xx whose message says what to fix, never a 500 and never a stack trace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type LakeReader, openLakeReader } from '../../src/lake/reader.js';
import { KPI_NAMES, queryKpi } from '../../src/metrics/index.js';
import type { LatheServer } from '../../src/server/app.js';
import { assertError, builtLake, get, serverOn, type TestLake } from './support.js';

describe('lathe serve over a built lake', () => {
  let lake: TestLake;
  let server: LatheServer;
  let reader: LakeReader;
  let machine: string;
  let sensor: string;
  before(async () => {
    lake = await builtLake();
    server = await serverOn(lake.lake);
    reader = await openLakeReader(lake.lake);
    const [row] = await reader.db.json<{ machine_id: string; sensor: string }>(
      `select machine_id, sensor from mart_spc_violations group by all order by count(*) desc, 1, 2 limit 1`,
    );
    assert.ok(row, 'the generator injects sensor anomalies, so some chart has violations');
    machine = row.machine_id;
    sensor = row.sensor;
  });
  after(async () => {
    reader?.close();
    await server?.close();
    await lake?.scratch.dispose();
  });

  test('health names the lake, the current build and load', async () => {
    const answer = await get(server, '/api/health');
    assert.equal(answer.status, 200);
    assert.equal(answer.json.status, 'ok');
    assert.equal(answer.json.current_build_id, lake.buildId);
    assert.equal(answer.json.current_load_id, lake.loadId);
  });

  test('a month of line-by-day OEE from the API equals queryKpi, row for row', async () => {
    const request = {
      kpi: 'oee',
      by: ['line', 'day'],
      where: { plant: 'P1' },
      from: '2026-03-01',
      to: '2026-03-31',
    };
    const expected = await queryKpi(reader, request);
    assert.ok(expected.rows.length >= 4, 'two lines on two days at least');
    const answer = await get(server, '/api/kpi/oee?by=line,day&where=plant:P1&from=2026-03-01&to=2026-03-31');
    assert.equal(answer.status, 200);
    assert.equal(answer.json.build_id, lake.buildId);
    assert.deepEqual(answer.json.rows, JSON.parse(JSON.stringify(expected.rows)));
    assert.deepEqual(
      answer.json.columns.map((column: { name: string }) => column.name),
      expected.columns,
    );
    const oee = answer.json.columns.find((column: { name: string }) => column.name === 'oee');
    assert.equal(oee.role, 'measure');
    assert.equal(oee.display, 'ratio');
    assert.match(oee.formula, /ideal_good_s/);
    assert.deepEqual(answer.json.request.where, { plant: ['P1'] });
  });

  test('every KPI by plant and month equals queryKpi; `where` as plant=… and repeated works too', async () => {
    for (const kpi of KPI_NAMES) {
      const expected = await queryKpi(reader, { kpi, by: ['plant', 'month'] });
      const answer = await get(server, `/api/kpi/${kpi}?by=plant,month`);
      assert.equal(answer.status, 200, `${kpi}: ${answer.body.slice(0, 200)}`);
      assert.deepEqual(answer.json.rows, JSON.parse(JSON.stringify(expected.rows)), kpi);
    }
    const lines = await queryKpi(reader, { kpi: 'yield', by: ['line'], where: 'line=P1-L1,line=P1-L2' });
    const repeated = await get(server, '/api/kpi/yield?by=line&where=line%3DP1-L1&where=line:P1-L2');
    assert.deepEqual(repeated.json.rows, lines.rows);
    assert.equal(repeated.json.rows.length, 2);
  });

  test('as_of a load or a build reads that build', async () => {
    for (const asOf of [lake.loadId, lake.buildId]) {
      const answer = await get(server, `/api/kpi/oee?by=plant&as_of=${asOf}`);
      assert.equal(answer.status, 200, answer.body);
      assert.equal(answer.json.build_id, lake.buildId);
      assert.equal(answer.json.request.as_of, asOf);
    }
  });

  test('the catalogue lists every KPI with formulas, and the dimensions their columns', async () => {
    const kpis = await get(server, '/api/kpis');
    assert.deepEqual(
      kpis.json.items.map((kpi: { name: string }) => kpi.name),
      [...KPI_NAMES],
    );
    const reliability = kpis.json.items.find((kpi: { name: string }) => kpi.name === 'reliability');
    assert.ok(!reliability.dimensions.includes('product'));
    assert.ok(
      reliability.columns.some((column: { name: string; formula: string }) => column.name === 'mtbf_s'),
    );
    const dimensions = await get(server, '/api/dimensions');
    assert.equal(dimensions.json.items.find((d: { name: string }) => d.name === 'line').column, 'line_id');
  });

  test('master data: plants, lines of a plant, machines of a line, products, sensors of a machine', async () => {
    const plants = await get(server, '/api/plants');
    assert.deepEqual(
      plants.json.items.map((plant: { plant_id: string }) => plant.plant_id),
      ['P1'],
    );
    assert.match(
      plants.json.items[0].cutoff_ts,
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/,
      'instants in ISO 8601',
    );
    const lines = await get(server, '/api/lines?plant=P1');
    assert.deepEqual(
      lines.json.items.map((line: { line_id: string }) => line.line_id),
      ['P1-L1', 'P1-L2'],
    );
    const machines = await get(server, '/api/machines?line=P1-L2');
    assert.ok(machines.json.items.length > 0);
    assert.ok(machines.json.items.every((m: { line_id: string }) => m.line_id === 'P1-L2'));
    assert.ok(!('machine_key' in machines.json.items[0]), 'no SCD2 bookkeeping');
    const products = await get(server, '/api/products');
    assert.ok(products.json.items.length > 0 && 'unit_price' in products.json.items[0]);
    const sensors = await get(server, `/api/sensors?machine=${machine}`);
    assert.ok(sensors.json.items.some((s: { sensor: string }) => s.sensor === sensor));
  });

  test('loads, one load, the quarantine paged and filtered, builds and their tests, lineage', async () => {
    const loads = await get(server, '/api/loads');
    assert.equal(loads.json.current_load_id, lake.loadId);
    assert.equal(loads.json.items[0].current, true);
    const load = await get(server, `/api/loads/${lake.loadId}`);
    assert.equal(load.json.load_id, lake.loadId);
    const quarantined = load.json.rows_quarantined;
    assert.ok(quarantined > 2, 'the drop has bad rows');
    const page = await get(server, '/api/quarantine?limit=2&offset=1');
    assert.equal(page.json.total, quarantined);
    assert.equal(page.json.items.length, 2);
    const all = await get(server, `/api/quarantine?limit=1000&load=${lake.loadId}`);
    assert.deepEqual(all.json.items.slice(1, 3), page.json.items);
    assert.ok(all.json.items[0].reasons[0].fix, 'every row has its reasons with a fix');
    const entity = all.json.items[0].entity;
    const one = await get(server, `/api/quarantine?entity=${entity}&limit=1000`);
    assert.ok(one.json.items.every((row: { entity: string }) => row.entity === entity));
    assert.equal(
      one.json.total,
      all.json.items.filter((row: { entity: string }) => row.entity === entity).length,
    );

    const builds = await get(server, '/api/builds');
    assert.equal(builds.json.current_build_id, lake.buildId);
    assert.equal(builds.json.items[0].status, 'published');
    assert.ok(builds.json.items[0].tests.pass > 50);
    assert.equal(builds.json.items[0].tests.fail, 0);
    const tests = await get(server, `/api/builds/${lake.buildId}/tests`);
    assert.equal(tests.json.items.length, builds.json.items[0].tests.pass + builds.json.items[0].tests.warn);
    const lineage = await get(server, '/api/lineage');
    const ids = lineage.json.nodes.map((node: { id: string }) => node.id);
    assert.ok(ids.includes('model.fact_machine_shift') && ids.includes('source.production_counts'));
    assert.ok(
      lineage.json.edges.some((edge: { from: string; to: string }) => edge.to === 'model.mart_oee_line_day'),
    );
  });

  test('the control chart: limits of the mart, good readings in time order, violations in range', async () => {
    const chart = await get(server, `/api/spc/${machine}/${sensor}`);
    assert.equal(chart.status, 200, chart.body);
    const [limits] = await reader.db.json<{ ucl: number; cl: number }>(
      'select ucl, cl from mart_spc_limits where machine_id = $1 and sensor = $2',
      [machine, sensor],
    );
    assert.equal(chart.json.limits.ucl, limits!.ucl);
    assert.equal(chart.json.limits.cl, limits!.cl);
    const points = chart.json.points as { ts: string; value: number; mr: number | null; baseline: boolean }[];
    assert.ok(points.length > 100);
    for (let i = 1; i < points.length; i++) {
      assert.ok(points[i - 1]!.ts < points[i]!.ts, 'time order');
      assert.ok(Math.abs(points[i]!.mr! - Math.abs(points[i]!.value - points[i - 1]!.value)) < 1e-9);
    }
    assert.equal(points[0]!.baseline, true);
    assert.equal(points[points.length - 1]!.baseline, false);
    const [count] = await reader.db.json<{ n: number }>(
      'select count(*)::int as n from mart_spc_violations where machine_id = $1 and sensor = $2',
      [machine, sensor],
    );
    assert.equal(chart.json.violations.length, count!.n);
    assert.ok(chart.json.violations.length > 0);
    const first = chart.json.violations[0];
    assert.ok(
      points.some((point) => point.ts === first.ts),
      'a violation sits on a charted point',
    );
    // A range: only readings and violations inside the plant-local days.
    const day = first.ts.slice(0, 10);
    const ranged = await get(server, `/api/spc/${machine}/${sensor}?from=${day}&to=${day}`);
    assert.ok(ranged.json.points.length > 0 && ranged.json.points.length < points.length);
    assert.ok(ranged.json.violations.some((v: { ts: string }) => v.ts === first.ts));
    const few = await get(server, `/api/spc/${machine}/${sensor}?limit=5`);
    assert.equal(few.json.points.length, 5);
    assert.equal(few.json.truncated, true);
    assert.deepEqual(few.json.points, points.slice(-5), 'the latest points');
  });

  test('capability, Pareto by quantity and cost, reliability, delivery', async () => {
    const capability = await get(server, `/api/capability?machine=${machine}&sensor=${sensor}`);
    assert.ok(capability.json.items.length > 0);
    assert.ok(capability.json.items.every((row: { sensor: string }) => row.sensor === sensor));
    for (const by of ['quantity', 'cost']) {
      const pareto = await get(server, `/api/pareto?plant=P1&by=${by}`);
      assert.equal(pareto.status, 200);
      const ranks = pareto.json.items.map((item: { rank: number }) => item.rank);
      assert.deepEqual(
        ranks,
        ranks.map((_: number, i: number) => i + 1),
      );
      const values = pareto.json.items.map((item: Record<string, number>) => item[by]);
      assert.deepEqual(
        values,
        [...values].sort((a, b) => b - a),
        `ranked by ${by}`,
      );
    }
    const reliability = await get(server, '/api/reliability?plant=P1');
    const expected = await queryKpi(reader, { kpi: 'reliability', by: ['machine'], where: { plant: 'P1' } });
    assert.deepEqual(reliability.json.machines, expected.rows);
    const failures = expected.rows.reduce((sum, row) => sum + Number(row.failures), 0);
    assert.equal(reliability.json.failures.length, failures, 'one failure row per failure counted');
    const delivery = await get(server, '/api/delivery?line=P1-L1');
    assert.ok(delivery.json.orders.every((order: { line_id: string }) => order.line_id === 'P1-L1'));
    assert.equal(
      delivery.json.totals.orders,
      delivery.json.weeks.reduce((sum: number, week: { orders: number }) => sum + week.orders, 0),
    );
  });

  test('the OpenAPI document lists every API route with its parameters from the schemas', async () => {
    const answer = await get(server, '/api/openapi.json');
    assert.equal(answer.json.openapi, '3.1.0');
    const paths = answer.json.paths;
    for (const route of [
      '/api/kpi/{kpi}',
      '/api/spc/{machine}/{sensor}',
      '/api/quarantine',
      '/api/alerts/stream',
    ])
      assert.ok(paths[route], route);
    const kpi = paths['/api/kpi/{kpi}'].get;
    const names = kpi.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual(names, ['kpi', 'by', 'where', 'from', 'to', 'as_of']);
    assert.equal(
      kpi.parameters.find((p: { name: string }) => p.name === 'from').schema.pattern,
      '^\\d{4}-\\d{2}-\\d{2}$',
    );
    assert.ok(kpi.responses['400'] && kpi.responses['304'] && kpi.responses['503']);
  });

  describe('bad input', () => {
    const cases: Array<[url: string, status: number, code: string, message: RegExp, field?: string]> = [
      ['/api/kpi/oe', 400, 'unknown_kpi', /unknown KPI `oe`; did you mean `oee`\?/, 'kpi'],
      [
        '/api/kpi/oee?by=lien,day',
        400,
        'unknown_dimension',
        /unknown dimension `lien` in by; did you mean `line`\?/,
        'by',
      ],
      ['/api/kpi/oee?where=plnt:P1', 400, 'unknown_dimension', /did you mean `plant`\?/, 'where'],
      [
        '/api/kpi/reliability?by=product',
        400,
        'dimension_not_available',
        /reliability has no `product` grain/,
        'by',
      ],
      ['/api/kpi/oee?where=plant', 400, 'bad_where', /is not dimension=value/, 'where'],
      ['/api/kpi/oee?where=day:2026-13-01', 400, 'bad_where', /not a valid day/, 'where'],
      [
        '/api/kpi/oee?where=line:P1-L3',
        400,
        'unknown_value',
        /no line `P1-L3`.*did you mean `P1-L1`\?/,
        'where',
      ],
      ['/api/kpi/oee?from=2026-02-30', 400, 'bad_date', /from `2026-02-30` is not a date/, 'from'],
      [
        '/api/kpi/oee?from=yesterday',
        400,
        'bad_request',
        /`from` `yesterday` is not a production day YYYY-MM-DD/,
        'from',
      ],
      ['/api/kpi/oee?to=2026-3-1', 400, 'bad_request', /`to`/, 'to'],
      [
        '/api/kpi/oee?from=2026-03-10&to=2026-03-01',
        400,
        'bad_date',
        /from 2026-03-10 is after to 2026-03-01/,
        'from',
      ],
      [
        '/api/kpi/oee?as_of=20990101T000000000Z-0000x',
        400,
        'unknown_as_of',
        /neither a load nor a build/,
        'as_of',
      ],
      ['/api/kpi/oee?bye=line', 400, 'unknown_parameter', /unknown query parameter `bye`/, 'bye'],
      ['/api/kpi/oee?by=line&by=day', 400, 'bad_request', /`by`/, 'by'],
      ['/api/spc/P1-L1-M1/no_such_sensor', 404, 'unknown_sensor', /no sensor `no_such_sensor`/, 'sensor'],
      ['/api/spc/P1-L9-M1/x', 404, 'unknown_machine', /no machine `P1-L9-M1`.*did you mean/, 'machine'],
      ['/api/spc/P1-L1-M1/x?from=2026-03-10&to=2026-03-01', 400, 'bad_date', /after/, 'from'],
      ['/api/spc/P1-L1-M1/x?limit=0', 400, 'bad_request', /`limit`/, 'limit'],
      ['/api/reliability?from=2026-03-10&to=2026-03-01', 400, 'bad_date', /after/, 'from'],
      ['/api/reliability?machine=M9', 400, 'unknown_value', /no machine `M9`/, 'machine'],
      ['/api/delivery?to=2026-02-31', 400, 'bad_date', /not a date/, 'to'],
      [
        '/api/delivery?plant=P7',
        400,
        'unknown_value',
        /no plant `P7` in the warehouse; did you mean `P1`\?/,
        'plant',
      ],
      ['/api/pareto?by=price', 400, 'bad_request', /not one of quantity, cost/, 'by'],
      ['/api/pareto?month=2026-3', 400, 'bad_request', /not a month YYYY-MM/, 'month'],
      ['/api/capability?line=P1-L7', 400, 'unknown_value', /no line `P1-L7`/, 'line'],
      ['/api/lines?plant=P2', 400, 'unknown_value', /did you mean `P1`\?/, 'plant'],
      ['/api/quarantine?entity=defect', 400, 'unknown_entity', /did you mean `defects`\?/, 'entity'],
      ['/api/quarantine?limit=5000', 400, 'bad_request', /`limit`/, 'limit'],
      ['/api/quarantine?offset=-1', 400, 'bad_request', /`offset`/, 'offset'],
      ['/api/quarantine?load=20260101T000000000Z-abcd', 404, 'unknown_load', /no load/, 'load'],
      ['/api/loads/nope', 404, 'unknown_load', /no load `nope`/],
      ['/api/builds/nope/tests', 404, 'unknown_build', /no build `nope`/],
      ['/api/nothing-here', 404, 'not_found', /no route GET \/api\/nothing-here/],
    ];
    for (const [url, status, code, message, field] of cases) {
      test(`${url} → ${status} ${code}`, async () => {
        assertError(await get(server, url), status, code, message, field);
      });
    }

    const attacks = [
      "'; drop table fact_machine_shift; --",
      'line) or 1=1 --',
      '" or ""="',
      'Ünïcødé 工場 🏭',
      '%00',
      'x'.repeat(5000),
    ];
    // Every parameter of every route that takes one, with every attack.
    const targets: Array<(value: string) => string> = [
      (v) => `/api/kpi/${v}`,
      (v) => `/api/kpi/oee?by=${v}`,
      (v) => `/api/kpi/oee?where=${v}`,
      (v) => `/api/kpi/oee?where=line:${v}`,
      (v) => `/api/kpi/oee?from=${v}`,
      (v) => `/api/kpi/oee?to=${v}`,
      (v) => `/api/kpi/oee?as_of=${v}`,
      (v) => `/api/lines?plant=${v}`,
      (v) => `/api/machines?line=${v}`,
      (v) => `/api/sensors?machine=${v}`,
      (v) => `/api/loads/${v}`,
      (v) => `/api/quarantine?load=${v}`,
      (v) => `/api/quarantine?entity=${v}`,
      (v) => `/api/quarantine?limit=${v}`,
      (v) => `/api/builds/${v}/tests`,
      (v) => `/api/spc/${v}/pressure_bar`,
      (v) => `/api/spc/P1-L1-M1/${v}`,
      (v) => `/api/spc/P1-L1-M1/pressure_bar?from=${v}`,
      (v) => `/api/capability?sensor=${v}`,
      (v) => `/api/capability?month=${v}`,
      (v) => `/api/pareto?plant=${v}`,
      (v) => `/api/pareto?by=${v}`,
      (v) => `/api/reliability?machine=${v}`,
      (v) => `/api/delivery?line=${v}`,
    ];
    test('injection attempts, unicode, NUL and 5000-character values in every parameter are 4xx with a fix', async () => {
      for (const target of targets) {
        for (const attack of attacks) {
          const url = target(encodeURIComponent(attack));
          const answer = await get(server, url);
          assert.ok(
            // 414 (URI too long) for a path parameter past the router's limit.
            [400, 404, 414].includes(answer.status),
            `${url.slice(0, 120)} → ${answer.status} ${answer.body.slice(0, 200)}`,
          );
          assert.ok(
            answer.json?.error?.code && answer.json.error.fix,
            `${url.slice(0, 120)}: ${answer.body.slice(0, 200)}`,
          );
          assert.ok(answer.body.length < 5000, 'long values are cut in messages');
        }
      }
      // The warehouse is untouched.
      const after = await get(server, '/api/kpi/oee?by=plant');
      assert.equal(after.status, 200);
      assert.equal(after.json.rows.length, 1);
    });
  });
});

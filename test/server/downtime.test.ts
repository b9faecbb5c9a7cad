/**
 * `/api/downtime`, the top downtime reasons: over a built lake the answer equals a hand
 * aggregation of fact_stop_segment's rows (per reason, longest first, a merged stop counted
 * once), every filter narrows it as the same aggregation filtered, the reasons account for
 * every second of stop time in the cells, and bad input is a 400 with the fix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type LakeReader, openLakeReader } from '../../src/lake/reader.js';
import type { LatheServer } from '../../src/server/app.js';
import { assertError, builtLake, get, serverOn, type TestLake } from './support.js';

interface Segment {
  machine_id: string;
  plant_id: string;
  line_id: string;
  production_date: string;
  stop_kind: string;
  reason_code: string;
  description: string;
  loss_category: string;
  planned: boolean;
  merged_stop_start_ts: string;
  duration_s: number;
}

interface Reason {
  reason: string;
  description: string;
  loss_category: string;
  planned: boolean;
  stops: number;
  duration_s: number;
}

/** The oracle: the segments' rows added up per reason here, not in SQL. */
function reasonsOf(segments: Segment[], keep: (segment: Segment) => boolean = () => true): Reason[] {
  const byReason = new Map<string, Reason & { keys: Set<string> }>();
  for (const segment of segments.filter(keep)) {
    let reason = byReason.get(segment.reason_code);
    if (!reason) {
      reason = {
        reason: segment.reason_code,
        description: segment.description,
        loss_category: segment.loss_category,
        planned: segment.planned,
        stops: 0,
        duration_s: 0,
        keys: new Set(),
      };
      byReason.set(segment.reason_code, reason);
    }
    reason.keys.add(`${segment.machine_id}|${segment.merged_stop_start_ts}|${segment.stop_kind}`);
    reason.duration_s += segment.duration_s;
  }
  return [...byReason.values()]
    .map(({ keys, ...reason }) => ({ ...reason, stops: keys.size }))
    .sort((a, b) => b.duration_s - a.duration_s || (a.reason < b.reason ? -1 : 1));
}

/** Same reasons, stops and order; seconds equal up to the order of a floating-point sum. */
function assertSameReasons(actual: Reason[], expected: Reason[], what: string): void {
  assert.deepEqual(
    actual.map(({ duration_s: _, ...rest }) => rest),
    expected.map(({ duration_s: _, ...rest }) => rest),
    what,
  );
  actual.forEach((reason, i) => {
    assert.ok(
      Math.abs(reason.duration_s - expected[i]!.duration_s) < 1e-6,
      `${what}: ${reason.reason} ${reason.duration_s} vs ${expected[i]!.duration_s}`,
    );
  });
}

describe('/api/downtime: top downtime reasons', () => {
  let lake: TestLake;
  let server: LatheServer;
  let reader: LakeReader;
  let segments: Segment[];
  let days: string[];
  before(async () => {
    lake = await builtLake({ badRows: 0, seed: 11 });
    server = await serverOn(lake.lake);
    reader = await openLakeReader(lake.lake);
    segments = await reader.db.json<Segment>(
      `select s.machine_id, s.plant_id, m.line_id, strftime(d.production_date, '%Y-%m-%d') as production_date,
         s.stop_kind, s.reason_code, r.description, r.loss_category, r.planned,
         cast(s.merged_stop_start_ts as varchar) as merged_stop_start_ts, s.duration_s
       from fact_stop_segment s
       join dim_shift d on d.shift_id = s.shift_id
       join dim_machine m on m.machine_id = s.machine_id and m.is_current
       join dim_downtime_reason r on r.reason_code = s.reason_code`,
    );
    days = [...new Set(segments.map((segment) => segment.production_date))].sort();
  });
  after(async () => {
    reader?.close();
    await server?.close();
    await lake?.scratch.dispose();
  });

  test('every reason, planned and unplanned, equals the segments added up by hand, longest first', async () => {
    const answer = await get(server, '/api/downtime?limit=1000');
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.json.build_id, lake.buildId);
    const expected = reasonsOf(segments);
    assert.ok(expected.some((reason) => reason.planned) && expected.some((reason) => !reason.planned));
    assert.ok(
      expected.some((reason) => reason.stops > 1),
      'some reason stopped machines more than once',
    );
    assertSameReasons(answer.json.items, expected, 'all');
    // A stop split at a shift change is one stop: fewer stops than segments somewhere.
    const segmentCount = segments.length;
    const stopCount = expected.reduce((sum, reason) => sum + reason.stops, 0);
    assert.ok(stopCount < segmentCount, `${stopCount} stops from ${segmentCount} segments`);
  });

  test("the reasons account for every second of the cells' planned, unplanned and small stops", async () => {
    const [cells] = await reader.db.json<{ planned_s: number; unplanned_s: number }>(
      'select sum(planned_stop_s) as planned_s, sum(stop_s + small_stop_s) as unplanned_s from fact_machine_shift',
    );
    const items = (await get(server, '/api/downtime?limit=1000')).json.items as Reason[];
    const total = (planned: boolean) =>
      items
        .filter((reason) => reason.planned === planned)
        .reduce((sum, reason) => sum + reason.duration_s, 0);
    assert.ok(Math.abs(total(true) - cells!.planned_s) < 1e-3, `${total(true)} vs ${cells!.planned_s}`);
    assert.ok(Math.abs(total(false) - cells!.unplanned_s) < 1e-3, `${total(false)} vs ${cells!.unplanned_s}`);
  });

  test('each filter (plant, line, machine, from, to, limit) is the same hand query filtered', async () => {
    const machine = segments[0]!.machine_id;
    const middle = days[Math.floor(days.length / 2)]!;
    const cases: Array<[query: string, keep: (segment: Segment) => boolean]> = [
      ['plant=P1', (s) => s.plant_id === 'P1'],
      ['line=P1-L2', (s) => s.line_id === 'P1-L2'],
      [`machine=${machine}`, (s) => s.machine_id === machine],
      [`from=${middle}`, (s) => s.production_date >= middle],
      [`to=${middle}`, (s) => s.production_date <= middle],
      [`from=${middle}&to=${middle}`, (s) => s.production_date === middle],
      [
        `plant=P1&line=P1-L1&from=${days[0]}&to=${middle}`,
        (s) => s.line_id === 'P1-L1' && s.production_date <= middle,
      ],
    ];
    const all = reasonsOf(segments);
    for (const [query, keep] of cases) {
      const answer = await get(server, `/api/downtime?limit=1000&${query}`);
      assert.equal(answer.status, 200, `${query}: ${answer.body}`);
      const expected = reasonsOf(segments, keep);
      assert.ok(expected.length > 0, `${query} keeps some stops`);
      assertSameReasons(answer.json.items, expected, query);
    }
    const narrowed = reasonsOf(segments, (s) => s.machine_id === machine);
    assert.notDeepEqual(narrowed, all, 'the machine filter narrows the answer');
    // No limit given: the first 50; a limit: the longest ones.
    const top = await get(server, '/api/downtime?limit=3');
    assertSameReasons(top.json.items, all.slice(0, 3), 'limit=3');
    const plain = await get(server, '/api/downtime');
    assertSameReasons(plain.json.items, all.slice(0, 50), 'default limit');
  });

  test('a machine of another line, or days without stops, is an empty list (the ids exist)', async () => {
    const other = segments.find((segment) => segment.line_id === 'P1-L2')!.machine_id;
    const crossed = await get(server, `/api/downtime?line=P1-L1&machine=${other}`);
    assert.equal(crossed.status, 200, crossed.body);
    assert.deepEqual(crossed.json.items, []);
    const later = await get(server, '/api/downtime?from=2099-01-01');
    assert.equal(later.status, 200, later.body);
    assert.deepEqual(later.json.items, []);
  });

  test('ETag per build, 304 on If-None-Match, and the route in /api/openapi.json', async () => {
    const first = await get(server, '/api/downtime?plant=P1');
    assert.match(String(first.headers.etag), new RegExp(`^"${lake.buildId}-`));
    assert.equal(first.headers['cache-control'], 'no-cache');
    const again = await get(server, '/api/downtime?plant=P1', {
      'if-none-match': String(first.headers.etag),
    });
    assert.equal(again.status, 304);
    const openapi = await get(server, '/api/openapi.json');
    const route = openapi.json.paths['/api/downtime']?.get;
    assert.ok(route, 'the dashboard looks for /api/downtime here');
    assert.deepEqual(
      route.parameters.map((p: { name: string }) => p.name),
      ['plant', 'line', 'machine', 'from', 'to', 'limit'],
    );
    assert.ok(route.responses['400'] && route.responses['304']);
  });

  describe('bad input', () => {
    const cases: Array<[url: string, code: string, message: RegExp, field?: string]> = [
      [
        '/api/downtime?plant=P7',
        'unknown_value',
        /no plant `P7` in the warehouse; did you mean `P1`\?/,
        'plant',
      ],
      ['/api/downtime?line=P1-L7', 'unknown_value', /no line `P1-L7`.*did you mean `P1-L1`\?/, 'line'],
      ['/api/downtime?machine=P1-L1-M99', 'unknown_value', /no machine `P1-L1-M99`.*did you mean/, 'machine'],
      ['/api/downtime?plant=P1&line=P1-L9', 'unknown_value', /no line `P1-L9`/, 'line'],
      ['/api/downtime?from=2026-02-30', 'bad_date', /from `2026-02-30` is not a date/, 'from'],
      ['/api/downtime?to=2026-13-01', 'bad_date', /not a date/, 'to'],
      [
        '/api/downtime?from=yesterday',
        'bad_request',
        /`from` `yesterday` is not a production day YYYY-MM-DD/,
        'from',
      ],
      [
        '/api/downtime?from=2026-03-10&to=2026-03-01',
        'bad_date',
        /from 2026-03-10 is after to 2026-03-01/,
        'from',
      ],
      ['/api/downtime?limit=0', 'bad_request', /`limit`/, 'limit'],
      ['/api/downtime?limit=5000', 'bad_request', /`limit`/, 'limit'],
      ['/api/downtime?reason=BRK', 'unknown_parameter', /unknown query parameter `reason`/, 'reason'],
      ['/api/downtime?plant=P1&plant=P2', 'bad_request', /`plant`/, 'plant'],
    ];
    for (const [url, code, message, field] of cases) {
      test(`${url} → 400 ${code}`, async () => {
        const answer = await get(server, url);
        assertError(answer, 400, code, message, field);
        assert.ok(answer.json.error.fix, 'says what to do');
        assert.equal(answer.headers.etag, undefined, 'errors carry no ETag');
      });
    }

    test('injection attempts, unicode, NUL and 5000-character values in every parameter are 400 with a fix', async () => {
      const attacks = [
        "P1' or '1'='1",
        "'; drop table fact_stop_segment; --",
        'P1) or 1=1 --',
        'Ünïcødé 工場 🏭',
        '%00',
        'x'.repeat(5000),
      ];
      for (const name of ['plant', 'line', 'machine', 'from', 'to', 'limit']) {
        for (const attack of attacks) {
          const url = `/api/downtime?${name}=${encodeURIComponent(attack)}`;
          const answer = await get(server, url);
          assert.equal(answer.status, 400, `${url.slice(0, 120)} → ${answer.body.slice(0, 200)}`);
          assert.ok(answer.json?.error?.fix, `${url.slice(0, 120)}: ${answer.body.slice(0, 200)}`);
          assert.ok(answer.body.length < 5000, 'long values are cut in messages');
        }
      }
      const after = await get(server, '/api/downtime?limit=1000');
      assertSameReasons(after.json.items, reasonsOf(segments), 'the warehouse is untouched');
    });
  });
});

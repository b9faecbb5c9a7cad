/**
 * `lathe kpi` end to end, as a plant engineer runs it: a hand-made drop is ingested, the
 * warehouse built with the project's models, and the CLI's JSON compared with the contract's
 * oracles to 4 decimals. The drops are the warehouse tests' fixtures (test/fixtures/warehouse/).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { Scratch } from '../support/drop.js';
import { ingestFiles } from '../support/lake.js';
import { blockingProblems, fixtureDrop, ingestAndBuild } from '../warehouse/support.js';

type Row = Record<string, unknown>;

async function kpi(lake: string, ...args: string[]): Promise<Row[]> {
  const result = await runCli(['kpi', ...args, '--json'], { env: { LATHE_LAKE: lake } });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Row[];
}

function round4(value: unknown): number {
  assert.equal(typeof value, 'number', `not a number: ${String(value)}`);
  return Math.round((value as number) * 1e4) / 1e4;
}

async function builtLake(scratch: Scratch, fixture: string): Promise<string> {
  const { lake, build } = await ingestAndBuild(scratch, await fixtureDrop(fixture));
  assert.deepEqual(blockingProblems(build), []);
  assert.equal(build.status, 'published');
  return lake;
}

describe('lathe kpi through ingest and build', () => {
  const scratches: Scratch[] = [];
  after(async () => {
    for (const scratch of scratches) await scratch.dispose();
  });
  async function lakeOf(fixture: string): Promise<string> {
    const scratch = await Scratch.create();
    scratches.push(scratch);
    return builtLake(scratch, fixture);
  }

  test('Vorne: A .8881, P .8611, Q .9780, OEE .7479; utilization .2917, TEEP .2181 with a 24 h day', async () => {
    const lake = await lakeOf('vorne');
    const [row, ...others] = await kpi(lake, 'oee', '--by', 'machine');
    assert.equal(others.length, 0);
    assert.equal(row!.machine_id, 'M1');
    assert.deepEqual(
      [row!.availability, row!.performance, row!.quality, row!.oee].map(round4),
      [0.8881, 0.8611, 0.978, 0.7479],
    );
    const [teep] = await kpi(lake, 'teep', '--by', 'plant,day');
    assert.equal(teep!.plant_id, 'P1');
    assert.equal(teep!.day, '2026-03-02');
    assert.equal(teep!.calendar_s, 86400);
    assert.equal(round4(teep!.utilization), 0.2917);
    assert.equal(round4(teep!.teep), 0.2181);
    const [waterfall] = await kpi(lake, 'waterfall');
    assert.equal(waterfall!.adds_up, true);
    assert.equal(waterfall!.breakdown_s, 2820);
  });

  test('Vorne #2: A .9310, P .8642, Q .9643, OEE .7759', async () => {
    const lake = await lakeOf('vorne2');
    const [row] = await kpi(lake, 'oee', '--by', 'line', '--where', 'plant=P1', '--from', '2026-03-01');
    assert.deepEqual(
      [row!.availability, row!.performance, row!.quality, row!.oee].map(round4),
      [0.931, 0.8642, 0.9643, 0.7759],
    );
  });

  test('roll-up: machines .80 and .45, their line .5375 (not .625)', async () => {
    const lake = await lakeOf('rollup');
    const machines = await kpi(lake, 'oee', '--by', 'machine');
    assert.deepEqual(
      machines.map((row) => [row.machine_id, round4(row.oee)]),
      [
        ['M1', 0.8],
        ['M2', 0.45],
      ],
    );
    const [line] = await kpi(lake, 'oee', '--by', 'line');
    assert.equal(round4(line!.oee), 0.5375);
    // The same figure at product grain (the product fact) and from the table a person reads.
    const [product] = await kpi(lake, 'oee', '--by', 'product');
    assert.equal(round4(product!.oee), 0.5375);
    const table = await runCli(['kpi', 'oee', '--by', 'line'], { env: { LATHE_LAKE: lake } });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^line_id\s+availability\s+performance\s+quality\s+oee/);
    assert.match(table.stdout, /\n\S+\s+0\.6000\s+\S+\s+\S+\s+0\.5375\s/);
  });

  test('a lake with loads but no build says to build first (exit 1)', async () => {
    const scratch = await Scratch.create();
    scratches.push(scratch);
    const ingest = await ingestFiles(scratch, await fixtureDrop('vorne'));
    assert.equal(ingest.status, 'committed');
    const result = await runCli(['kpi', 'oee'], { env: { LATHE_LAKE: scratch.path('lake') } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /has not been built yet/);
    assert.match(result.stderr, /fix: build it with `lathe build`/);
  });
});

describe('lathe kpi: bad input is exit 2 with the fix, before any lake is read', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(() => scratch.dispose());

  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown KPI', ['oe'], /unknown KPI `oe`; did you mean `oee`\?/],
    [
      'an unknown dimension',
      ['oee', '--by', 'lien'],
      /unknown dimension `lien` in --by; did you mean `line`\?/,
    ],
    ['a dimension the KPI has not', ['reliability', '--by', 'product'], /reliability has no `product` grain/],
    ['a bad date', ['oee', '--from', '2026-02-30'], /--from `2026-02-30` is not a date/],
    ['dates the wrong way round', ['oee', '--from', '2026-03-02', '--to', '2026-03-01'], /is after --to/],
    ['a filter without a value', ['oee', '--where', 'plant'], /--where `plant` is not dimension=value/],
    ['a filter on an unknown dimension', ['oee', '--where', 'plnt=P1'], /did you mean `plant`\?/],
    ['a malformed week', ['oee', '--where', 'week=2026-10'], /write week=2026-W10/],
    ['no KPI', [], /which KPI\?/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const result = await runCli(['kpi', ...args], { env: { LATHE_LAKE: scratch.path('no-lake') } });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /fix: /);
    });
  }

  test('--help shows examples; --list shows every KPI with its formulas', async () => {
    const help = await runCli(['kpi', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n {2}\$ lathe kpi oee --by line,day --where plant=P1/);
    const list = await runCli(['kpi', '--list']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^oee: /m);
    assert.match(list.stdout, /oee +A × P × Q = Σideal_good_s \/ Σppt_s/);
    assert.match(list.stdout, /sigma_level +Φ⁻¹\(1 − DPMO\/1e6\) \+ 1\.5/);
    const json = await runCli(['kpi', '--list', '--json']);
    const names = (JSON.parse(json.stdout) as Row[]).map((entry) => entry.name);
    assert.deepEqual(names, [
      'oee',
      'utilization',
      'teep',
      'yield',
      'waterfall',
      'reliability',
      'scrap',
      'rework',
      'dpmo',
      'fpy',
      'rty',
      'cost',
    ]);
  });
});

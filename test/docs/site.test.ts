import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { DocsCatalog } from '../../src/docs/index.js';
import { writeDocsSite } from '../../src/docs/index.js';
import { buildWarehouse, loadProject } from '../../src/models/index.js';
import type { LatheError } from '../../src/util/errors.js';
import { runCli } from '../support/cli.js';
import { Scratch, validDrop } from '../support/drop.js';
import { ingestFiles } from '../support/lake.js';

const REPO_MODELS = new URL('../../models', import.meta.url).pathname;
const FIXTURE = new URL('./fixtures/project', import.meta.url).pathname;

/** The catalog as the page's script reads it: the embedded JSON blob. */
function embedded(page: string): DocsCatalog {
  const match = /<script type="application\/json" id="lathe-docs-data">([\s\S]*?)<\/script>/.exec(page);
  assert.ok(match, 'the page embeds its data');
  return JSON.parse(match[1]!) as DocsCatalog;
}

/** The HTML of one section of the page. */
function section(page: string, id: string): string {
  const start = page.indexOf(`<section class="doc" id="${id}"`);
  assert.ok(start >= 0, `section ${id} is on the page`);
  return page.slice(start, page.indexOf('</section>', start));
}

describe('lathe docs on the repo warehouse', () => {
  let scratch: Scratch;
  let page: string;
  let buildId: string;
  let loadId: string;
  before(async () => {
    scratch = await Scratch.create();
    const load = await ingestFiles(scratch, validDrop());
    loadId = load.load.load_id;
    const build = await buildWarehouse({ lake: scratch.path('lake'), modelsDir: REPO_MODELS });
    assert.equal(build.status, 'published', JSON.stringify(build.error));
    buildId = build.build_id;
    const site = await writeDocsSite({
      lake: scratch.path('lake'),
      modelsDir: REPO_MODELS,
      out: scratch.path('site'),
    });
    assert.equal(site.build_id, buildId);
    page = await readFile(scratch.path('site', 'index.html'), 'utf8');
  });
  after(() => scratch.dispose());

  it('has a section for every model and every source entity, and the build it documents', async () => {
    const project = await loadProject(REPO_MODELS);
    for (const model of project.models) section(page, `model.${model.name}`);
    for (const entity of ['plants', 'machines', 'operators', 'production_counts', 'sensor_readings'])
      section(page, `source.${entity}`);
    for (const test of project.singularTests) section(page, `test.${test.name}`);
    assert.match(page, new RegExp(buildId));
    assert.match(page, new RegExp(loadId));
  });

  it('embeds JSON whose lineage edges are exactly the models’ refs and source reads', async () => {
    const catalog = embedded(page);
    const project = await loadProject(REPO_MODELS);
    const edges = (prefix: string) =>
      catalog.lineage.edges
        .filter((edge) => edge.from.startsWith(prefix))
        .map((edge) => `${edge.from.slice(prefix.length)} -> ${edge.to.slice('model.'.length)}`)
        .sort();
    assert.deepEqual(
      edges('model.'),
      project.models.flatMap((model) => model.refs.map((ref) => `${ref} -> ${model.name}`)).sort(),
    );
    assert.deepEqual(
      edges('source.'),
      project.models
        .flatMap((model) =>
          [...new Set([...model.sources, ...model.histories])].map((s) => `${s} -> ${model.name}`),
        )
        .sort(),
    );
    // Every edge points rightwards: sources, then staging, core, marts.
    const at = new Map(catalog.lineage.nodes.map((node) => [node.id, node]));
    for (const edge of catalog.lineage.edges) assert.ok(at.get(edge.from)!.column < at.get(edge.to)!.column);
    const rank = { sources: 0, staging: 1, core: 2, marts: 3 } as Record<string, number>;
    for (const edge of catalog.lineage.edges)
      assert.ok(rank[at.get(edge.from)!.layer]! <= rank[at.get(edge.to)!.layer]!, JSON.stringify(edge));
    // Clicking dim_operator highlights what it reads and what reads it.
    assert.ok(catalog.lineage.upstream['model.dim_operator']!.includes('source.operators'));
    assert.deepEqual(catalog.lineage.downstream['source.plants']!.includes('model.dim_plant'), true);
  });

  it('marks personal data in the sources and the models', () => {
    const pii = (html: string) =>
      [...html.matchAll(/<tr id="[^"]+\.(\w+)"><td><code>\w+<\/code> <span class="badge pii"/g)]
        .map((m) => m[1])
        .sort();
    assert.deepEqual(pii(section(page, 'source.operators')), ['badge_no', 'email', 'full_name']);
    assert.deepEqual(pii(section(page, 'model.dim_operator')), ['badge_no', 'email', 'full_name']);
    assert.deepEqual(pii(section(page, 'model.dim_machine')), []);
  });

  it('shows every test with its result in this build, and the columns with their types', () => {
    const catalog = embedded(page);
    assert.ok(catalog.tests.length > 50);
    assert.deepEqual(
      catalog.tests.filter((test) => test.status !== 'pass').map((test) => `${test.model}: ${test.name}`),
      [],
    );
    const fact = catalog.models.find((model) => model.name === 'fact_machine_shift')!;
    assert.equal(fact.columns.find((column) => column.name === 'run_s')?.type, 'DOUBLE');
    assert.match(fact.compiled_sql, /"raw"\."|"dim_shift"|"stg_/);
    assert.match(
      section(page, 'model.fact_machine_shift'),
      /unique\(machine_id, shift_id\)<\/code><\/td><td>unique<\/td><td>error<\/td><td><span class="status pass">pass/,
    );
  });

  it('carries its script inline and it parses', () => {
    assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
    assert.doesNotThrow(() => new Function(script));
  });
});

describe('lathe docs on a small project with a failing warn test', () => {
  let scratch: Scratch;
  let lake: string;
  let firstBuild: string;
  before(async () => {
    scratch = await Scratch.create();
    await ingestFiles(scratch, validDrop());
    lake = scratch.path('lake');
    const build = await buildWarehouse({ lake, modelsDir: FIXTURE });
    assert.equal(build.status, 'published', 'a warn test does not block publishing');
    firstBuild = build.build_id;
  });
  after(() => scratch.dispose());

  it('shows the warning with its failing count and sample rows', async () => {
    const site = await writeDocsSite({ lake, modelsDir: FIXTURE, out: scratch.path('site') });
    assert.equal(site.failing_tests, 1);
    const page = await readFile(site.files[0]!, 'utf8');
    const warn = embedded(page).tests.find((test) => test.name === 'every_machine_made_5000')!;
    assert.deepEqual(
      { status: warn.status, severity: warn.severity, failing_rows: warn.failing_rows, build: warn.build_id },
      { status: 'fail', severity: 'warn', failing_rows: 1, build: firstBuild },
    );
    const model = section(page, 'model.machine_counts');
    assert.match(
      model,
      /every_machine_made_5000<\/code><\/td><td>expression<\/td><td>warn<\/td><td><span class="status warn">warn<\/span><\/td><td>1<\/td>/,
    );
    assert.match(
      model,
      /<td>M2<\/td><td>L1<\/td><td>2000<\/td>/,
      'the sample row of M2 (2000 made) is shown',
    );
    assert.match(section(page, 'overview'), /every_machine_made_5000/);
    assert.match(section(page, 'test.good_not_above_total'), /status pass/);
    assert.deepEqual(
      embedded(page)
        .models.find((m) => m.name === 'stg_operators')!
        .columns.filter((c) => c.pii)
        .map((c) => c.name),
      ['full_name', 'email'],
    );
  });

  it('escapes what users wrote: a description cannot end the script or add markup', async () => {
    const site = await writeDocsSite({ lake, modelsDir: FIXTURE, out: scratch.path('site') });
    const page = await readFile(site.files[0]!, 'utf8');
    assert.equal(page.split('</script>').length - 1, 2, 'only the page’s own two scripts end');
    assert.doesNotMatch(page, /<b>bold<\/b>/);
    assert.match(
      section(page, 'model.stg_counts'),
      /&lt;\/script&gt;&lt;b&gt;bold&lt;\/b&gt; &amp; still be text/,
    );
    assert.match(embedded(page).models[0]!.description ?? '', /<\/script><b>bold<\/b> & still/);
  });

  it('keeps the last result of a test the newest build did not run, and --build picks an older build', async () => {
    const partial = await buildWarehouse({ lake, modelsDir: FIXTURE, select: ['stg_operators'] });
    assert.equal(partial.status, 'published');
    const site = await writeDocsSite({ lake, modelsDir: FIXTURE, out: scratch.path('site') });
    assert.equal(site.build_id, partial.build_id);
    const warn = site.catalog.tests.find((test) => test.name === 'every_machine_made_5000')!;
    assert.equal(warn.build_id, firstBuild, 'its result comes from the build that ran it');
    assert.equal(warn.failing_rows, 1);
    const older = await writeDocsSite({
      lake,
      modelsDir: FIXTURE,
      out: scratch.path('site'),
      buildId: firstBuild,
    });
    assert.equal(older.catalog.build?.build_id, firstBuild);
    assert.equal(older.catalog.build?.current_build_id, partial.build_id);
    await assert.rejects(
      writeDocsSite({
        lake,
        modelsDir: FIXTURE,
        out: scratch.path('site'),
        buildId: '20990101T000000000Z-dead',
      }),
      (error: LatheError) =>
        error.code === 'unknown_build' && error.exitCode === 2 && /--build/.test(error.fix ?? ''),
    );
  });

  it('writes only into a new or empty folder or over its own earlier site', async () => {
    await mkdir(scratch.path('occupied'));
    await writeFile(scratch.path('occupied', 'notes.txt'), 'mine');
    await assert.rejects(
      writeDocsSite({ lake, modelsDir: FIXTURE, out: scratch.path('occupied') }),
      (error: LatheError) => error.code === 'docs_out_occupied' && /notes\.txt/.test(error.message),
    );
    assert.equal(await readFile(scratch.path('occupied', 'notes.txt'), 'utf8'), 'mine');
    await assert.rejects(
      writeDocsSite({ lake, modelsDir: FIXTURE, out: scratch.path('occupied', 'notes.txt') }),
      (error: LatheError) => error.code === 'docs_out_not_folder',
    );
    await assert.rejects(
      writeDocsSite({ lake, modelsDir: FIXTURE, out: scratch.path('occupied', 'notes.txt', 'site') }),
      (error: LatheError) =>
        error.code === 'docs_out_unwritable' && /a part of the path is a file/.test(error.message),
    );
    await mkdir(scratch.path('empty'));
    const site = await writeDocsSite({ lake, modelsDir: FIXTURE, out: scratch.path('empty') });
    assert.ok(site.url.startsWith('file://'));
  });

  it('CLI: --help has examples; a bad --build and an occupied --out exit 2 with the fix', async () => {
    const help = await runCli(['docs', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n\s+\$ lathe docs/);

    const docs = (...args: string[]) => runCli(['--lake', lake, 'docs', '--models', FIXTURE, ...args]);
    const bad = await docs('--out', scratch.path('cli-site'), '--build', 'nope');
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(
      bad.stderr,
      /no build `nope` in this lake\n\s+fix: use a build id from lathe dq, e\.g\. --build \d{8}T/,
    );

    const occupied = await docs('--out', scratch.path('occupied'));
    assert.equal(occupied.code, 2);
    assert.match(
      occupied.stderr,
      /already holds other files \(notes\.txt\)[\s\S]*fix: give a new or empty folder/,
    );

    const ok = await docs('--out', scratch.path('cli-site'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /wrote the docs of 4 models, \d+ source entities and \d+ tests \(results of build \S+, 1 not passing\)\nopen file:\/\//,
    );
    assert.ok((await readFile(scratch.path('cli-site', 'index.html'), 'utf8')).includes('machine_counts'));
  });
});

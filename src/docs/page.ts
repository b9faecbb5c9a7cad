/**
 * The docs page as one self-contained HTML file: every section rendered here (readable even
 * without script), the lineage graph as inline SVG, the catalog embedded as JSON for the
 * script. Everything from the project or the lake is escaped on the way in.
 */
import type {
  DocsBuild,
  DocsCatalog,
  DocsColumn,
  DocsModel,
  DocsSingularTest,
  DocsSource,
  DocsTest,
} from './catalog.js';
import { CLIENT_SCRIPT } from './client.js';
import { esc, html, jsonForScript } from './html.js';
import { LINEAGE_LAYERS, type Lineage, NODE_HEIGHT, NODE_WIDTH } from './lineage.js';

/** How a result reads to a plant engineer: a failing warn test is a warning, not a failure. */
export function shownStatus(test: DocsTest): 'pass' | 'fail' | 'warn' | 'error' | 'not run' {
  if (test.status === 'fail') return test.severity === 'warn' ? 'warn' : 'fail';
  return test.status === 'not_run' ? 'not run' : test.status;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f6f7f9}
header{padding:10px 18px;background:#1f2a37;color:#fff;display:flex;gap:18px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:17px;margin:0}
header .meta{color:#c8d1dc;font-size:13px}
.layout{display:flex;min-height:calc(100vh - 44px)}
nav{width:270px;flex:none;border-right:1px solid #dde2e8;background:#fff;padding:10px;overflow:auto;max-height:calc(100vh - 44px);position:sticky;top:0}
nav input{width:100%;padding:6px 8px;border:1px solid #b8c2cc;border-radius:4px;font:inherit}
nav h3{font-size:12px;text-transform:uppercase;color:#66717f;margin:14px 0 4px}
nav a{display:block;padding:1px 6px;color:#1d2430;text-decoration:none;border-radius:3px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
nav a:hover{background:#eef1f5}nav a.current{background:#dbe7ff}
nav a small{color:#66717f}
main{flex:1;min-width:0;padding:12px 18px}
.graph{background:#fff;border:1px solid #dde2e8;border-radius:6px;overflow:auto;max-height:46vh;resize:vertical}
.graph svg{display:block}
.node{cursor:pointer}
.node rect{stroke:#8a96a3;stroke-width:1;fill:#fff}
.node text{font-size:11.5px;fill:#1d2430;pointer-events:none}
.node.layer-sources rect{fill:#eef4e8}.node.layer-staging rect{fill:#e8f1fb}.node.layer-core rect{fill:#fdf1dc}.node.layer-marts rect{fill:#f4e8fb}
.edge{fill:none;stroke:#b6bfca;stroke-width:1}
.focused .node{opacity:.28}.focused .edge{opacity:.15}
.focused .node.selected,.focused .node.upstream,.focused .node.downstream{opacity:1}
.node.selected rect{stroke:#1f2a37;stroke-width:2.5}
.node.upstream rect{stroke:#2f6fd6;stroke-width:2}.node.downstream rect{stroke:#d6702f;stroke-width:2}
.focused .edge.upstream{opacity:1;stroke:#2f6fd6;stroke-width:1.6}.focused .edge.downstream{opacity:1;stroke:#d6702f;stroke-width:1.6}
.legend{font-size:12px;color:#66717f;margin:4px 0 10px}.legend b{font-weight:600}
.legend .up{color:#2f6fd6}.legend .down{color:#d6702f}
section.doc{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:12px 16px;margin:12px 0}
.js section.doc{display:none}.js section.doc.shown{display:block}
h2{font-size:19px;margin:0 0 6px}h4{margin:14px 0 6px}
.badge{display:inline-block;font-size:11.5px;padding:0 6px;border-radius:9px;background:#e6e9ee;color:#39424e;margin-left:4px;vertical-align:middle}
.badge.pii{background:#fde2e2;color:#9b1c1c;font-weight:600}
.status{font-weight:600;padding:0 6px;border-radius:3px;font-size:12px}
.status.pass{background:#def7e3;color:#176b2c}.status.fail,.status.error{background:#fde2e2;color:#9b1c1c}
.status.warn{background:#fff1c7;color:#8a5a00}.status.not-run{background:#eceff3;color:#66717f}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{font-size:12px;color:#66717f;font-weight:600}
tr.row-target td{background:#fff6c9}
td code,dd code{font-size:12.5px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}dt{color:#66717f}dd{margin:0}
pre{background:#f3f5f8;border:1px solid #e3e7ec;padding:8px;overflow:auto;font-size:12.5px;max-height:480px}
.muted{color:#66717f}.warnbox{background:#fff6dd;border:1px solid #f0d78a;padding:6px 10px;border-radius:4px}
.sample{margin:4px 0 10px 0}.sample td,.sample th{font-size:12px;padding:1px 6px}
a{color:#1f57b8}
`;

function statusBadge(test: DocsTest): string {
  const status = shownStatus(test);
  return `<span class="status ${status.replace(' ', '-')}">${esc(status)}</span>`;
}

function link(id: string): string {
  const name = id.slice(id.indexOf('.') + 1);
  return `<a href="#${esc(id)}">${esc(name)}</a>`;
}

function links(ids: string[]): string {
  return ids.length ? ids.map(link).join(', ') : '<span class="muted">none</span>';
}

function codeList(values: string[]): string {
  return values.length
    ? values.map((v) => `<code>${esc(v)}</code>`).join(', ')
    : '<span class="muted">—</span>';
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '<span class="muted">NULL</span>';
  return esc(typeof value === 'object' ? JSON.stringify(value) : value);
}

function sampleTable(sample: Record<string, unknown>[]): string {
  if (sample.length === 0) return '';
  const columns = [...new Set(sample.flatMap((row) => Object.keys(row)))];
  return html`<table class="sample"><tr>${columns.map((c) => `<th>${esc(c)}</th>`)}</tr>${sample.map(
    (row) => `<tr>${columns.map((c) => `<td>${cell(row[c])}</td>`).join('')}</tr>`,
  )}</table>`;
}

function testRows(tests: DocsTest[], withModel: boolean, build: DocsBuild | null): string {
  if (tests.length === 0) return '<p class="muted">No tests.</p>';
  return html`<table><tr>${withModel ? '<th>model</th>' : ''}<th>test</th><th>kind</th><th>severity</th><th>result</th><th>failing</th><th>build</th></tr>${tests.map(
    (test) => {
      const models = test.model
        ? test.model.split(', ').map((m) => `<a href="#model.${esc(m)}">${esc(m)}</a>`)
        : [];
      const from =
        test.build_id && test.build_id !== build?.build_id
          ? `<span class="muted" title="this build did not run it">${esc(test.build_id)}</span>`
          : test.build_id
            ? '<span class="muted">this</span>'
            : '';
      const detail =
        test.status !== 'pass' && (test.sample.length || test.message)
          ? `<tr><td colspan="${withModel ? 7 : 6}">${test.message ? `<div class="muted">${esc(test.message)}</div>` : ''}${test.sample.length ? `<div class="muted">sample of failing rows:</div>${sampleTable(test.sample)}` : ''}</td></tr>`
          : '';
      return `<tr>${withModel ? `<td>${models.join(', ')}</td>` : ''}<td><code>${esc(test.name)}</code>${test.description ? `<div class="muted">${esc(test.description)}</div>` : ''}</td><td>${esc(test.kind)}</td><td>${esc(test.severity)}</td><td>${statusBadge(test)}</td><td>${test.failing_rows ?? ''}</td><td>${from}</td></tr>${detail}`;
    },
  )}</table>`;
}

function columnRows(nodeId: string, columns: DocsColumn[], source: boolean): string {
  if (columns.length === 0)
    return '<p class="muted">No columns known (no build yet, and none declared in the header).</p>';
  return html`<table><tr><th>column</th><th>type</th>${source ? '<th>nullable</th><th>checks</th>' : ''}<th>description</th></tr>${columns.map(
    (column) =>
      `<tr id="${esc(`${nodeId}.${column.name}`)}"><td><code>${esc(column.name)}</code>${column.pii ? ' <span class="badge pii" title="personal data">PII</span>' : ''}${column.missing ? ' <span class="badge" title="declared in the header, not in the build">not built</span>' : ''}</td><td>${esc(column.type ?? '')}</td>${source ? `<td>${column.nullable ? 'yes' : 'no'}</td><td>${esc((column.checks ?? []).join('; '))}</td>` : ''}<td>${esc(column.description ?? '')}</td></tr>`,
  )}</table>`;
}

function sqlBlocks(sql: string, compiled: string): string {
  return `<details open><summary>SQL</summary><pre><code>${esc(sql)}</code></pre></details><details><summary>compiled SQL (what a build runs)</summary><pre><code>${esc(compiled)}</code></pre></details>`;
}

function sourceSection(source: DocsSource): string {
  return html`<section class="doc" id="${esc(source.id)}" data-node="${esc(source.id)}">
<h2>${esc(source.name)} <span class="badge">source entity</span><span class="badge">${esc(source.kind)}</span></h2>
${source.description ? `<p>${esc(source.description)}</p>` : ''}
<dl><dt>source</dt><dd>${esc(source.source)}</dd><dt>key</dt><dd>${codeList(source.key)}</dd><dt>read by</dt><dd>${links(source.used_by)}</dd>${source.no_overlap ? `<dt>no overlap</dt><dd>${codeList([source.no_overlap.start, source.no_overlap.end])} by ${codeList(source.no_overlap.by)}</dd>` : ''}</dl>
<h4>Columns</h4>${columnRows(source.id, source.columns, true)}
${source.references.length ? html`<h4>References</h4><table><tr><th>columns</th><th>entity</th><th>its columns</th></tr>${source.references.map((r) => `<tr><td>${codeList(r.columns)}</td><td>${link(`source.${r.entity}`)}</td><td>${codeList(r.referenced_columns)}</td></tr>`)}</table>` : ''}
${source.rules.length ? html`<h4>Rules</h4><table><tr><th>code</th><th>check</th><th>fields</th><th>message</th></tr>${source.rules.map((r) => `<tr><td><code>${esc(r.code)}</code></td><td><code>${esc(r.check)}</code></td><td>${codeList(r.fields)}</td><td>${esc(r.message)}</td></tr>`)}</table>` : ''}
</section>`;
}

function modelSection(model: DocsModel, tests: DocsTest[], build: DocsBuild | null): string {
  const built = model.build
    ? `${esc(model.build.status)}${model.build.rows === null ? '' : `, ${esc(model.build.rows)} rows`}, ${esc(model.build.seconds.toFixed(2))} s`
    : '<span class="muted">not in this build</span>';
  return html`<section class="doc" id="${esc(model.id)}" data-node="${esc(model.id)}">
<h2>${esc(model.name)} <span class="badge">${esc(model.layer)}</span><span class="badge">${esc(model.materialized)}</span>${model.tags.map((t) => `<span class="badge">#${esc(t)}</span>`)}</h2>
${model.description ? `<p>${esc(model.description)}</p>` : '<p class="muted">No description.</p>'}
<dl><dt>grain</dt><dd>${codeList(model.grain)}</dd>${model.unique_key.length ? `<dt>unique key</dt><dd>${codeList(model.unique_key)}</dd>` : ''}<dt>file</dt><dd><code>${esc(model.file)}</code></dd><dt>in the build</dt><dd>${built}</dd><dt>depends on</dt><dd>${links(model.depends_on)}</dd><dt>used by</dt><dd>${links(model.used_by)}</dd></dl>
<h4>Columns</h4>${columnRows(model.id, model.columns, false)}
<h4>Tests</h4>${testRows(tests, false, build)}
${sqlBlocks(model.sql, model.compiled_sql)}
</section>`;
}

function singularSection(
  test: DocsSingularTest,
  result: DocsTest | undefined,
  build: DocsBuild | null,
): string {
  return html`<section class="doc" id="${esc(test.id)}">
<h2>${esc(test.name)} <span class="badge">singular test</span><span class="badge">${esc(test.severity)}</span></h2>
${test.description ? `<p>${esc(test.description)}</p>` : ''}
<dl><dt>reads</dt><dd>${links(test.refs.map((r) => `model.${r}`))}</dd><dt>file</dt><dd><code>${esc(test.file)}</code></dd></dl>
${result ? testRows([result], true, build) : ''}
${sqlBlocks(test.sql, test.compiled_sql)}
</section>`;
}

function buildSummary(catalog: DocsCatalog): string {
  const build = catalog.build;
  if (!build)
    return '<p class="warnbox">This lake has no build yet, so no test has a result: run <code>lathe build</code>, then <code>lathe docs</code> again.</p>';
  const counts = new Map<string, number>();
  for (const test of catalog.tests) counts.set(shownStatus(test), (counts.get(shownStatus(test)) ?? 0) + 1);
  const notCurrent =
    build.current_build_id !== build.build_id
      ? `<p class="warnbox">${build.status === 'published' ? 'This build is not the current one' : 'This build was not published'}${build.error ? `: ${esc(build.error.message)}${build.error.fix ? ` (fix: ${esc(build.error.fix)})` : ''}` : ''}. Readers see ${build.current_build_id ? `build <code>${esc(build.current_build_id)}</code>` : 'no build'}.</p>`
      : '';
  return html`<dl><dt>build</dt><dd><code>${esc(build.build_id)}</code> (${esc(build.status)})</dd><dt>load read</dt><dd><code>${esc(build.load_id)}</code></dd><dt>started</dt><dd>${esc(build.started_at)}</dd><dt>finished</dt><dd>${esc(build.finished_at ?? '')}</dd>${build.select ? `<dt>selected</dt><dd>${codeList(build.select)}</dd>` : ''}<dt>tests</dt><dd>${[...counts].map(([status, n]) => `${n} <span class="status ${status.replace(' ', '-')}">${esc(status)}</span>`).join(' ')}</dd></dl>${notCurrent}`;
}

function overview(catalog: DocsCatalog): string {
  const problems = catalog.tests.filter((test) => test.status === 'fail' || test.status === 'error');
  const byLayer = LINEAGE_LAYERS.slice(1).map(
    (layer) => `${catalog.models.filter((m) => m.layer === layer).length} ${layer}`,
  );
  return html`<section class="doc" id="overview">
<h2>Overview</h2>
<p>${catalog.sources.length} source entities, ${catalog.models.length} models (${byLayer.join(', ')}), ${catalog.tests.length} data-quality tests, ${catalog.singular_tests.length} of them singular. Click a node in the graph to see it; its upstream is <b style="color:#2f6fd6">blue</b>, its downstream <b style="color:#d6702f">orange</b>.</p>
${buildSummary(catalog)}
<h4>Tests that did not pass</h4>${problems.length ? testRows(problems, true, catalog.build) : '<p class="muted">None.</p>'}
<p class="muted">Generated ${esc(catalog.generated_at)} from <code>${esc(catalog.models_dir)}</code>.</p>
</section>`;
}

function graphSvg(lineage: Lineage): string {
  const at = new Map(lineage.nodes.map((node) => [node.id, node]));
  const edges = lineage.edges.map((edge) => {
    const from = at.get(edge.from)!;
    const to = at.get(edge.to)!;
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + NODE_HEIGHT / 2;
    const x2 = to.x;
    const y2 = to.y + NODE_HEIGHT / 2;
    const dx = Math.max(30, (x2 - x1) / 2);
    return `<path class="edge" data-from="${esc(edge.from)}" data-to="${esc(edge.to)}" d="M${x1} ${y1}C${x1 + dx} ${y1} ${x2 - dx} ${y2} ${x2} ${y2}"/>`;
  });
  const nodes = lineage.nodes.map((node) => {
    const label = node.name.length > 28 ? `${node.name.slice(0, 27)}…` : node.name;
    return `<g class="node layer-${esc(node.layer)}" data-id="${esc(node.id)}" transform="translate(${node.x},${node.y})"><title>${esc(node.name)} (${esc(node.layer)})</title><rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="4"/><text x="7" y="15">${esc(label)}</text></g>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${lineage.width}" height="${lineage.height}" viewBox="0 0 ${lineage.width} ${lineage.height}" role="img" aria-label="lineage graph">${edges}${nodes}</svg>`;
}

function navigation(catalog: DocsCatalog): string {
  const group = (title: string, items: { id: string; name: string }[], note?: (id: string) => string) =>
    items.length
      ? html`<h3>${esc(title)}</h3>${[...items].sort((a, b) => a.name.localeCompare(b.name)).map((item) => `<a href="#${esc(item.id)}">${esc(item.name)}${note ? note(item.id) : ''}</a>`)}`
      : '';
  const failing = new Set(
    catalog.tests
      .filter((t) => t.status === 'fail' || t.status === 'error')
      .flatMap((t) => t.model.split(', ')),
  );
  const mark = (id: string) => (failing.has(id.slice(6)) ? ' <small>⚠</small>' : '');
  return html`<input id="search" type="search" placeholder="Search models and columns" aria-label="Search models and columns" autocomplete="off">
<div id="results"></div>
<div id="nav-list">
<h3>Warehouse</h3><a href="#overview">Overview</a><a href="#quality">Data quality (${catalog.tests.length})</a>
${group('Sources', catalog.sources)}
${LINEAGE_LAYERS.slice(1).map((layer) =>
  group(
    layer[0]!.toUpperCase() + layer.slice(1),
    catalog.models.filter((m) => m.layer === layer),
    mark,
  ),
)}
${group(
  'Other models',
  catalog.models.filter((m) => !(LINEAGE_LAYERS as readonly string[]).includes(m.layer)),
  mark,
)}
${group('Singular tests', catalog.singular_tests)}
</div>`;
}

export function renderPage(catalog: DocsCatalog): string {
  const testsOf = (model: string) => catalog.tests.filter((test) => test.model === model);
  const singularResult = (name: string) =>
    catalog.tests.find((t) => t.kind === 'singular' && t.name === name);
  const build = catalog.build;
  const title = build ? `build ${build.build_id} · load ${build.load_id} · ${build.status}` : 'no build yet';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lathe docs">
<title>Lathe warehouse docs</title>
<style>${STYLE}</style></head>
<body>
<header><h1>Lathe warehouse docs</h1><span class="meta">${esc(title)}${build?.finished_at ? ` · ${esc(build.finished_at)}` : ''}</span></header>
<div class="layout">
<nav>${navigation(catalog)}</nav>
<main>
<div class="graph" id="graph">${graphSvg(catalog.lineage)}</div>
<div class="legend">Lineage: sources → staging → core → marts. Click a node: <b>selected</b>, <b class="up">upstream</b>, <b class="down">downstream</b>.</div>
${overview(catalog)}
<section class="doc" id="quality"><h2>Data quality</h2>${buildSummary(catalog)}${testRows(catalog.tests, true, build)}</section>
${catalog.sources.map(sourceSection)}
${catalog.models.map((model) => modelSection(model, testsOf(model.name), build))}
${catalog.singular_tests.map((test) => singularSection(test, singularResult(test.name), build))}
</main>
</div>
<script type="application/json" id="lathe-docs-data">${jsonForScript(catalog)}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}

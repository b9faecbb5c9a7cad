/**
 * Everything the docs site shows, gathered into one JSON-ready catalog: the source entities
 * as declared, the models and singular tests as written, column types from the build, and
 * every data-quality test with its last result from the build records.
 */
import type { SourceDeclaration } from '../contract/declaration.js';
import { LakeLayout } from '../lake/layout.js';
import { readBuildManifest, readCurrentBuild } from '../lake/manifest.js';
import { openLakeReader } from '../lake/reader.js';
import {
  type BuildRecord,
  compileModelSql,
  compileSql,
  FileBuildStore,
  loadProject,
  type Model,
  type Project,
  type TestResult,
} from '../models/index.js';
import { LatheError } from '../util/errors.js';
import { type Lineage, lineageOf, modelNodeId, sourceNodeId } from './lineage.js';

export interface DocsColumn {
  name: string;
  /** DuckDB type in the build (models) or the declared type (sources); absent when unknown. */
  type?: string;
  description?: string;
  pii: boolean;
  nullable?: boolean;
  /** Declared constraints of a source column, in words (`min 0`, `one of a, b`). */
  checks?: string[];
  /** Declared in the header but not produced by the build. */
  missing?: boolean;
}

export interface DocsSource {
  id: string;
  name: string;
  source: string;
  description?: string;
  kind: 'snapshot' | 'append';
  key: string[];
  columns: DocsColumn[];
  references: { columns: string[]; entity: string; referenced_columns: string[] }[];
  rules: { code: string; check: string; fields: string[]; message: string }[];
  no_overlap?: { by: string[]; start: string; end: string };
  used_by: string[];
}

export interface DocsModel {
  id: string;
  name: string;
  layer: string;
  materialized: string;
  description?: string;
  grain: string[];
  tags: string[];
  unique_key: string[];
  file: string;
  columns: DocsColumn[];
  sql: string;
  compiled_sql: string;
  /** Node ids it reads (`model.x`, `source.e`). */
  depends_on: string[];
  /** Node ids of the models that read it. */
  used_by: string[];
  /** Rows and status in the build shown. */
  build?: { status: string; rows: number | null; seconds: number };
}

export interface DocsTest {
  name: string;
  /** The model it checks; a singular test's models joined by ", ". */
  model: string;
  kind: string;
  severity: 'warn' | 'error';
  description?: string;
  /** `not_run`: no build shown ran it. */
  status: 'pass' | 'fail' | 'error' | 'not_run';
  failing_rows: number | null;
  sample: Record<string, unknown>[];
  message?: string;
  /** The build the result comes from (an earlier one when the build shown did not run it). */
  build_id?: string;
}

export interface DocsSingularTest {
  id: string;
  name: string;
  description?: string;
  severity: 'warn' | 'error';
  refs: string[];
  file: string;
  sql: string;
  compiled_sql: string;
}

export interface DocsBuild {
  build_id: string;
  load_id: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  select: string[] | null;
  error: { code: string; message: string; fix?: string } | null;
  /** The build readers see now (may differ from the one shown). */
  current_build_id: string | null;
}

export interface DocsCatalog {
  generator: 'lathe docs';
  generated_at: string;
  models_dir: string;
  build: DocsBuild | null;
  sources: DocsSource[];
  models: DocsModel[];
  singular_tests: DocsSingularTest[];
  tests: DocsTest[];
  lineage: Lineage;
}

export interface CatalogOptions {
  lake: string;
  modelsDir: string;
  /** A build id; default: the newest finished build. */
  buildId?: string;
  declarations: SourceDeclaration[];
}

export async function gatherCatalog(options: CatalogOptions): Promise<DocsCatalog> {
  const project = await loadProject(options.modelsDir);
  const layout = new LakeLayout(options.lake);
  const records = (await new FileBuildStore(layout).list()).filter((record) => record.status !== 'running');
  const record = pickBuild(records, options.buildId);
  const current = await readCurrentBuild(layout);
  const types = await modelColumnTypes(layout, options.lake, record);

  const sources = sourcesOf(options.declarations, project);
  const lineage = lineageOf({
    sources: sources.map((source) => source.name),
    // A source_history() read is a read of the entity too.
    models: project.models.map((model) => ({
      ...model,
      sources: [...new Set([...model.sources, ...model.histories])],
    })),
  });
  const usedBy = (id: string) => lineage.edges.filter((edge) => edge.from === id).map((edge) => edge.to);
  for (const source of sources) source.used_by = usedBy(source.id);

  const models = project.models.map((model) => modelOf(model, types.get(model.name), record, usedBy));
  const singular_tests = project.singularTests.map((test) => ({
    id: `test.${test.name}`,
    name: test.name,
    description: test.header.description,
    severity: test.header.severity,
    refs: test.refs,
    file: test.file,
    sql: test.text,
    compiled_sql: compileSql(test),
  }));
  return {
    generator: 'lathe docs',
    generated_at: new Date().toISOString(),
    models_dir: project.dir,
    build: record
      ? {
          build_id: record.build_id,
          load_id: record.load_id,
          status: record.status,
          started_at: record.started_at,
          finished_at: record.finished_at,
          select: record.select,
          error: record.error
            ? { code: record.error.code, message: record.error.message, fix: record.error.fix }
            : null,
          current_build_id: current?.id ?? null,
        }
      : null,
    sources,
    models,
    singular_tests,
    tests: testsOf(project, records, record),
    lineage,
  };
}

function pickBuild(records: BuildRecord[], buildId: string | undefined): BuildRecord | undefined {
  if (buildId === undefined) return records[records.length - 1];
  const record = records.find((r) => r.build_id === buildId);
  if (record) return record;
  throw new LatheError('unknown_build', `no build \`${buildId}\` in this lake`, {
    fix: records.length
      ? `use a build id from lathe dq, e.g. --build ${records[records.length - 1]!.build_id}, or leave out --build for the newest`
      : 'this lake has no build yet: run lathe build, or leave out --build to document the models without results',
    exitCode: 2,
  });
}

/** Column names and DuckDB types of every model, from the build shown (or the current one if it was not published). */
async function modelColumnTypes(
  layout: LakeLayout,
  lake: string,
  record: BuildRecord | undefined,
): Promise<Map<string, { name: string; type: string }[]>> {
  const types = new Map<string, { name: string; type: string }[]>();
  const published = record ? await readBuildManifest(layout, record.build_id) : undefined;
  const manifest = published ?? (await readCurrentBuild(layout));
  if (!manifest) return types;
  const reader = await openLakeReader(lake, { asOf: manifest.id });
  try {
    const rows = await reader.db.all<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
       where table_schema = 'main' order by table_name, ordinal_position`,
    );
    const models = new Set(reader.models);
    for (const row of rows) {
      if (!models.has(row.table_name)) continue;
      types.set(row.table_name, [
        ...(types.get(row.table_name) ?? []),
        { name: row.column_name, type: row.data_type },
      ]);
    }
  } finally {
    reader.close();
  }
  return types;
}

function sourcesOf(declarations: SourceDeclaration[], project: Project): DocsSource[] {
  const sources: DocsSource[] = [];
  for (const declaration of declarations)
    for (const entity of declaration.entities)
      sources.push({
        id: sourceNodeId(entity.name),
        name: entity.name,
        source: declaration.source,
        description: entity.description,
        kind: entity.kind,
        key: entity.key,
        columns: entity.columns.map((column) => ({
          name: column.name,
          type: column.type,
          description: column.description,
          pii: column.pii,
          nullable: column.nullable,
          checks: columnChecks(column),
        })),
        references: entity.references.map((reference) => ({
          columns: reference.columns,
          entity: reference.entity,
          referenced_columns: reference.referencedColumns,
        })),
        rules: entity.rules.map((rule) => ({
          code: rule.code,
          check: rule.check,
          fields: rule.fields,
          message: rule.message,
        })),
        no_overlap: entity.noOverlap,
        used_by: [],
      });
  // A model may read an entity no given declaration names: document it as unknown.
  const declared = new Set(sources.map((source) => source.name));
  for (const name of new Set(project.models.flatMap((model) => [...model.sources, ...model.histories])))
    if (!declared.has(name))
      sources.push({
        id: sourceNodeId(name),
        name,
        source: '(not declared in the declarations given)',
        kind: 'snapshot',
        key: [],
        columns: [],
        references: [],
        rules: [],
        used_by: [],
      });
  return sources.sort((a, b) => a.name.localeCompare(b.name));
}

function columnChecks(column: SourceDeclaration['entities'][number]['columns'][number]): string[] {
  const checks: string[] = [];
  if (column.enum) checks.push(`one of ${column.enum.join(', ')}`);
  if (column.min !== undefined) checks.push(`${column.minExclusive ? '>' : '≥'} ${column.min}`);
  if (column.max !== undefined) checks.push(`≤ ${column.max}`);
  if (column.pattern) checks.push(column.hint ?? `matches ${column.pattern}`);
  if (column.check === 'timezone') checks.push('an IANA timezone');
  if (column.default !== undefined) checks.push(`default ${column.default}`);
  if (column.from) checks.push(`read from "${column.from}"`);
  return checks;
}

function modelOf(
  model: Model,
  built: { name: string; type: string }[] | undefined,
  record: BuildRecord | undefined,
  usedBy: (id: string) => string[],
): DocsModel {
  const declared = model.header.columns;
  const columns: DocsColumn[] = (built ?? []).map((column) => ({
    name: column.name,
    type: column.type,
    description: declared[column.name]?.description,
    pii: declared[column.name]?.pii ?? false,
  }));
  for (const [name, spec] of Object.entries(declared))
    if (!columns.some((column) => column.name === name))
      columns.push({
        name,
        description: spec.description,
        pii: spec.pii ?? false,
        missing: built !== undefined,
      });
  const result = record?.models.find((m) => m.name === model.name);
  const id = modelNodeId(model.name);
  return {
    id,
    name: model.name,
    layer: model.layer,
    materialized: model.header.materialized,
    description: model.header.description,
    grain: model.header.grain ?? [],
    tags: model.header.tags,
    unique_key: model.header.unique_key ?? [],
    file: model.file,
    columns,
    sql: model.text,
    compiled_sql: compileModelSql(model),
    depends_on: [
      ...[...new Set([...model.sources, ...model.histories])].sort().map(sourceNodeId),
      ...[...model.refs].sort().map(modelNodeId),
    ],
    used_by: usedBy(id),
    build: result ? { status: result.status, rows: result.rows, seconds: result.seconds } : undefined,
  };
}

/**
 * Every test of the project with its last result: from the build shown, or else from the
 * newest earlier build that ran it (a --select build runs only some tests). Results of tests
 * the project no longer declares (such as the automatic rows_not_vanished) are kept too.
 */
function testsOf(project: Project, records: BuildRecord[], record: BuildRecord | undefined): DocsTest[] {
  const history = record ? records.filter((r) => r.build_id <= record.build_id).reverse() : [];
  const lastResult = (model: string, name: string): (TestResult & { build_id: string }) | undefined => {
    for (const build of history) {
      const found = build.tests.find((test) => test.model === model && test.name === name);
      if (found) return { ...found, build_id: build.build_id };
    }
    return undefined;
  };
  const declared: Omit<DocsTest, 'status' | 'failing_rows' | 'sample'>[] = [
    ...project.models.flatMap((model) =>
      model.tests.map((test) => ({
        name: test.name,
        model: model.name,
        kind: test.kind,
        severity: test.severity,
      })),
    ),
    ...project.singularTests.map((test) => ({
      name: test.name,
      model: test.refs.join(', '),
      kind: 'singular',
      severity: test.header.severity,
      description: test.header.description,
    })),
  ];
  const tests: DocsTest[] = declared.map((test) => {
    const result = lastResult(test.model, test.name);
    return result
      ? {
          ...test,
          status: result.status,
          failing_rows: result.failing_rows,
          sample: result.sample,
          message: result.message,
          build_id: result.build_id,
        }
      : { ...test, status: 'not_run', failing_rows: null, sample: [] };
  });
  for (const result of record?.tests ?? [])
    if (!tests.some((test) => test.model === result.model && test.name === result.name))
      tests.push({
        name: result.name,
        model: result.model,
        kind: result.kind,
        severity: result.severity,
        status: result.status,
        failing_rows: result.failing_rows,
        sample: result.sample,
        message: result.message,
        build_id: record!.build_id,
      });
  return tests;
}

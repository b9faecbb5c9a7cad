/**
 * The relations a model reads, as views: raw entities as of a load (`raw`), every snapshot of
 * an entity up to a load (`raw_history`), and a built model over its Parquet parts (or its
 * view SQL). Shared by the build (for models it reads from an earlier build) and by readers.
 */
import { ident, sqlList, sqlString } from '../lake/duckdb.js';
import type { LakeLayout } from '../lake/layout.js';
import {
  type BuildManifest,
  type BuildModel,
  type BuildPart,
  listManifestIds,
  type RawManifest,
  readManifest,
} from '../lake/manifest.js';
import { entityStateSql } from '../lake/views.js';
import { HISTORY_SCHEMA, RAW_SCHEMA } from './compile.js';

export type Run = (sql: string) => Promise<unknown>;

/** Views `schema.<entity>` for every entity of `manifest` with data; returns their names. */
export async function createRawViews(
  run: Run,
  layout: LakeLayout,
  manifest: RawManifest,
  schema = RAW_SCHEMA,
): Promise<string[]> {
  await run(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
  const names: string[] = [];
  for (const [name, entity] of Object.entries(manifest.entities)) {
    const sql = entityStateSql(layout, entity);
    if (!sql) continue;
    await run(`CREATE OR REPLACE VIEW ${ident(schema)}.${ident(name)} AS ${sql}`);
    names.push(name);
  }
  return names;
}

/**
 * `raw_history.<entity>`: the rows of every load of the entity up to `manifest` (a snapshot
 * entity: each snapshot it was sent as), with `_load_id` and `_loaded_at` = the load's commit time.
 */
export async function createHistoryViews(
  run: Run,
  layout: LakeLayout,
  manifest: RawManifest,
  entities?: readonly string[],
): Promise<void> {
  await run(`CREATE SCHEMA IF NOT EXISTS ${ident(HISTORY_SCHEMA)}`);
  const ids = (await listManifestIds(layout)).filter((id) => id <= manifest.id);
  const manifests = await Promise.all(ids.map((id) => readManifest(layout, { asOf: id })));
  const committedAt = new Map(manifests.map((m) => [m!.id, m!.committedAt]));
  for (const [name, entity] of Object.entries(manifest.entities)) {
    if (entities && !entities.includes(name)) continue;
    // Each partition once, from whichever manifest first named it (a snapshot partition is
    // carried by later manifests until the entity is sent again).
    const partitions = new Map<string, string[]>();
    for (const m of manifests)
      for (const partition of m!.entities[name]?.partitions ?? [])
        if (!partitions.has(partition.loadId)) partitions.set(partition.loadId, partition.files);
    const files = [...partitions.values()].flat().map((file) => layout.absolute(file));
    if (files.length === 0) continue;
    const loads = [...partitions.keys()]
      .map(
        (id) => `(${sqlString(id)}, ${sqlString(committedAt.get(id) ?? manifest.committedAt)}::TIMESTAMPTZ)`,
      )
      .join(', ');
    const columns = entity.columns.map((column) => `h.${ident(column)}`).join(', ');
    await run(`CREATE OR REPLACE VIEW ${ident(HISTORY_SCHEMA)}.${ident(name)} AS
      SELECT ${columns}, h._load_id, l._loaded_at
      FROM read_parquet(${sqlList(files)}, union_by_name = true) h
      JOIN (VALUES ${loads}) l(_load_id, _loaded_at) ON h._load_id = l._load_id`);
  }
}

/** A scan of a model's part files (lake-relative). */
export function partScan(layout: LakeLayout, files: string[]): string {
  // No hive partitioning: the `build=<id>` folder must not become a column of the model.
  return `read_parquet(${sqlList(files.map((file) => layout.absolute(file)))}, union_by_name = true, hive_partitioning = false)`;
}

/** SQL reading a built model: its Parquet parts (incremental parts upsert by key, latest build wins), or its view SQL. */
export function modelStateSql(layout: LakeLayout, model: BuildModel): string {
  if (model.materialized === 'view') return model.sql!;
  const parts = model.parts.filter((part) => part.files.length > 0 || part.replacedRanges);
  const withRows = parts.filter((part) => part.files.length > 0);
  if (withRows.length === 0) {
    // No rows were ever built; keep the columns so queries still bind.
    const columns = model.columns.map((column) => `NULL AS ${ident(column)}`).join(', ');
    return `SELECT ${columns || 'NULL AS _empty'} WHERE false`;
  }
  const scan = (files: string[]) => partScan(layout, files);
  if (parts.length === 1) return `SELECT * FROM ${scan(parts[0]!.files)}`;
  // Upsert by key, latest part wins: each part keeps the rows whose key no later part has and
  // that no later part's replaced ranges cover. Anti joins against the (small) later parts,
  // not a window over every row; a later part known to replace nothing takes nothing out.
  const keys = model.uniqueKey.map(ident);
  const on = keys.map((key) => `t.${key} = l.${key}`).join(' AND ');
  const selects = withRows.map((part) => {
    const later = parts.slice(parts.indexOf(part) + 1).filter((p) => p.replaces !== 0);
    let sql = `SELECT t.* FROM ${scan(part.files)} t`;
    const keyed = later.filter((p) => p.files.length > 0);
    if (keyed.length > 0)
      sql += ` ANTI JOIN (SELECT ${keys.join(', ')} FROM ${scan(keyed.flatMap((p) => p.files))}) l ON ${on}`;
    for (const [index, ranges] of rangeGroups(later).entries())
      sql += ` ${rangeJoin(layout, ranges, `r${index}`)}`;
    return sql;
  });
  return selects.reverse().join(' UNION ALL BY NAME ');
}

type Ranges = NonNullable<BuildPart['replacedRanges']>;

/** Later parts' replaced ranges, grouped by their columns (a model's `replaces` may change). */
function rangeGroups(later: BuildPart[]): { columns: string[]; files: string[] }[] {
  const groups = new Map<string, { columns: string[]; files: string[] }>();
  for (const ranges of later.flatMap((p) => (p.replacedRanges ? [p.replacedRanges] : []))) {
    const key = ranges.columns.join('\0');
    const group = groups.get(key) ?? { columns: ranges.columns, files: [] };
    group.files.push(ranges.file);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** A join to replaced ranges: rows equal to a range on all its columns but the last, and at or after it on the last (ANTI: all other rows). */
export function rangeJoin(
  layout: LakeLayout,
  ranges: Pick<Ranges, 'columns'> & { files: string[] },
  alias: string,
  kind: 'ANTI' | 'SEMI' = 'ANTI',
): string {
  const columns = ranges.columns.map(ident);
  const last = columns.length - 1;
  const on = columns.map((column, index) => `t.${column} ${index === last ? '>=' : '='} ${alias}.${column}`);
  return `${kind} JOIN ${partScan(layout, ranges.files)} ${alias} ON ${on.join(' AND ')}`;
}

/**
 * Views for the models of `build` (all, or `only` these and what they read) in `schema`
 * (default main), plus the `raw` and `raw_history` schemas its view models read, as of the
 * build's load. When `rawInMain` is that same load's manifest, `raw` just points at main's views.
 */
export async function attachBuildViews(
  run: Run,
  layout: LakeLayout,
  build: BuildManifest,
  options: { schema?: string; only?: readonly string[]; rawInMain?: RawManifest } = {},
): Promise<string[]> {
  const wanted = options.only ? withUpstream(build, options.only) : undefined;
  const models = build.order
    .filter((name) => !wanted || wanted.has(name))
    .map((name) => [name, build.models[name]!] as const);
  const views = models.filter(([, model]) => model.materialized === 'view');
  if (views.length > 0) {
    const raw =
      options.rawInMain?.id === build.loadId
        ? options.rawInMain
        : await readManifest(layout, { asOf: build.loadId });
    if (raw === options.rawInMain && raw) {
      await run(`CREATE SCHEMA IF NOT EXISTS ${ident(RAW_SCHEMA)}`);
      for (const name of Object.keys(raw.entities))
        if (raw.entities[name]!.partitions.some((partition) => partition.files.length > 0))
          await run(
            `CREATE OR REPLACE VIEW ${ident(RAW_SCHEMA)}.${ident(name)} AS SELECT * FROM main.${ident(name)}`,
          );
    } else if (raw) {
      await createRawViews(run, layout, raw);
    }
    if (raw && views.some(([, model]) => model.usesHistory)) await createHistoryViews(run, layout, raw);
  }
  const schema = options.schema ?? 'main';
  for (const [name, model] of models)
    await run(`CREATE OR REPLACE VIEW ${ident(schema)}.${ident(name)} AS ${modelStateSql(layout, model)}`);
  return models.map(([name]) => name);
}

/** `names` and every model they read, transitively (unknown names are ignored). */
function withUpstream(build: BuildManifest, names: readonly string[]): Set<string> {
  const wanted = new Set<string>();
  const stack = names.filter((name) => build.models[name]);
  while (stack.length) {
    const name = stack.pop()!;
    if (wanted.has(name)) continue;
    wanted.add(name);
    // A table reads its own files; only a view needs what it was built from.
    if (build.models[name]!.materialized === 'view') stack.push(...build.models[name]!.dependsOn);
  }
  return wanted;
}

/**
 * Reader views: one view per entity, named after it, over the Parquet files of the manifest
 * in force (current, or `asOf` a load). Append entities upsert by key: a key re-sent by a
 * later load supersedes the earlier row. Readers only ever open immutable files named by
 * a committed manifest, so a load running in another process is invisible until it commits.
 */
import { type DuckSession, ident, sqlList } from './duckdb.js';
import type { LakeLayout } from './layout.js';
import { type ManifestEntity, type RawManifest, readManifest } from './manifest.js';

/** SQL for an entity's current rows; `null` when it has no data. Lineage column `_load_id` included. */
export function entityStateSql(layout: LakeLayout, entity: ManifestEntity): string | null {
  const files = entity.partitions.flatMap((partition) =>
    partition.files.map((file) => layout.absolute(file)),
  );
  if (files.length === 0) return null;
  const select = [...entity.columns.map(ident), '_load_id'].join(', ');
  const scan = `read_parquet(${sqlList(files)}, union_by_name = true)`;
  // Later partitions that only added rows (no key re-stated) leave nothing to supersede.
  const onlyAdded = entity.partitions.slice(1).every((partition) => partition.replaces === 0);
  if (entity.kind === 'snapshot' || entity.partitions.length === 1 || onlyAdded)
    return `SELECT ${select} FROM ${scan}`;
  const key = entity.key.map(ident).join(', ');
  return `SELECT ${select} FROM ${scan} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _load_id DESC) = 1`;
}

export interface AttachedViews {
  manifest: RawManifest | undefined;
  entities: string[];
}

/**
 * Creates a view per entity in `schema` (default main), exposing its declared columns and
 * `_load_id`; entities the lake has never loaded get no view.
 */
export async function attachRawViews(
  db: DuckSession,
  layout: LakeLayout,
  options: { asOf?: string; schema?: string } = {},
): Promise<AttachedViews> {
  const manifest = await readManifest(layout, { asOf: options.asOf });
  const schema = options.schema ?? 'main';
  if (schema !== 'main') await db.run(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
  const entities: string[] = [];
  for (const [name, entity] of Object.entries(manifest?.entities ?? {})) {
    const sql = entityStateSql(layout, entity);
    if (!sql) continue;
    await db.run(`CREATE OR REPLACE VIEW ${ident(schema)}.${ident(name)} AS ${sql}`);
    entities.push(name);
  }
  return { manifest, entities };
}

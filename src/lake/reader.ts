/**
 * A read-only view of a lake: a DuckDB session with one view per raw entity and one per model
 * of the warehouse build in force, current or as of a load or a build.
 */
import { StatementType } from '@duckdb/node-api';
import { attachBuildViews } from '../models/relations.js';
import { LatheError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';
import { DuckSession, jsonRows } from './duckdb.js';
import { LakeLayout } from './layout.js';
import {
  type BuildManifest,
  listManifestIds,
  type RawManifest,
  readBuildManifest,
  readCurrentBuild,
} from './manifest.js';
import { attachRawViews } from './views.js';

export interface LakeReader {
  db: DuckSession;
  layout: LakeLayout;
  manifest: RawManifest | undefined;
  entities: string[];
  /** The warehouse build whose models are visible (undefined: no build yet, or none as of then). */
  build: BuildManifest | undefined;
  models: string[];
  close(): void;
}

/**
 * `asOf` may be a load id (raw as of that load, and the latest build that read a load up to
 * it) or a build id (that build's models, and raw as of the load it read).
 */
export async function openLakeReader(
  lake: string,
  options: {
    asOf?: string;
    /** Only these models (and the models a view among them reads): a faster open for a known query. */
    models?: readonly string[];
  } = {},
): Promise<LakeReader> {
  const layout = new LakeLayout(lake);
  const { build, rawAsOf } = await buildInForce(layout, options.asOf);
  const db = await DuckSession.open();
  try {
    const { manifest, entities } = await attachRawViews(db, layout, { asOf: rawAsOf });
    const models = build
      ? await attachBuildViews((sql) => db.run(sql), layout, build, {
          only: options.models,
          rawInMain: manifest,
        })
      : [];
    return { db, layout, manifest, entities, build, models, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}

async function buildInForce(
  layout: LakeLayout,
  asOf: string | undefined,
): Promise<{ build: BuildManifest | undefined; rawAsOf: string | undefined }> {
  if (!asOf) return { build: await readCurrentBuild(layout), rawAsOf: undefined };
  const named = /^[\w.-]+$/.test(asOf) ? await readBuildManifest(layout, asOf) : undefined;
  if (named) return { build: named, rawAsOf: named.loadId };
  // A load: the latest published build that read it or an earlier load.
  const ids = await listManifestIds(layout, 'build');
  for (let i = ids.length - 1; i >= 0; i--) {
    const build = await readBuildManifest(layout, ids[i]!);
    if (build && build.loadId <= asOf) return { build, rawAsOf: asOf };
  }
  return { build: undefined, rawAsOf: asOf };
}

const WRITE_KEYWORD =
  /^\s*(insert|update|delete|merge|create|drop|alter|copy|attach|detach|install|load|export|import|set|reset|pragma|call|vacuum|checkpoint|truncate|begin|commit|rollback|use)\b/i;

function notReadOnly(): LatheError {
  return new LatheError('query_not_read_only', 'lathe query only reads: the statement is not a SELECT', {
    fix: 'write a SELECT (or WITH … SELECT); the lake changes only through lathe ingest and lathe build',
    exitCode: 2,
  });
}

const READ_ONLY = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/** Runs one read-only statement (SELECT, WITH … SELECT, EXPLAIN); anything else is refused. */
export async function runReadOnlyQuery(
  reader: LakeReader,
  sql: string,
): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  // Refused before DuckDB sees it: a write may fail to bind (e.g. a view cannot be deleted
  // from), and the user should hear that the command only reads, not a binder error.
  if (WRITE_KEYWORD.test(sql)) throw notReadOnly();
  let extracted: Awaited<ReturnType<typeof reader.db.connection.extractStatements>>;
  try {
    extracted = await reader.db.connection.extractStatements(sql);
  } catch (error) {
    throw queryError(reader, error);
  }
  if (extracted.count !== 1) {
    throw new LatheError(
      'query_not_single',
      `the query has ${extracted.count} statements; lathe query runs exactly one`,
      { fix: 'run one SELECT at a time', exitCode: 2 },
    );
  }
  let prepared: Awaited<ReturnType<typeof extracted.prepare>>;
  try {
    prepared = await extracted.prepare(0);
  } catch (error) {
    throw queryError(reader, error);
  }
  if (!READ_ONLY.has(prepared.statementType)) throw notReadOnly();
  try {
    const result = await prepared.runAndReadAll();
    return { columns: result.columnNames(), rows: jsonRows(result) };
  } catch (error) {
    throw queryError(reader, error);
  }
}

function queryError(reader: LakeReader, error: unknown): LatheError {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const missing = /Table with name (\w+) does not exist/.exec(message);
  const tables = [...reader.entities, ...reader.models];
  const known = tables.length ? tables.join(', ') : 'none yet: ingest a drop first';
  if (missing) {
    const suggestion = closestName(missing[1]!, tables);
    return new LatheError(
      'unknown_table',
      `unknown table \`${missing[1]}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
      {
        fix: `query one of the tables this lake has: ${known}`,
        exitCode: 2,
      },
    );
  }
  return new LatheError('query_failed', `the query failed: ${message}`, {
    fix: `check the SQL (DuckDB dialect); tables: ${known}`,
    exitCode: 2,
  });
}

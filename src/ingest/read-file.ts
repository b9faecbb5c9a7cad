/**
 * Reads one drop file into the entity's stage table as text, exactly as written: every
 * declared column as VARCHAR (typing is validation's job, so a bad value becomes a reason,
 * not a crash), undeclared columns kept for the raw layer, plus the file id and the record
 * number. Rows the CSV reader cannot split into fields become `malformed` rejects.
 */
import type { EntityDeclaration } from '../contract/declaration.js';
import { type DuckSession, ident, sqlString } from '../lake/duckdb.js';
import { LatheError } from '../util/errors.js';
import type { DropFile } from './discover.js';

export interface FileRead {
  /** Declared column name -> the file's own column name (names match case-insensitively). */
  columnMap: Map<string, string>;
  /** The file's undeclared columns, kept in raw. */
  extraColumns: string[];
  /** Records rejected by the reader (wrong field count, bad encoding): counted as read and quarantined. */
  rejects: MalformedRecord[];
}

export interface MalformedRecord {
  /** 1-based record number among all records of the file. */
  record: number;
  text: string;
  message: string;
}

function fileError(file: DropFile, message: string, fix: string, line?: number, field?: string): LatheError {
  return new LatheError('file_unreadable', message, { location: { file: file.name, line, field }, fix });
}

/** The table function that scans a file as text. */
function scanSql(file: DropFile, entity: EntityDeclaration, rejectsTable: string): string {
  const p = sqlString(file.path);
  switch (file.format) {
    case 'csv': {
      const { delimiter, header } = entity.csv;
      return `read_csv(${p}, all_varchar = true, header = ${header}, delim = ${sqlString(delimiter)}, quote = '"', escape = '"', auto_detect = ${header}, sample_size = 1, store_rejects = true, rejects_table = ${sqlString(rejectsTable)}, rejects_scan = ${sqlString(`${rejectsTable}_scan`)}, null_padding = false, strict_mode = true)`;
    }
    case 'ndjson':
      // One line per record, parsed by validation, so one bad line is one quarantined row.
      return `read_csv(${p}, columns = {'_json': 'VARCHAR'}, header = false, delim = chr(0), quote = '', escape = '', auto_detect = false)`;
    case 'parquet':
      return `read_parquet(${p}, file_row_number = true)`;
  }
}

async function fileColumns(
  db: DuckSession,
  file: DropFile,
  entity: EntityDeclaration,
  source: string,
): Promise<string[]> {
  if (file.format === 'ndjson') {
    const keys = await db.all<{ key: string }>(
      `SELECT DISTINCT unnest(json_keys(_json)) AS key FROM ${source} WHERE json_valid(_json) AND json_type(_json) = 'OBJECT'`,
    );
    return keys.map((row) => row.key).sort();
  }
  if (file.format === 'csv' && !entity.csv.header) {
    return entity.columns.map((column) => column.name);
  }
  const described = await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${source}`);
  return described.map((row) => row.column_name).filter((name) => name !== 'file_row_number');
}

/**
 * Appends the file's rows to `stageTable` (created on the first file). Throws a file-level
 * LatheError (the load fails) when the file cannot be read or lacks a required column.
 */
export async function readFileIntoStage(
  db: DuckSession,
  file: DropFile,
  fileId: number,
  entity: EntityDeclaration,
  stageTable: string,
  firstFile: boolean,
): Promise<FileRead> {
  const rejectsTable = `rejects_${fileId}`;
  let scan = scanSql(file, entity, rejectsTable);
  if (file.format === 'csv' && !entity.csv.header) {
    // Headerless files (e.g. C-MAPSS) name their columns by position, as declared.
    const columns = entity.columns.map((column) => `${sqlString(column.name)}: 'VARCHAR'`).join(', ');
    scan = scan.replace('auto_detect = false', `auto_detect = false, columns = {${columns}}`);
    if (entity.csv.collapseDelimiters) scan = collapsedScan(file, entity);
  }
  // NDJSON lines are materialized once (their keys are needed before the columns are known);
  // CSV and Parquet are scanned straight into the stage table: the read is the expensive part.
  let source = scan;
  if (file.format === 'ndjson') {
    source = `raw_file_${fileId}`;
    await guardRead(file, () => db.run(`CREATE OR REPLACE TEMP TABLE ${source} AS SELECT * FROM ${scan}`));
  }
  const available = await guardRead(file, () => fileColumns(db, file, entity, source));
  const byLower = new Map<string, string>();
  for (const name of available) if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);

  const columnMap = new Map<string, string>();
  const missing: string[] = [];
  for (const column of entity.columns) {
    const found = byLower.get(column.name);
    if (found !== undefined) columnMap.set(column.name, found);
    else if (!column.nullable && column.default === undefined) missing.push(column.name);
  }
  if (missing.length > 0) {
    const near = available.slice(0, 12).join(', ');
    throw new LatheError(
      'missing_column',
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `\`${m}\``).join(', ')}`,
      {
        location: { file: file.name, line: file.format === 'csv' ? 1 : undefined, field: missing[0] },
        fix: `add the column${missing.length > 1 ? 's' : ''} to the header (columns found: ${near || 'none'}); names are case-insensitive`,
      },
    );
  }
  const declared = new Set(entity.columns.map((column) => column.name));
  const extraColumns =
    file.format === 'ndjson'
      ? []
      : available.filter((name) => !declared.has(name.toLowerCase()) && name !== 'file_row_number');

  const value = (expression: string) => `CAST(${expression} AS VARCHAR)`;
  const columnExpression = (name: string): string => {
    const found = columnMap.get(name);
    if (found === undefined) return 'CAST(NULL AS VARCHAR)';
    return file.format === 'ndjson' ? `(_json ->> ${sqlString(`$."${found}"`)})` : value(ident(found));
  };
  const recordExpression = file.format === 'parquet' ? 'file_row_number + 1' : 'row_number() OVER ()';
  const selectList = [
    `${fileId} AS _file_id`,
    `${recordExpression} AS _record`,
    file.format === 'ndjson'
      ? `CASE WHEN json_valid(_json) AND json_type(_json) = 'OBJECT' THEN NULL WHEN trim(_json) = '' THEN 'empty line' ELSE 'not a JSON object' END AS _json_error`
      : 'CAST(NULL AS VARCHAR) AS _json_error',
    ...entity.columns.map((column) => `${columnExpression(column.name)} AS ${ident(column.name)}`),
    // Undeclared columns travel as one JSON object so files with different extras share a stage table.
    extraColumns.length > 0
      ? `json_object(${extraColumns.map((name) => `${sqlString(name)}, ${value(ident(name))}`).join(', ')}) AS _extra`
      : file.format === 'ndjson'
        ? `CASE WHEN json_valid(_json) THEN json_merge_patch(_json, json_object(${entity.columns.map((c) => `${sqlString(c.name)}, NULL`).join(', ')})) END AS _extra`
        : 'CAST(NULL AS JSON) AS _extra',
  ].join(',\n  ');
  const create = firstFile ? `CREATE OR REPLACE TEMP TABLE ${stageTable} AS` : `INSERT INTO ${stageTable}`;
  await guardRead(file, () => db.run(`${create} SELECT ${selectList} FROM ${source}`));
  if (source !== scan) await db.run(`DROP TABLE ${source}`);

  let rejects: MalformedRecord[] = [];
  if (file.format === 'csv') {
    rejects = await readRejects(db, rejectsTable, entity.csv.header);
  }
  return { columnMap, extraColumns, rejects };
}

/** Space-aligned files (C-MAPSS): split each line on runs of whitespace ourselves. */
function collapsedScan(file: DropFile, entity: EntityDeclaration): string {
  const parts = entity.columns
    .map((column, index) => `nullif(list_extract(_fields, ${index + 1}), '') AS ${ident(column.name)}`)
    .join(', ');
  return `(SELECT ${parts} FROM (SELECT string_split_regex(trim(_line), '\\s+') AS _fields FROM read_csv(${sqlString(file.path)}, columns = {'_line': 'VARCHAR'}, header = false, delim = chr(0), quote = '', escape = '', auto_detect = false) WHERE trim(_line) <> ''))`;
}

async function readRejects(
  db: DuckSession,
  rejectsTable: string,
  header: boolean,
): Promise<MalformedRecord[]> {
  const exists = await db.scalar<bigint>(
    `SELECT count(*) FROM duckdb_tables() WHERE table_name = ${sqlString(rejectsTable)}`,
  );
  if (!exists) return [];
  const rows = await db.all<{ line: bigint; csv_line: string; error_message: string; error_type: string }>(
    `SELECT line, any_value(csv_line) AS csv_line, string_agg(error_message, '; ') AS error_message, any_value(error_type) AS error_type
     FROM ${rejectsTable} GROUP BY line ORDER BY line`,
  );
  await db.run(`DROP TABLE IF EXISTS ${rejectsTable}; DROP TABLE IF EXISTS ${rejectsTable}_scan`);
  // DuckDB numbers records from 1 counting the header as record 1.
  return rows.map((row) => ({
    record: Number(row.line) - (header ? 1 : 0),
    text: row.csv_line,
    message: malformedMessage(row.error_type, row.error_message),
  }));
}

function malformedMessage(type: string, message: string): string {
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (counts) return `the row has ${counts[2]} fields, the header has ${counts[1]}`;
  if (/UNICODE/i.test(type)) return 'the row is not valid UTF-8';
  return message.split('\n')[0] ?? message;
}

async function guardRead<T>(file: DropFile, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw describeReadFailure(file, error);
  }
}

function describeReadFailure(file: DropFile, error: unknown): LatheError {
  const text = error instanceof Error ? error.message : String(error);
  const line = /(?:Line|line):? ?(\d+)/.exec(text);
  const lineNumber = line ? Number(line[1]) : undefined;
  if (file.format === 'parquet') {
    return fileError(
      file,
      `not a readable Parquet file (${text.split('\n')[0]})`,
      'export the file again as Parquet, or give it the extension of its real format (.csv, .ndjson)',
      lineNumber,
    );
  }
  if (/No such file|Permission denied|Cannot open/i.test(text)) {
    return fileError(
      file,
      `cannot open the file (${text.split('\n')[0]})`,
      'check that the file exists and is readable',
    );
  }
  return fileError(
    file,
    `cannot be read as ${file.format.toUpperCase()} (${text.split('\n')[0]})`,
    file.format === 'csv'
      ? 'export it as UTF-8 CSV with a header row, comma separators and "double quotes" around fields with commas or line breaks'
      : 'write one JSON object per line',
    lineNumber,
  );
}

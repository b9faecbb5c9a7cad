/**
 * How one drop file is scanned: as text, exactly as written. Every declared column comes
 * out as VARCHAR (typing is validation's job, so a bad value becomes a reason, not a
 * crash), undeclared columns travel along as JSON for the raw layer. Nothing is
 * materialized here except NDJSON lines: validation reads the scan once, in one pass.
 * Records the CSV reader cannot split into fields are collected as `malformed` rejects.
 */
import type { EntityDeclaration } from '../contract/declaration.js';
import { type DuckSession, ident, sqlString } from '../lake/duckdb.js';
import { LatheError } from '../util/errors.js';
import type { DropFile } from './discover.js';

export interface FileScan {
  file: DropFile;
  fileId: number;
  /**
   * A SELECT yielding `_format_error` (why the record has no fields, or NULL), `_extra`
   * (undeclared columns as JSON), `_line` (the physical line where the scan knows it, else
   * NULL) and one VARCHAR column per declared column, in file order, so that a table
   * filled from it numbers rows in record order.
   */
  select: string;
  /** Whether the scan can yield `_extra`, `_format_error` and `_line` values (else they are always NULL). */
  yields: { extra: boolean; formatError: boolean; line: boolean };
  /** Runs work that reads the file, turning a reader failure into a file-level error. */
  guard<T>(work: () => Promise<T>): Promise<T>;
  /** Records the reader rejected (wrong field count, bad encoding); read once the scan has run. */
  rejects(): Promise<MalformedRecord[]>;
  /** Drops what the scan created. */
  dispose(): Promise<void>;
}

export interface MalformedRecord {
  /** 1-based record number among all records of the file. */
  record: number;
  text: string;
  message: string;
}

/** Prepares the scan of one file. Throws a file-level LatheError (the load fails) when it cannot be read or lacks a required column. */
export async function prepareFileScan(
  db: DuckSession,
  file: DropFile,
  fileId: number,
  entity: EntityDeclaration,
): Promise<FileScan> {
  const rejectsTable = `rejects_${fileId}_${entity.name}`;
  let source = tableFunction(file, entity, rejectsTable);
  let materialized: string | undefined;
  if (file.format === 'ndjson') {
    // The keys of JSON lines are known only after reading them; read the lines once.
    materialized = `ndjson_lines_${fileId}_${entity.name}`;
    await guardRead(file, () =>
      db.run(`CREATE OR REPLACE TEMP TABLE ${materialized} AS SELECT * FROM ${source}`),
    );
    source = materialized;
  }
  const available = await guardRead(file, () => fileColumns(db, file, entity, source));
  const columnMap = mapColumns(file, entity, available);
  const declared = new Set(entity.columns.map((column) => (column.from ?? column.name).toLowerCase()));
  const extraColumns = available.filter((name) => !declared.has(name.toLowerCase()));

  const asText = (expression: string) => `CAST(${expression} AS VARCHAR)`;
  const jsonKey = (key: string) => `_json ->> ${sqlString(`$."${key.replaceAll('"', '\\"')}"`)}`;
  const extraValue = (name: string) =>
    file.format === 'ndjson' ? `CASE WHEN json_valid(_json) THEN ${jsonKey(name)} END` : asText(ident(name));
  const columnExpression = (name: string): string => {
    const found = columnMap.get(name);
    if (found === undefined) return 'CAST(NULL AS VARCHAR)';
    if (file.format !== 'ndjson') return asText(ident(found));
    // JSON lines may spell a key differently line by line: take whichever spelling the line has.
    const spellings = available.filter((key) => key.toLowerCase() === found.toLowerCase());
    const lookups = spellings.map(jsonKey);
    return `CASE WHEN json_valid(_json) THEN coalesce(${lookups.join(', ')}) END`;
  };
  const formatError =
    file.format === 'ndjson'
      ? `CASE WHEN json_valid(_json) AND json_type(_json) = 'OBJECT' THEN NULL ELSE 'the line is not a JSON object' END`
      : entity.csv.collapseDelimiters
        ? '_format_error'
        : 'CAST(NULL AS VARCHAR)';
  const line =
    file.format === 'ndjson'
      ? 'rowid + 1'
      : file.format === 'parquet'
        ? 'file_row_number + 1'
        : entity.csv.collapseDelimiters
          ? '_line'
          : 'CAST(NULL AS BIGINT)';
  // Undeclared columns travel as one JSON object so files with different extras share a table.
  const extra =
    extraColumns.length > 0
      ? `json_object(${extraColumns.map((name) => `${sqlString(name)}, ${extraValue(name)}`).join(', ')})`
      : 'CAST(NULL AS JSON)';
  // Blank lines of JSON-lines files are not records (as in CSV); `_line` still counts them.
  const skipBlank = file.format === 'ndjson' ? ` WHERE trim(coalesce(_json, '')) <> ''` : '';
  const select = `SELECT ${formatError} AS _format_error, ${extra} AS _extra, ${line} AS _line, ${entity.columns
    .map((column) => `${columnExpression(column.name)} AS ${ident(column.name)}`)
    .join(', ')} FROM ${source}${skipBlank}`;

  return {
    file,
    fileId,
    select,
    yields: {
      extra: extraColumns.length > 0,
      formatError: file.format === 'ndjson' || entity.csv.collapseDelimiters,
      line: file.format !== 'csv' || entity.csv.collapseDelimiters,
    },
    guard: (work) => guardRead(file, work),
    rejects: () =>
      file.format === 'csv' && !entity.csv.collapseDelimiters
        ? readRejects(db, rejectsTable, entity.csv.header)
        : Promise.resolve([]),
    dispose: async () => {
      if (materialized) await db.run(`DROP TABLE IF EXISTS ${materialized}`);
      await db.run(`DROP TABLE IF EXISTS ${rejectsTable}; DROP TABLE IF EXISTS ${rejectsTable}_scan`);
    },
  };
}

/** Runs `work` (which reads the file) turning a reader failure into a file-level error. */
export async function guardRead<T>(file: DropFile, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw describeReadFailure(file, error);
  }
}

/** The table function that scans a file as text. */
function tableFunction(file: DropFile, entity: EntityDeclaration, rejectsTable: string): string {
  const p = sqlString(file.path);
  const lines = `read_csv(${p}, columns = {'_json': 'VARCHAR'}, header = false, delim = chr(0), quote = '', escape = '', auto_detect = false)`;
  switch (file.format) {
    case 'ndjson':
      // One line per record, parsed by validation, so one bad line is one quarantined row.
      return lines;
    case 'parquet':
      return `read_parquet(${p}, file_row_number = true)`;
    case 'csv': {
      const { delimiter, header, collapseDelimiters } = entity.csv;
      if (collapseDelimiters) return collapsedScan(file, entity);
      const common = `all_varchar = true, delim = ${sqlString(delimiter)}, quote = '"', escape = '"', strict_mode = true, store_rejects = true, rejects_table = ${sqlString(rejectsTable)}, rejects_scan = ${sqlString(`${rejectsTable}_scan`)}`;
      if (header) return `read_csv(${p}, header = true, ${common})`;
      // Headerless files name their columns by position, as declared.
      const columns = entity.columns.map((column) => `${sqlString(column.name)}: 'VARCHAR'`).join(', ');
      return `read_csv(${p}, header = false, auto_detect = false, columns = {${columns}}, ${common})`;
    }
  }
}

/**
 * Space-aligned text (C-MAPSS): split each line on runs of white space. Blank lines are not
 * records, but lines are numbered before they are skipped, so messages name the real line.
 * A line with more or fewer fields than declared is malformed. A `record_number` column
 * takes the record's number (C-MAPSS RUL files identify the engine by its line).
 */
function collapsedScan(file: DropFile, entity: EntityDeclaration): string {
  const positional = entity.columns.filter((column) => !column.recordNumber);
  const fields = entity.columns
    .map((column) =>
      column.recordNumber
        ? `CAST(_record AS VARCHAR) AS ${ident(column.name)}`
        : `nullif(_fields[${positional.indexOf(column) + 1}], '') AS ${ident(column.name)}`,
    )
    .join(', ');
  const lines = `read_csv(${sqlString(file.path)}, columns = {'_text': 'VARCHAR'}, header = false, delim = chr(0), quote = '', escape = '', auto_detect = false)`;
  return `(SELECT _line, CASE WHEN len(_fields) <> ${positional.length} THEN 'the line has ' || len(_fields) || ' fields, the declaration has ${positional.length}' END AS _format_error, ${fields}
    FROM (SELECT _line, row_number() OVER (ORDER BY _line) AS _record, string_split_regex(trim(_text), '\\s+') AS _fields
          FROM (SELECT row_number() OVER () AS _line, _text FROM ${lines}) WHERE trim(coalesce(_text, '')) <> ''))`;
}

async function fileColumns(
  db: DuckSession,
  file: DropFile,
  entity: EntityDeclaration,
  source: string,
): Promise<string[]> {
  if (file.format === 'ndjson') {
    const keys = await db.all<{ key: string }>(
      `SELECT DISTINCT unnest(json_keys(_json)) AS key FROM ${source} WHERE json_valid(_json) AND json_type(_json) = 'OBJECT' ORDER BY key`,
    );
    return keys.map((row) => row.key);
  }
  if (file.format === 'csv' && !entity.csv.header) return entity.columns.map((column) => column.name);
  const described = await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${source}`);
  return described
    .map((row) => row.column_name)
    .filter((name) => !['file_row_number', '_line', '_format_error'].includes(name));
}

/** Declared column -> the file's own column name (case-insensitive, or as declared with `from`). */
function mapColumns(file: DropFile, entity: EntityDeclaration, available: string[]): Map<string, string> {
  const byLower = new Map<string, string>();
  for (const name of available) if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  const columnMap = new Map<string, string>();
  const missing: string[] = [];
  for (const column of entity.columns) {
    const found = byLower.get((column.from ?? column.name).toLowerCase());
    if (found !== undefined) columnMap.set(column.name, found);
    else if (!column.nullable && column.default === undefined) missing.push(column.from ?? column.name);
  }
  if (missing.length > 0 && !(file.format === 'ndjson' && available.length === 0)) {
    const plural = missing.length > 1 ? 's' : '';
    throw new LatheError(
      'missing_column',
      `missing required column${plural} ${missing.map((m) => `\`${m}\``).join(', ')}`,
      {
        location: { file: file.name, line: file.format === 'csv' ? 1 : undefined, field: missing[0] },
        fix: `add the column${plural} to the header (columns found: ${available.slice(0, 12).join(', ') || 'none'}); names are case-insensitive`,
      },
    );
  }
  return columnMap;
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
  // DuckDB numbers records from 1, counting the header as record 1.
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

function describeReadFailure(file: DropFile, error: unknown): LatheError {
  if (error instanceof LatheError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0];
  const line = /(?:Line|line):? ?(\d+)/.exec(text);
  const lineNumber = line ? Number(line[1]) : undefined;
  const location = { file: file.name, line: lineNumber };
  if (file.format === 'parquet') {
    return new LatheError('file_unreadable', `not a readable Parquet file (${firstLine})`, {
      location,
      fix: 'export the file again as Parquet, or give it the extension of its real format (.csv, .ndjson)',
    });
  }
  if (/No such file|Permission denied|Cannot open/i.test(text)) {
    return new LatheError('file_unreadable', `cannot open the file (${firstLine})`, {
      location,
      fix: 'check that the file exists and is readable',
    });
  }
  return new LatheError('file_unreadable', `cannot be read as ${file.format.toUpperCase()} (${firstLine})`, {
    location,
    fix:
      file.format === 'csv'
        ? 'export it as UTF-8 CSV with a header row, comma separators and "double quotes" around fields with commas or line breaks'
        : 'write one JSON object per line',
  });
}

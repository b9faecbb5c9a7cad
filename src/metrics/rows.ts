/**
 * A KPI query's rows as plain objects, read column by column from DuckDB's result chunks and
 * built once, in their final shape: the columns of the answer in order, computed columns in
 * their place. Values are what DuckSession.json gives (src/lake/duckdb.ts, jsonRows): numbers,
 * strings, booleans, dates as `YYYY-MM-DD`, whole numbers as numbers where a double holds
 * them exactly. Reading a row at a time through JSON objects and copying each into its final
 * shape made an 11 000-row answer (`--by machine,shift`) spend most of its time in the
 * garbage collector.
 */
import {
  type DuckDBDataChunk,
  type DuckDBMaterializedResult,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';

export interface ComputedColumn {
  name: string;
  /** Sees the row with every SQL column filled in. */
  compute: (row: Record<string, unknown>) => unknown;
}

type ColumnReader = (chunk: DuckDBDataChunk, index: number, count: number) => unknown[];

/** How a KPI query writes a figure that is not defined (SQL): read back as null. */
export const MISSING_FIGURE = "'NaN'::double";

/** Doubles as they are, NaN as null (MISSING_FIGURE); ±Infinity as DuckDB's JSON writes it. */
const readDoubles: ColumnReader = (chunk, index, count) => {
  const vector = chunk.getColumnVector(index);
  const values = new Array<unknown>(count);
  for (let row = 0; row < values.length; row++) {
    const value = vector.getItem(row) as number | null;
    values[row] =
      value === null || Number.isFinite(value) ? value : Number.isNaN(value) ? null : String(value);
  }
  return values;
};

/** Strings, booleans and small integers: the value DuckDB gives is already the JSON one. */
const readAsIs: ColumnReader = (chunk, index, count) => {
  const vector = chunk.getColumnVector(index);
  const values = new Array<unknown>(count);
  for (let row = 0; row < values.length; row++) values[row] = vector.getItem(row);
  return values;
};

/** Anything else through the JSON converter (dates, timestamps, lists, …). */
const readJson: ColumnReader = (chunk, index) => chunk.convertColumnValues(index, JsonDuckDBValueConverter);

/**
 * 64/128-bit integers and decimals: JSON writes them as strings to keep every digit; a count or
 * sum a user reads is a number where a double holds it exactly (as jsonRows decides).
 */
const readWholeNumbers: ColumnReader = (chunk, index, count) => {
  const values = readJson(chunk, index, count);
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    if (typeof value !== 'string') continue;
    const number = Number(value);
    if (value.includes('.') || Number.isSafeInteger(number)) values[row] = number;
  }
  return values;
};

const READERS: Partial<Record<DuckDBTypeId, ColumnReader>> = {
  [DuckDBTypeId.DOUBLE]: readDoubles,
  [DuckDBTypeId.FLOAT]: readDoubles,
  [DuckDBTypeId.VARCHAR]: readAsIs,
  [DuckDBTypeId.BOOLEAN]: readAsIs,
  [DuckDBTypeId.TINYINT]: readAsIs,
  [DuckDBTypeId.SMALLINT]: readAsIs,
  [DuckDBTypeId.INTEGER]: readAsIs,
  [DuckDBTypeId.UTINYINT]: readAsIs,
  [DuckDBTypeId.USMALLINT]: readAsIs,
  [DuckDBTypeId.UINTEGER]: readAsIs,
  [DuckDBTypeId.BIGINT]: readWholeNumbers,
  [DuckDBTypeId.UBIGINT]: readWholeNumbers,
  [DuckDBTypeId.HUGEINT]: readWholeNumbers,
  [DuckDBTypeId.UHUGEINT]: readWholeNumbers,
  [DuckDBTypeId.DECIMAL]: readWholeNumbers,
};

type RowMaker = (values: readonly (readonly unknown[])[], row: number) => Record<string, unknown>;

/**
 * A function that makes one row as an object literal: `{"machine_id": values[0][row], …}`.
 * Filling an empty object key by key costs ten times as much (a shape change per key, through
 * V8's generic keyed store), which on 11 000 rows of 12 columns is several milliseconds.
 * The names are only ever JSON string literals in the source and the values are read by
 * index, so no name or value can be read as code.
 */
function rowMaker(columns: readonly string[], sources: readonly number[]): RowMaker {
  const fields = columns.map(
    (name, index) =>
      `${JSON.stringify(name)}: ${sources[index]! < 0 ? 'null' : `values[${sources[index]}][row]`}`,
  );
  return new Function('values', 'row', `return { ${fields.join(', ')} };`) as RowMaker;
}

/**
 * One object per result row with exactly `columns`, in that order: a column of the result,
 * a computed column (filled in after the others), or null.
 */
export function kpiRows(
  result: DuckDBMaterializedResult,
  columns: readonly string[],
  computed: readonly ComputedColumn[],
): Record<string, unknown>[] {
  const names = result.columnNames();
  const readers = names.map((_, index) => READERS[result.columnTypeId(index)] ?? readJson);
  const makeRow = rowMaker(
    columns,
    columns.map((name) => names.indexOf(name)),
  );
  const rows: Record<string, unknown>[] = new Array(result.rowCount);
  let next = 0;
  for (let chunkIndex = 0, chunks = result.chunkCount; chunkIndex < chunks; chunkIndex++) {
    const chunk = result.getChunk(chunkIndex);
    const count = chunk.rowCount; // a call into DuckDB each time it is read
    const values = readers.map((read, index) => read(chunk, index, count));
    for (let row = 0; row < count; row++) {
      const record = makeRow(values, row);
      for (const column of computed) record[column.name] = column.compute(record) ?? null;
      rows[next++] = record;
    }
  }
  rows.length = next;
  return rows;
}

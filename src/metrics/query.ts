/**
 * The roll-up query builder: one SQL query per request. Each part of a KPI sums its
 * components over the normalized source rows at the requested grain (after the filters);
 * the parts are joined on the grain's keys; only then are the formulas applied to the sums.
 * A ratio is never averaged.
 */
import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import type { DuckSession } from '../lake/duckdb.js';
import { ident } from '../lake/duckdb.js';
import { LatheError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';
import { type Dimension, dimension } from './dimensions.js';
import { checkKnownIds } from './known-ids.js';
import {
  exactSum,
  exactValue,
  isSumOverflow,
  type Kpi,
  type KpiColumn,
  type KpiPart,
  widenSums,
} from './kpis.js';
import { type CheckedRequest, checkRequest, type KpiRequest } from './request.js';
import { kpiRows, MISSING_FIGURE } from './rows.js';
import {
  type Attribute,
  LINE_BOUNDS_SQL,
  type SourceName,
  sourceRowKey,
  sourceSql,
  WAREHOUSE_TABLES,
} from './sources.js';

/** Anything with a DuckDB session whose views include the warehouse's models (a LakeReader). */
export interface KpiReader {
  db: DuckSession;
}

export interface KpiResult {
  kpi: string;
  /** The --by columns, then the KPI's own keys (e.g. line_position), then its columns. */
  columns: string[];
  rows: Record<string, unknown>[];
}

export interface CompiledKpi {
  kpi: Kpi;
  sql: string;
  params: string[];
  columns: string[];
  /** The warehouse models the query reads (a reader need attach no others). */
  tables: string[];
  request: CheckedRequest;
}

interface Key {
  column: string;
  sql: string;
}

/** A part after merging parts that read the same rows the same way. */
interface PlannedPart {
  source: SourceName;
  scope: KpiPart['scope'];
  productGrain: boolean;
  attributes: Set<Attribute>;
  components: Map<string, string>;
  calendar: boolean;
}

class Params {
  readonly values: string[] = [];
  add(value: string): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function filterSql(request: CheckedRequest, params: Params): string[] {
  const filters: string[] = [];
  for (const [name, values] of request.where) {
    const dim = dimension(name);
    const cast = dim.value === 'date' ? '::DATE' : '';
    filters.push(`${dim.sql} in (${values.map((value) => `${params.add(value)}${cast}`).join(', ')})`);
  }
  if (request.from) filters.push(`production_date >= ${params.add(request.from)}::DATE`);
  if (request.to) filters.push(`production_date <= ${params.add(request.to)}::DATE`);
  return filters;
}

function planParts(kpi: Kpi, grain: Grain): PlannedPart[] {
  const planned: PlannedPart[] = [];
  for (const part of kpi.parts) {
    if (part.calendar && !grain.calendar) continue;
    const scope = grain.machine ? undefined : part.scope;
    const productGrain = grain.product || Boolean(part.productGrain);
    const same = planned.find(
      (other) =>
        other.source === part.source &&
        other.scope === scope &&
        other.productGrain === productGrain &&
        other.calendar === Boolean(part.calendar),
    );
    const target = same ?? {
      source: part.source,
      scope,
      productGrain,
      attributes: new Set<Attribute>(),
      components: new Map<string, string>(),
      calendar: Boolean(part.calendar),
    };
    for (const attribute of part.attributes ?? []) target.attributes.add(attribute);
    for (const [name, sql] of Object.entries(part.components)) target.components.set(name, sql);
    if (!same) planned.push(target);
  }
  // Calendar parts last: they are left-joined to the rows the others found.
  return planned.sort((a, b) => Number(a.calendar) - Number(b.calendar));
}

interface Grain {
  machine: boolean;
  product: boolean;
  calendar: boolean;
}

function grainOf(request: CheckedRequest): Grain {
  const used: Dimension[] = [...new Set([...request.by, ...request.where.keys()])].map(dimension);
  return {
    machine: used.some((dim) => dim.name === 'machine'),
    product: used.some((dim) => dim.productGrain),
    calendar: !used.some((dim) => dim.noCalendar),
  };
}

function partSql(part: PlannedPart, keys: Key[], filters: string[]): string {
  const options = { productGrain: part.productGrain, attributes: part.attributes };
  // At the fact's own grain (one machine in one shift, …) each group is one row: its values are
  // the sums, and DuckDB builds no hash table (half the query's time at --by machine,shift).
  const rowKey = sourceRowKey(part.source, options);
  const oneRow = rowKey?.every((column) => keys.some((key) => key.sql === column)) ?? false;
  const select = [
    ...keys.map((key) => `${key.sql} as ${ident(key.column)}`),
    oneRow ? '1 as _rows' : 'count(*) as _rows',
    ...[...part.components].map(
      ([name, sql]) => `${oneRow ? exactValue(sql) : exactSum(sql)} as ${ident(name)}`,
    ),
  ];
  let from = `(${sourceSql(part.source, options)}) r`;
  if (part.scope) {
    const position = part.scope === 'line_input' ? 'first_position' : 'last_position';
    // A semi join keeps r's columns only; `exists (…)` here is planned as a dearer delim join.
    from += `\n  semi join line_bounds lb on lb.line_id = r.line_id and lb.${position} = r.line_position`;
  }
  return `select ${select.join(', ')}
  from ${from}${filters.length ? `\n  where ${filters.join('\n    and ')}` : ''}${oneRow ? '' : '\n  group by all'}`;
}

function joinSql(parts: PlannedPart[], keys: Key[]): string {
  const names = parts.map((_, index) => `part_${index}`);
  const keyOf = (column: string, upTo: number) => {
    const refs = names.slice(0, upTo).map((name) => `${name}.${ident(column)}`);
    return refs.length === 1 ? refs[0]! : `coalesce(${refs.join(', ')})`;
  };
  let from = names[0]!;
  parts.forEach((part, index) => {
    if (index === 0) return;
    const kind = part.calendar ? 'left join' : 'full join';
    if (keys.length === 0) {
      from += `\n  cross join ${names[index]}`;
      return;
    }
    // Keys may be null (an order-less product row): null matches null.
    const on = keys
      .map((key) => `${keyOf(key.column, index)} is not distinct from ${names[index]}.${ident(key.column)}`)
      .join(' and ');
    from += `\n  ${kind} ${names[index]} on ${on}`;
  });
  const nonCalendar = names.filter((_, index) => !parts[index]!.calendar);
  const select = [
    ...keys.map((key) => `${keyOf(key.column, nonCalendar.length)} as ${ident(key.column)}`),
    ...parts.flatMap((part, index) =>
      [...part.components.keys()].map((name) =>
        // A part with no rows for a key summed nothing: 0, except calendar time, which is unknown.
        part.calendar
          ? `${names[index]}.${ident(name)}`
          : `coalesce(${names[index]}.${ident(name)}, 0) as ${ident(name)}`,
      ),
    ),
  ];
  const found = nonCalendar.map((name) => `coalesce(${name}._rows, 0)`).join(' + ');
  return `select ${select.join(', ')}\n  from ${from}\n  where ${found} > 0`;
}

/**
 * A figure the formula leaves undefined (a ratio over 0, calendar time below day grain) is
 * written as NaN, which no formula yields otherwise, and read back as null (src/metrics/rows.ts):
 * a column without nulls reaches Node without a validity mask, which the client reads with
 * BigInt arithmetic for every value.
 */
function columnSql(column: KpiColumn, grain: Grain): string {
  const sql = column.calendar && !grain.calendar ? 'null' : (column.sql ?? ident(column.name));
  if (column.display === 'flag' || column.display === 'text') return `${sql} as ${ident(column.name)}`;
  return `coalesce(cast(${sql} as double), ${MISSING_FIGURE}) as ${ident(column.name)}`;
}

/** The SQL and bound parameters of a request, without running it. */
export function compileKpi(input: KpiRequest): CompiledKpi {
  const request = checkRequest(input);
  const { kpi } = request;
  const grain = grainOf(request);
  const params = new Params();
  const filters = filterSql(request, params);

  const keys: Key[] = [];
  const addKey = (key: Key) => {
    if (!keys.some((existing) => existing.column === key.column)) keys.push(key);
  };
  for (const name of request.by) addKey({ column: dimension(name).column, sql: dimension(name).sql });
  for (const column of kpi.implicitKeys ?? []) addKey({ column, sql: column });
  const outputKeys = [...keys];
  if (kpi.perPosition) {
    addKey({ column: 'line_id', sql: 'line_id' });
    addKey({ column: 'line_position', sql: 'line_position' });
  }

  const parts = planParts(kpi, grain);
  const ctes = [`line_bounds as (\n  ${LINE_BOUNDS_SQL}\n)`];
  parts.forEach((part, index) => ctes.push(`part_${index} as (\n  ${partSql(part, keys, filters)}\n)`));
  ctes.push(`joined as (\n  ${joinSql(parts, keys)}\n)`);

  const sqlColumns = kpi.columns.filter((column) => !column.compute);
  const keyList = outputKeys.map((key) => ident(key.column));
  const orderBy = keyList.length ? `\norder by ${keyList.join(', ')}` : '';
  let body: string;
  if (kpi.perPosition) {
    ctes.push(
      `positions as (\n  select *, ${Object.entries(kpi.perPosition)
        .map(([name, sql]) => `${sql} as ${ident(name)}`)
        .join(', ')}\n  from joined\n)`,
    );
    body = `select ${[...keyList, ...sqlColumns.map((column) => columnSql(column, grain))].join(', ')}
from positions left join line_bounds using (line_id)
group by all${orderBy}`;
  } else {
    body = `select ${[...keyList, ...sqlColumns.map((column) => columnSql(column, grain))].join(', ')}
from joined${orderBy}`;
  }
  const columns = [...outputKeys.map((key) => key.column), ...kpi.columns.map((column) => column.name)];
  const sql = `with ${ctes.join(',\n')}\n${body}`;
  const tables = WAREHOUSE_TABLES.filter((table) => new RegExp(`\\b${table}\\b`).test(sql));
  return { kpi, sql, params: params.values, columns, tables, request };
}

/**
 * A KPI at any grain and filter: sums of the cell components, then the formulas. Rows carry
 * the --by columns and the KPI's columns named as in the contract.
 */
export function queryKpi(reader: KpiReader, request: KpiRequest): Promise<KpiResult> {
  return runKpi(reader, compileKpi(request));
}

/** queryKpi for a request already compiled (a caller that checked it before opening a reader). */
export async function runKpi(reader: KpiReader, compiled: CompiledKpi): Promise<KpiResult> {
  let result: DuckDBMaterializedResult;
  try {
    result = await runSums(reader, compiled);
  } catch (error) {
    throw warehouseError(error);
  }
  const computed = compiled.kpi.columns.flatMap((column) =>
    column.compute ? [{ name: column.name, compute: column.compute }] : [],
  );
  const rows = kpiRows(result, compiled.columns, computed);
  if (rows.length === 0) await checkFilterValues(reader, compiled.request);
  return { kpi: compiled.kpi.name, columns: compiled.columns, rows };
}

async function runSums(reader: KpiReader, compiled: CompiledKpi): Promise<DuckDBMaterializedResult> {
  try {
    return await reader.db.connection.run(compiled.sql, compiled.params);
  } catch (error) {
    if (!isSumOverflow(error)) throw error;
    // A value of a billion or more in one row: the same sums, each value in 38 digits.
    return await reader.db.connection.run(widenSums(compiled.sql), compiled.params);
  }
}

/** An answer that is empty because an id in --where is misspelt is a mistake to point out. */
function checkFilterValues(reader: KpiReader, request: CheckedRequest): Promise<void> {
  const checks = [...request.where].flatMap(([name, values]) => {
    const dim = dimension(name);
    if (dim.value !== 'id') return [];
    const table = dim.productGrain ? 'fact_machine_shift_product' : 'fact_machine_shift';
    return [{ field: name, values, table, column: dim.sql, parameter: 'where' }];
  });
  return checkKnownIds(reader.db, checks);
}

function warehouseError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const missing = /Table with name (\w+) does not exist/.exec(message);
  if (missing && WAREHOUSE_TABLES.includes(missing[1]!)) {
    return new LatheError(
      'warehouse_not_built',
      `the warehouse has no \`${missing[1]}\`: it has not been built yet`,
      {
        fix: 'build it with `lathe build` (after `lathe ingest`), or pick a published build with --as-of',
      },
    );
  }
  if (missing) {
    const suggestion = closestName(missing[1]!, WAREHOUSE_TABLES);
    return new LatheError('warehouse_incomplete', `the warehouse has no \`${missing[1]}\``, {
      fix: `rebuild the warehouse with \`lathe build\`${suggestion ? ` (is \`${suggestion}\` meant?)` : ''}`,
    });
  }
  return error;
}

/**
 * A KPI request as a user writes it (`--by line,day --where plant=P1 --from … --to …`),
 * checked against the declared KPIs and dimensions. Every mistake is a LatheError with
 * exit code 2, the closest valid name and the fix; nothing a user typed reaches SQL except
 * as a bound parameter.
 */
import { LatheError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';
import { DIMENSION_NAMES, type DimensionName, dimension, isDimensionName } from './dimensions.js';
import { findKpi, KPI_NAMES, type Kpi } from './kpis.js';

export interface KpiRequest {
  kpi: string;
  /** Dimension names, as a list or comma-separated. */
  by?: readonly string[] | string;
  /** `plant=P1,line=L2` or `{ plant: 'P1', line: ['L1', 'L2'] }`; a repeated key means any of its values. */
  where?: string | Readonly<Record<string, string | readonly string[]>>;
  /** First production day, inclusive (YYYY-MM-DD). */
  from?: string;
  /** Last production day, inclusive (YYYY-MM-DD). */
  to?: string;
}

export interface CheckedRequest {
  kpi: Kpi;
  by: DimensionName[];
  where: Map<DimensionName, string[]>;
  from: string | undefined;
  to: string | undefined;
}

function usage(code: string, message: string, fix: string, field?: string): LatheError {
  return new LatheError(code, message, { fix, exitCode: 2, location: field ? { field } : {} });
}

function didYouMean(name: string, known: readonly string[]): string {
  const suggestion = closestName(name, known);
  return suggestion ? `; did you mean \`${suggestion}\`?` : '';
}

export function checkKpiName(name: string): Kpi {
  const kpi = findKpi(name);
  if (kpi) return kpi;
  throw usage(
    'unknown_kpi',
    `unknown KPI \`${name}\`${didYouMean(name, KPI_NAMES)}`,
    `use one of: ${KPI_NAMES.join(', ')} (lathe kpi --list shows their formulas)`,
    'kpi',
  );
}

function checkDimension(name: string, kpi: Kpi, field: 'by' | 'where'): DimensionName {
  const allowed = kpi.dimensions ?? DIMENSION_NAMES;
  if (!isDimensionName(name)) {
    throw usage(
      'unknown_dimension',
      `unknown dimension \`${name}\` in --${field}${didYouMean(name, DIMENSION_NAMES)}`,
      `use one of: ${allowed.join(', ')}`,
      field,
    );
  }
  if (!allowed.includes(name)) {
    throw usage(
      'dimension_not_available',
      `${kpi.name} has no \`${name}\` grain`,
      `${kpi.name} can be grouped and filtered by: ${allowed.join(', ')}`,
      field,
    );
  }
  return name;
}

function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function checkDate(text: string, field: string): string {
  if (isRealDate(text)) return text;
  throw usage(
    'bad_date',
    `--${field} \`${text}\` is not a date`,
    'write a production day as YYYY-MM-DD, e.g. 2026-03-01',
    field,
  );
}

function checkValue(name: DimensionName, value: string): string {
  const kind = dimension(name).value;
  const ok =
    kind === 'id'
      ? value.length > 0
      : kind === 'date'
        ? isRealDate(value)
        : kind === 'iso_week'
          ? /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/.test(value)
          : /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
  if (ok) return value;
  const example = { id: 'P1', date: '2026-03-01', iso_week: '2026-W10', month: '2026-03' }[kind];
  throw usage(
    'bad_where',
    `--where ${name}=\`${value}\` is not a valid ${name}`,
    `write ${name}=${example}`,
    'where',
  );
}

function whereEntries(where: KpiRequest['where']): Array<[string, string]> {
  if (where === undefined) return [];
  if (typeof where !== 'string') {
    return Object.entries(where).flatMap(([key, values]) =>
      (typeof values === 'string' ? [values] : [...values]).map((value): [string, string] => [key, value]),
    );
  }
  const text = where.trim();
  if (text === '') return [];
  return text.split(',').map((pair) => {
    const at = pair.indexOf('=');
    const key = at < 0 ? '' : pair.slice(0, at).trim();
    const value = at < 0 ? '' : pair.slice(at + 1).trim();
    if (!key || !value) {
      throw usage(
        'bad_where',
        `--where \`${pair.trim()}\` is not dimension=value`,
        'write --where plant=P1,line=L2 (a repeated dimension means any of its values: line=L1,line=L2)',
        'where',
      );
    }
    return [key, value];
  });
}

function byNames(by: KpiRequest['by']): string[] {
  if (by === undefined) return [];
  const list = typeof by === 'string' ? by.split(',') : [...by];
  return list.map((name) => name.trim()).filter((name) => name.length > 0);
}

export function checkRequest(request: KpiRequest): CheckedRequest {
  const kpi = checkKpiName(request.kpi);
  const by: DimensionName[] = [];
  for (const name of byNames(request.by)) {
    const checked = checkDimension(name, kpi, 'by');
    if (!by.includes(checked)) by.push(checked);
  }
  const where = new Map<DimensionName, string[]>();
  for (const [key, value] of whereEntries(request.where)) {
    const name = checkDimension(key, kpi, 'where');
    const values = where.get(name) ?? [];
    values.push(checkValue(name, value));
    where.set(name, values);
  }
  const from = request.from === undefined ? undefined : checkDate(request.from, 'from');
  const to = request.to === undefined ? undefined : checkDate(request.to, 'to');
  if (from && to && from > to) {
    throw usage(
      'bad_date',
      `--from ${from} is after --to ${to}`,
      'give --from on or before --to (both inclusive)',
      'from',
    );
  }
  return { kpi, by, where, from, to };
}

/**
 * Test-only oracle: checks a small drop against contract/factory.source.yaml the way
 * CONTRACT.md §1 says (field checks, rules, references against rows that load, shared keys,
 * overlapping intervals) and returns every quarantined row's reasons by entity and line.
 * Independent of the ingester on purpose: it tells whether the generator's drops mean what
 * its ground truth says.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CsvTable } from './csv.js';

interface ColumnSpec {
  name: string;
  type: string;
  nullable: boolean;
  enum?: string[];
  min?: number;
  max?: number;
  minExclusive: boolean;
  pattern?: string;
  check?: string;
  default?: string;
}

interface EntitySpec {
  name: string;
  key: string[];
  columns: ColumnSpec[];
  references: { code: string; columns: string[]; entity: string }[];
  rules: { code: string; fields: string[] }[];
  noOverlap?: { by: string[]; start: string; end: string };
}

type RawColumn =
  | string
  | {
      type: string;
      nullable?: boolean;
      enum?: string[];
      min?: number;
      max?: number;
      min_exclusive?: boolean;
      pattern?: string;
      check?: string;
      default?: unknown;
    };
interface RawEntity {
  key: string[];
  columns: Record<string, RawColumn>;
  references?: { code?: string; columns: string[]; entity: string }[];
  rules?: { code: string; fields: string[] }[];
  no_overlap?: { by: string[]; start: string; end: string };
}

export const CONTRACT_FILE = new URL('../../contract/factory.source.yaml', import.meta.url);

export function loadContract(): EntitySpec[] {
  const raw = parse(readFileSync(CONTRACT_FILE, 'utf8')) as { entities: Record<string, RawEntity> };
  return Object.entries(raw.entities).map(([name, e]) => ({
    name,
    key: e.key,
    columns: Object.entries(e.columns).map(([columnName, spec]) =>
      typeof spec === 'string'
        ? { name: columnName, type: spec, nullable: false, minExclusive: false }
        : {
            name: columnName,
            type: spec.type,
            nullable: spec.nullable ?? false,
            enum: spec.enum,
            min: spec.min,
            max: spec.max,
            minExclusive: spec.min_exclusive ?? false,
            pattern: spec.pattern,
            check: spec.check,
            default: spec.default === undefined ? undefined : String(spec.default),
          },
    ),
    references: (e.references ?? []).map((r) => ({
      code: r.code ?? 'unknown_reference',
      columns: r.columns,
      entity: r.entity,
    })),
    rules: e.rules ?? [],
    noOverlap: e.no_overlap,
  }));
}

const TS_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?[ ]?(Z|z|[+-]\d{2}(:?\d{2})?)$/;
const TS_NAIVE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?$/;

type Value = string | number | boolean | null;

/** The typed value of a field, or a reason code. */
function typed(column: ColumnSpec, raw: string): { value: Value } | { reason: string } {
  let text = raw.trim();
  if (text === '' && column.default !== undefined) text = column.default;
  if (text === '') return column.nullable ? { value: null } : { reason: 'missing_value' };
  let value: Value;
  switch (column.type) {
    case 'int':
      if (!/^[+-]?\d+$/.test(text)) return { reason: 'bad_type' };
      value = Number(text);
      break;
    case 'decimal':
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return { reason: 'bad_type' };
      value = Number(text);
      break;
    case 'bool':
      if (!/^(true|false|1|0)$/i.test(text)) return { reason: 'bad_type' };
      value = /^(true|1)$/i.test(text);
      break;
    case 'date':
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
        new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) !== text
      ) {
        return { reason: 'bad_type' };
      }
      value = text;
      break;
    case 'ts':
      if (TS_WITH_OFFSET.test(text)) value = Date.parse(text.replace(' ', 'T')) / 1000;
      else if (TS_NAIVE.test(text)) return { reason: 'naive_timestamp' };
      else return { reason: 'bad_type' };
      if (Number.isNaN(value)) return { reason: 'bad_type' };
      break;
    default:
      value = text;
  }
  if (column.enum && !column.enum.includes(String(value))) return { reason: 'bad_enum' };
  if (typeof value === 'number') {
    if (column.min !== undefined && (column.minExclusive ? value <= column.min : value < column.min))
      return { reason: 'out_of_range' };
    if (column.max !== undefined && value > column.max) return { reason: 'out_of_range' };
  }
  if (column.pattern && !new RegExp(column.pattern).test(String(value))) return { reason: 'bad_format' };
  return { value };
}

interface Row {
  line: number;
  raw: Record<string, string>;
  value: Record<string, Value>;
  invalid: Set<string>;
  reasons: Set<string>;
}

export type Verdicts = Map<string, Map<number, Set<string>>>;

/** Checks every entity of a drop; returns the reasons of each quarantined row by entity and line. */
export function checkDrop(tables: Record<string, CsvTable>, contract = loadContract()): Verdicts {
  const byName = new Map(contract.map((e) => [e.name, e]));
  const order: EntitySpec[] = [];
  const visit = (e: EntitySpec) => {
    if (order.includes(e)) return;
    for (const r of e.references) if (r.entity !== e.name) visit(byName.get(r.entity)!);
    order.push(e);
  };
  contract.forEach(visit);

  const loaded = new Map<string, Row[]>();
  const verdicts: Verdicts = new Map();
  for (const entity of order) {
    const table = tables[entity.name];
    if (!table) throw new Error(`no table for ${entity.name}`);
    const rows: Row[] = table.rows.map((record, i) => {
      const row: Row = {
        line: table.lines[i]!,
        raw: record,
        value: {},
        invalid: new Set(),
        reasons: new Set(),
      };
      for (const column of entity.columns) {
        const result = typed(column, record[column.name] ?? '');
        if ('reason' in result) {
          row.reasons.add(result.reason);
          row.invalid.add(column.name);
          row.value[column.name] = null;
        } else row.value[column.name] = result.value;
      }
      return row;
    });
    const parentRows = (name: string) => loaded.get(name) ?? [];
    for (const row of rows) {
      for (const rule of entity.rules) {
        if (rule.fields.some((f) => row.invalid.has(f))) continue;
        if (!ruleHolds(entity.name, rule.code, row.value, parentRows)) row.reasons.add(rule.code);
      }
      for (const reference of entity.references) {
        const values = reference.columns.map((c) => row.value[c]);
        if (values.some((v) => v === null)) continue;
        const parent = byName.get(reference.entity)!;
        const referenced = reference.columns.length === parent.key.length ? parent.key : reference.columns;
        const wanted = values.join('\u0000');
        const found = parentRows(parent.name).some(
          (p) => referenced.map((c) => p.value[c]).join('\u0000') === wanted,
        );
        if (!found) row.reasons.add(reference.code);
      }
    }
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      if (row.reasons.size > 0) continue;
      const key = entity.key.map((c) => String(row.value[c])).join('\u0000');
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const content = (row: Row) => entity.columns.map((c) => String(row.value[c.name])).join('\u0000');
      const identical = group.every((row) => content(row) === content(group[0]!));
      group.forEach((row, i) => {
        if (!identical) row.reasons.add('conflicting_key');
        else if (i > 0) row.reasons.add('duplicate_row');
      });
    }
    if (entity.noOverlap) {
      const { by, start, end } = entity.noOverlap;
      const byGroup = new Map<string, Row[]>();
      for (const row of rows) {
        if (row.reasons.size > 0) continue;
        const key = by.map((c) => String(row.value[c])).join('\u0000');
        byGroup.set(key, [...(byGroup.get(key) ?? []), row]);
      }
      for (const group of byGroup.values()) {
        group.sort(
          (a, b) =>
            (a.value[start] as number) - (b.value[start] as number) ||
            (a.value[end] as number) - (b.value[end] as number) ||
            a.line - b.line,
        );
        let maxEnd = Number.NEGATIVE_INFINITY;
        group.forEach((row, i) => {
          const s = row.value[start] as number;
          const e = row.value[end] as number;
          const next = group[i + 1];
          if (maxEnd > s || (next && (next.value[start] as number) < e))
            row.reasons.add('overlapping_interval');
          maxEnd = Math.max(maxEnd, e);
        });
      }
    }
    const bad = new Map<number, Set<string>>();
    for (const row of rows) if (row.reasons.size > 0) bad.set(row.line, row.reasons);
    verdicts.set(entity.name, bad);
    loaded.set(
      entity.name,
      rows.filter((row) => row.reasons.size === 0),
    );
  }
  return verdicts;
}

function ruleHolds(
  entity: string,
  code: string,
  v: Record<string, Value>,
  parents: (name: string) => Row[],
): boolean {
  switch (code) {
    case 'end_not_after_start':
      if (entity === 'shifts') return (v.end_ts as number) > (v.start_ts as number);
      if (entity === 'production_counts') return (v.interval_end as number) > (v.interval_start as number);
      if (entity === 'downtime_events')
        return v.end_ts === null || (v.end_ts as number) > (v.start_ts as number);
      if (entity === 'maintenance_orders') return (v.repair_end as number) >= (v.repair_start as number);
      throw new Error(`end_not_after_start on ${entity}`);
    case 'rejects_exceed_total':
      return (v.reject_count as number) <= (v.total_count as number);
    case 'planned_mismatch':
      return (
        v.loss_category === 'planned_maintenance' ||
        v.planned === ['break', 'no_demand'].includes(String(v.loss_category))
      );
    case 'spec_limits_reversed':
      return v.lsl === null || v.usl === null || (v.lsl as number) < (v.usl as number);
    case 'order_line_mismatch': {
      const machine = parents('machines').find((m) => m.value.machine_id === v.machine_id);
      const order = parents('production_orders').find((o) => o.value.order_id === v.order_id);
      return machine !== undefined && order !== undefined && machine.value.line_id === order.value.line_id;
    }
    default:
      throw new Error(`unknown rule ${code}`);
  }
}

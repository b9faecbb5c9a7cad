/**
 * Validation, compiled from an entity's declaration into DuckDB SQL, so that checking tens
 * of millions of rows costs little more than reading them. Every check yields a reason
 * (stable code, field, message naming the value, fix) and a row keeps all its reasons:
 * an empty list means the row loads. Checks run in this order, each over the rows
 * that can still load: field checks, rules and references per row; then keys shared
 * inside the drop; then overlapping intervals.
 */
import type {
  ColumnDeclaration,
  EntityDeclaration,
  ReferenceDeclaration,
  RuleDeclaration,
  SourceDeclaration,
} from '../contract/declaration.js';
import { type DuckSession, ident, sqlString } from '../lake/duckdb.js';

export const REASON_TYPE = 'STRUCT(code VARCHAR, field VARCHAR, message VARCHAR, fix VARCHAR)';

/** A column holding the raw text of a declared column, next to its typed value. */
export const rawName = (column: string) => `${column}__raw`;

const TS_WITH_OFFSET =
  '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?[ ]?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)';
const TS_NAIVE = '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?';

const TYPE_WORDS: Record<ColumnDeclaration['type'], { expected: string; fix: string }> = {
  text: { expected: 'text', fix: '' },
  int: { expected: 'a whole number', fix: 'write a whole number such as 42' },
  decimal: {
    expected: 'a decimal number',
    fix: 'write a number with a dot as decimal separator, such as 12.5',
  },
  bool: { expected: 'true/false/1/0', fix: 'write true, false, 1 or 0' },
  date: { expected: 'a date YYYY-MM-DD', fix: 'write the date as YYYY-MM-DD, such as 2026-03-29' },
  ts: {
    expected: 'an ISO 8601 timestamp with a UTC offset',
    fix: 'write it as 2026-03-29T06:00:00+02:00 or 2026-03-29T04:00:00Z',
  },
};

/** Macros validation uses; created once per session. */
export async function installValidationMacros(db: DuckSession): Promise<void> {
  // A plant-local wall time to an instant: the earlier instant when the wall time occurs twice
  // (daylight saving ends), NULL when it does not exist (daylight saving starts). CONTRACT §1.
  await db.run(`
    CREATE OR REPLACE MACRO lathe_local_to_instant(local_ts, zone) AS (
      WITH c AS (
        SELECT CAST(local_ts AS TIMESTAMPTZ)
                 - (timezone(zone, CAST(local_ts AS TIMESTAMPTZ) - INTERVAL 1 DAY) - (CAST(local_ts AS TIMESTAMP) - INTERVAL 1 DAY)) AS before_change,
               CAST(local_ts AS TIMESTAMPTZ)
                 - (timezone(zone, CAST(local_ts AS TIMESTAMPTZ) + INTERVAL 1 DAY) - (CAST(local_ts AS TIMESTAMP) + INTERVAL 1 DAY)) AS after_change
      )
      SELECT CASE
        WHEN timezone(zone, before_change) = local_ts AND timezone(zone, after_change) = local_ts THEN least(before_change, after_change)
        WHEN timezone(zone, before_change) = local_ts THEN before_change
        WHEN timezone(zone, after_change) = local_ts THEN after_change
      END FROM c
    )`);
  await db.run('CREATE OR REPLACE TEMP TABLE lathe_timezones AS SELECT name FROM pg_timezone_names()');
}

function reason(code: string, field: string | null, message: string, fix: string): string {
  return `{'code': ${sqlString(code)}, 'field': ${field === null ? 'NULL' : sqlString(field)}, 'message': ${message}, 'fix': ${sqlString(fix)}}`;
}

/** `'text `' || value || '` more'`: a message that quotes the offending value. */
function quoteValue(rawColumn: string): string {
  return `coalesce(left(row.${ident(rawColumn)}, 80), '')`;
}

/** Turns `machine {machine_id} ...` into SQL that pastes the row's raw values in. */
function interpolate(template: string): string {
  const parts = template.split(/\{([a-z_][a-z0-9_]*)\}/);
  return parts
    .map((part, index) => (index % 2 === 1 ? quoteValue(rawName(part)) : sqlString(part)))
    .join(' || ');
}

/** The raw text, trimmed, empty as NULL, the declared default filled in. `raw` is the SQL of the raw column. */
function trimmed(column: ColumnDeclaration, raw: string): string {
  const value = `nullif(trim(${raw}), '')`;
  return column.default === undefined ? value : `coalesce(${value}, ${sqlString(column.default)})`;
}

function typedExpression(column: ColumnDeclaration, source: SourceDeclaration, raw: string): string {
  const v = trimmed(column, raw);
  switch (column.type) {
    case 'text':
      return v;
    case 'int':
      return `CASE WHEN regexp_full_match(${v}, '[+-]?[0-9]+') THEN TRY_CAST(${v} AS BIGINT) END`;
    case 'decimal':
      return `CASE WHEN isfinite(TRY_CAST(${v} AS DOUBLE)) THEN TRY_CAST(${v} AS DOUBLE) END`;
    case 'bool':
      return `CASE lower(${v}) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN '0' THEN false END`;
    case 'date':
      return `CASE WHEN regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(${v} AS DATE) END`;
    case 'ts': {
      const withOffset = `CASE WHEN regexp_full_match(${v}, '${TS_WITH_OFFSET}') THEN TRY_CAST(${v} AS TIMESTAMPTZ) END`;
      if (source.naiveTimestamps !== 'plant_local' || !source.timezone) return withOffset;
      return `coalesce(${withOffset}, CASE WHEN regexp_full_match(${v}, '${TS_NAIVE}') THEN lathe_local_to_instant(TRY_CAST(${v} AS TIMESTAMP), ${sqlString(source.timezone)}) END)`;
    }
  }
}

function fieldReasons(column: ColumnDeclaration, source: SourceDeclaration): string[] {
  const raw = `nullif(trim(row.${ident(rawName(column.name))}), '')`;
  const typed = `row.${ident(column.name)}`;
  const name = column.name;
  const shown = quoteValue(rawName(name));
  const reasons: string[] = [];
  if (!column.nullable) {
    const missing = column.default === undefined ? `${raw} IS NULL` : 'false';
    reasons.push(
      `CASE WHEN ${missing} THEN ${reason('missing_value', name, sqlString(`\`${name}\` is empty`), `fill in \`${name}\`; it is required`)} END`,
    );
  }
  if (column.type === 'ts') {
    const naive = `regexp_full_match(${raw}, '${TS_NAIVE}')`;
    if (source.naiveTimestamps === 'plant_local' && source.timezone) {
      reasons.push(
        `CASE WHEN ${raw} IS NOT NULL AND ${typed} IS NULL AND ${naive} AND TRY_CAST(${raw} AS TIMESTAMP) IS NOT NULL THEN ${reason(
          'nonexistent_local_time',
          name,
          `'\`${name}\` is \`' || ${shown} || '\`, a wall time that does not exist in ${source.timezone} (the clocks jumped over it)'`,
          'correct the time; during the daylight-saving jump no reading can have this local time',
        )} END`,
      );
    } else {
      reasons.push(
        `CASE WHEN ${raw} IS NOT NULL AND ${typed} IS NULL AND ${naive} THEN ${reason(
          'naive_timestamp',
          name,
          `'\`${name}\` is \`' || ${shown} || '\` without a UTC offset'`,
          'add the offset (such as +01:00 or Z), or declare the source with naive_timestamps: plant_local',
        )} END`,
      );
    }
  }
  if (column.type !== 'text') {
    const words = TYPE_WORDS[column.type];
    const notNaive = column.type === 'ts' ? ` AND NOT regexp_full_match(${raw}, '${TS_NAIVE}')` : '';
    reasons.push(
      `CASE WHEN ${raw} IS NOT NULL AND ${typed} IS NULL${notNaive} THEN ${reason('bad_type', name, `'\`${name}\` is \`' || ${shown} || '\`, expected ${words.expected}'`, words.fix)} END`,
    );
  }
  if (column.enum) {
    const list = column.enum.map(sqlString).join(', ');
    reasons.push(
      `CASE WHEN ${typed} IS NOT NULL AND ${typed} NOT IN (${list}) THEN ${reason('bad_enum', name, `'\`${name}\` is \`' || ${shown} || '\`, expected one of ${column.enum.join(', ')}'`, `use one of: ${column.enum.join(', ')}`)} END`,
    );
  }
  if (column.min !== undefined) {
    const op = column.minExclusive ? '<=' : '<';
    const words = column.minExclusive ? `greater than ${column.min}` : `at least ${column.min}`;
    reasons.push(
      `CASE WHEN ${typed} ${op} ${column.min} THEN ${reason('out_of_range', name, `'\`${name}\` is ' || ${shown} || ', expected ${words}'`, `correct \`${name}\`; it must be ${words}`)} END`,
    );
  }
  if (column.max !== undefined) {
    reasons.push(
      `CASE WHEN ${typed} > ${column.max} THEN ${reason('out_of_range', name, `'\`${name}\` is ' || ${shown} || ', expected at most ${column.max}'`, `correct \`${name}\`; it must be at most ${column.max}`)} END`,
    );
  }
  if (column.pattern) {
    const hint = column.hint ?? `text matching ${column.pattern}`;
    reasons.push(
      `CASE WHEN ${typed} IS NOT NULL AND NOT regexp_full_match(${typed}, ${sqlString(column.pattern)}) THEN ${reason('bad_format', name, `'\`${name}\` is \`' || ${shown} || '\`, expected ${hint}'`, `write ${hint}`)} END`,
    );
  }
  if (column.check === 'timezone') {
    reasons.push(
      `CASE WHEN ${typed} IS NOT NULL AND ${typed} NOT IN (SELECT name FROM lathe_timezones) THEN ${reason('unknown_timezone', name, `'\`${name}\` is \`' || ${shown} || '\`, not an IANA timezone name'`, 'use an IANA name such as Europe/Berlin or America/Chicago')} END`,
    );
  }
  return reasons;
}

/** True when none of `fields` failed its own field checks (so a rule over them means something). */
function fieldsValid(fields: string[]): string {
  return fields
    .map(
      (field) =>
        `(nullif(trim(row.${ident(rawName(field))}), '') IS NULL OR row.${ident(field)} IS NOT NULL)`,
    )
    .join(' AND ');
}

function ruleReason(rule: RuleDeclaration): string {
  return `CASE WHEN ${fieldsValid(rule.fields)} AND NOT coalesce((${rule.check}), true) THEN ${reason(rule.code, rule.fields[0]!, interpolate(rule.message), rule.fix)} END`;
}

function referenceReason(
  reference: ReferenceDeclaration,
  parentSchema: string,
  quarantinedKeys: string | undefined,
): string {
  const present = reference.columns.map((column) => `row.${ident(column)} IS NOT NULL`).join(' AND ');
  const join = reference.columns
    .map((column, i) => `p.${ident(reference.referencedColumns[i]!)} = row.${ident(column)}`)
    .join(' AND ');
  const field = reference.columns[reference.columns.length - 1]!;
  const defaultMessage = `'\`${reference.columns[0]}\` \`' || ${quoteValue(rawName(reference.columns[0]!))} || '\` is not in ${reference.entity}'`;
  let message = reference.message ? interpolate(reference.message) : defaultMessage;
  if (quarantinedKeys && reference.columns.length === 1) {
    message = `${message} || CASE WHEN row.${ident(reference.columns[0]!)} IN (SELECT key FROM ${quarantinedKeys}) THEN ' (that ${reference.entity} row was quarantined in this load)' ELSE '' END`;
  }
  const fix =
    reference.fix ??
    `add it to ${reference.entity} (in this drop or an earlier load), or correct \`${reference.columns[0]}\``;
  return `CASE WHEN ${present} AND NOT EXISTS (SELECT 1 FROM ${ident(parentSchema)}.${ident(reference.entity)} AS p WHERE ${join}) THEN ${reason(reference.code, field, message, fix)} END`;
}

export interface CheckPlan {
  /** Schema holding, per parent entity, the rows current once this load commits. */
  parentSchema: string;
  /** Per parent entity: a table of the single-column keys quarantined in this load. */
  quarantinedKeys: Map<string, string>;
}

/**
 * Creates `checkedTable` from `stageTable`: typed columns, raw text beside them and `_reasons`.
 * Bare entity names in rules resolve to `parentSchema` (the state after this load).
 */
export async function checkRows(
  db: DuckSession,
  source: SourceDeclaration,
  entity: EntityDeclaration,
  stageTable: string,
  checkedTable: string,
  plan: CheckPlan,
): Promise<void> {
  const typedColumns = entity.columns
    .map((column) => {
      const raw = ident(column.name); // in the stage table, a declared column holds its raw text
      return `${typedExpression(column, source, raw)} AS ${raw}, ${raw} AS ${ident(rawName(column.name))}`;
    })
    .join(',\n    ');
  const typed = `SELECT _file_id, _record, _json_error, _extra,\n    ${typedColumns}\n  FROM ${stageTable}`;
  const reasons = [
    `CASE WHEN row._json_error IS NOT NULL THEN ${reason('bad_json', null, `'the line is ' || row._json_error`, 'write one JSON object per line')} END`,
    ...entity.columns.flatMap((column) => fieldReasons(column, source)),
    ...entity.rules.map(ruleReason),
    ...entity.references.map((reference) =>
      referenceReason(reference, plan.parentSchema, plan.quarantinedKeys.get(reference.entity)),
    ),
  ];
  const sql = `CREATE OR REPLACE TEMP TABLE ${checkedTable} AS
SELECT row.*, list_filter([${reasons.join(',\n  ')}], r -> r IS NOT NULL) AS _reasons
FROM (${typed}) AS row`;
  await db.run(`SET search_path = ${sqlString(`${plan.parentSchema},main,temp`)}`);
  try {
    await db.run(sql);
  } finally {
    await db.run(`SET search_path = 'main'`);
  }
}

/**
 * Rows sharing a key inside one drop (CONTRACT §1): identical rows load once (the first, in
 * file and record order) and the rest are duplicates; rows that differ are all conflicting.
 * Only rows that pass every other check take part.
 */
export async function checkKeys(
  db: DuckSession,
  entity: EntityDeclaration,
  checkedTable: string,
): Promise<void> {
  const key = entity.key.map(ident).join(', ');
  const keyText = entity.key
    .map((column, i) => `'${i ? ', ' : ''}${column}=' || coalesce(CAST(c.${ident(column)} AS VARCHAR), '')`)
    .join(' || ');
  const partition = entity.key.map((column) => `c.${ident(column)}`).join(', ');
  const content = `hash(${entity.columns.map((column) => `c.${ident(column.name)}`).join(', ')})`;
  await db.run(`
    CREATE OR REPLACE TEMP TABLE shared_keys AS
    SELECT ${key} FROM ${checkedTable} WHERE len(_reasons) = 0 GROUP BY ${key} HAVING count(*) > 1`);
  const shared = await db.scalar<bigint>('SELECT count(*) FROM shared_keys');
  if (!shared) return;
  await db.run(`
    CREATE OR REPLACE TEMP TABLE key_verdicts AS
    SELECT c._file_id, c._record,
           count(DISTINCT ${content}) OVER (PARTITION BY ${partition}) AS variants,
           row_number() OVER (PARTITION BY ${partition} ORDER BY c._file_id, c._record) AS position,
           count(*) OVER (PARTITION BY ${partition}) AS rows_sharing,
           ${keyText} AS key_text
    FROM ${checkedTable} c SEMI JOIN shared_keys s USING (${key})
    WHERE len(c._reasons) = 0`);
  await db.run(`
    UPDATE ${checkedTable} AS t SET _reasons = list_append(t._reasons, CASE
      WHEN v.variants > 1 THEN ${reason('conflicting_key', entity.key.join(', '), `CAST(v.rows_sharing AS VARCHAR) || ' rows share the key (' || v.key_text || ') with different values; none of them loaded'`, 'keep one row per key in the drop: remove or correct the others')}
      ELSE ${reason('duplicate_row', entity.key.join(', '), `'an identical row with the same key (' || v.key_text || ') came earlier in the drop and loaded'`, 'nothing is lost: the first copy loaded; remove the repeated rows from the export')}
    END)
    FROM key_verdicts v
    WHERE t._file_id = v._file_id AND t._record = v._record AND (v.variants > 1 OR v.position > 1)`);
}

/** Intervals of one `by` group that overlap (half-open) quarantine every row involved. */
export async function checkOverlaps(
  db: DuckSession,
  entity: EntityDeclaration,
  checkedTable: string,
): Promise<void> {
  const rule = entity.noOverlap;
  if (!rule) return;
  const by = rule.by.map(ident).join(', ');
  const start = ident(rule.start);
  const end = ident(rule.end);
  const window = `PARTITION BY ${by} ORDER BY ${start}, ${end}, _file_id, _record`;
  await db.run(`
    CREATE OR REPLACE TEMP TABLE overlap_rows AS
    SELECT _file_id, _record, ${rule.by.map((c) => `CAST(${ident(c)} AS VARCHAR)`).join(" || ', ' || ")} AS group_text
    FROM (
      SELECT _file_id, _record, ${by}, ${start}, ${end},
             max(${end}) OVER (${window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end,
             lead(${start}) OVER (${window}) AS next_start
      FROM ${checkedTable} WHERE len(_reasons) = 0
    )
    WHERE earlier_end > ${start} OR next_start < ${end}`);
  await db.run(`
    UPDATE ${checkedTable} AS t SET _reasons = list_append(t._reasons, ${reason(
      'overlapping_interval',
      rule.start,
      `'[' || CAST(t.${start} AS VARCHAR) || ', ' || CAST(t.${end} AS VARCHAR) || ') overlaps another interval of ${rule.by.join(', ')} ' || o.group_text || ' in this drop'`,
      `correct the ${rule.start}/${rule.end} of the rows involved so that intervals of one ${rule.by.join(', ')} do not overlap`,
    )})
    FROM overlap_rows o WHERE t._file_id = o._file_id AND t._record = o._record`);
}

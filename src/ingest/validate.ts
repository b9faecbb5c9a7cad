/**
 * Validation, compiled from an entity's declaration into DuckDB SQL, so that checking tens
 * of millions of rows costs little more than reading them. Every check is a condition (the
 * row fails it) and a reason (stable code, field, message quoting the value, fix); a row
 * keeps all its reasons, and a row with none loads (`_reasons IS NULL`).
 *
 * Passes:
 *   1. fields (types, required, enums, ranges, patterns), over every row read;
 *   2. rules and references, set-based over every row that has fields (anti-joins: cheap when all is well);
 *   3. keys shared inside the drop and 4. overlapping intervals, over the rows that can still load.
 * The typed rows are staged as Parquet, one file per scan in record order; a row's identity
 * `_row` is its file and its place in that file. Passes add reasons to `late_reasons` keyed
 * by `_row`, and `finalRowsSql` merges them. `late_reasons` is a temporary table, so each
 * DuckDB connection checks one entity at a time, and entities on other connections at once.
 */

import path from 'node:path';
import type {
  ColumnDeclaration,
  EntityDeclaration,
  ReferenceDeclaration,
  RuleDeclaration,
  SourceDeclaration,
} from '../contract/declaration.js';
import { type DuckSession, ident, sqlList, sqlString } from '../lake/duckdb.js';
import { timed } from '../util/timing.js';
import type { FileScan } from './read-file.js';

/** `_row` = file id << ROW_BITS + row number in the file: rows stay distinct for files of up to 2^40 rows. */
export const ROW_BITS = 40;

export const REASON_TYPE = 'STRUCT(code VARCHAR, field VARCHAR, message VARCHAR, fix VARCHAR)';

/** A column holding the raw text of a declared column, next to its typed value. */
export const rawName = (column: string) => `${column}__raw`;

/** A check: `failed` is a SQL condition over `row` (NULL counts as passed); `reason` the SQL struct. */
interface Check {
  failed: string;
  reason: string;
}

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

/** Macros and tables validation uses; created once per DuckDB instance, for all its connections. */
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
  await db.run('CREATE OR REPLACE TABLE lathe_timezones AS SELECT name FROM pg_timezone_names()');
}

function reason(code: string, field: string | null, message: string, fix: string): string {
  return `{'code': ${sqlString(code)}, 'field': ${field === null ? 'NULL' : sqlString(field)}, 'message': ${message}, 'fix': ${sqlString(fix)}}`;
}

/** SQL quoting a value in a message, at most 80 characters of it. */
function quoteValue(expression: string): string {
  return `coalesce(left(${expression}, 80), '')`;
}

/** Turns `machine {machine_id} ...` into SQL that pastes the row's values in. */
function interpolate(template: string, textOf: (column: string) => string): string {
  const parts = template.split(/\{([a-z_][a-z0-9_]*)\}/);
  return parts
    .map((part, index) => (index % 2 === 1 ? quoteValue(textOf(part)) : sqlString(part)))
    .join(' || ');
}

/** The raw text, trimmed, empty as NULL, the declared default filled in. `raw` is the SQL of the raw column. */
/**
 * The value as written, empty as NULL, the declared default filled in. Text is taken as
 * written (no trimming: trimming every field of ten million rows costs more than reading them);
 * numbers may carry surrounding spaces.
 */
function written(column: ColumnDeclaration, raw: string): string {
  const value = `nullif(${raw}, '')`;
  return column.default === undefined ? value : `coalesce(${value}, ${sqlString(column.default)})`;
}

/**
 * An ISO 8601 timestamp with a UTC offset, checked by its shape at fixed positions:
 * YYYY-MM-DD[T ]HH:MM…, ending in Z or ±HH[[:]MM].
 */
function hasOffsetShape(v: string): string {
  return `(length(${v}) >= 17 AND ${v}[5] = '-' AND ${v}[8] = '-' AND ${v}[11] IN ('T', ' ') AND ${v}[14] = ':'
    AND (${v}[-1] IN ('Z', 'z') OR ${v}[-3] IN ('+', '-') OR ${v}[-5] IN ('+', '-') OR ${v}[-6] IN ('+', '-')))`;
}

function typedExpression(column: ColumnDeclaration, source: SourceDeclaration, raw: string): string {
  // Text and defaults need empty-as-NULL; the other types' casts and shape tests reject '' by themselves.
  const v = column.type === 'text' || column.default !== undefined ? written(column, raw) : raw;
  switch (column.type) {
    case 'text':
      return v;
    case 'int':
      return `CASE WHEN regexp_full_match(${v}, '\\s*[+-]?[0-9]+\\s*') THEN TRY_CAST(${v} AS BIGINT) END`;
    case 'decimal':
      // NaN and infinity type here; the bad_type check quarantines them.
      return `TRY_CAST(${v} AS DOUBLE)`;
    case 'bool':
      return `CASE lower(trim(${v})) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN '0' THEN false END`;
    case 'date':
      return `CASE WHEN regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(${v} AS DATE) END`;
    case 'ts': {
      // The common form first (…T…Z, plain ASCII), a cheap test that implies the full shape test;
      // the full one runs only on the rest. The character-position tests cost more than the cast.
      const commonForm = `strlen(${v}) >= 17 AND suffix(${v}, 'Z') AND ${v} LIKE '____-__-__T__:%' AND strlen(${v}) = length(${v})`;
      const cast = `TRY_CAST(${v} AS TIMESTAMPTZ)`;
      const withOffset = `CASE WHEN ${commonForm} THEN ${cast} WHEN ${hasOffsetShape(v)} THEN ${cast} END`;
      if (source.naiveTimestamps !== 'plant_local' || !source.timezone) return withOffset;
      return `coalesce(${withOffset}, CASE WHEN regexp_full_match(${v}, '${TS_NAIVE}') THEN lathe_local_to_instant(TRY_CAST(${v} AS TIMESTAMP), ${sqlString(source.timezone)}) END)`;
    }
  }
}

function fieldChecks(column: ColumnDeclaration, source: SourceDeclaration): Check[] {
  const typed = `row.${ident(column.name)}`;
  // Text keeps no raw copy (NULL text was empty); other types keep it where typing failed.
  const rawText = `(row._untyped ->> ${sqlString(column.name)})`;
  const raw = column.type === 'text' ? typed : `nullif(trim(${rawText}), '')`;
  const name = column.name;
  // Where typing failed the raw text is kept; otherwise the typed value says the same.
  const shown = quoteValue(
    column.type === 'text' ? typed : `coalesce(${rawText}, CAST(${typed} AS VARCHAR))`,
  );
  const said = (text: string) => `'\`${name}\` is \`' || ${shown} || '\`${text}'`;
  const checks: Check[] = [];
  const add = (failed: string, code: string, message: string, fix: string) =>
    checks.push({ failed, reason: reason(code, name, message, fix) });

  // The costly parts (trim, regular expressions on the raw text) only run where typing gave NULL.
  const whenUntyped = (condition: string) => `CASE WHEN ${typed} IS NULL THEN ${condition} ELSE false END`;
  if (!column.nullable && column.default === undefined) {
    add(
      column.type === 'text' ? `${typed} IS NULL` : whenUntyped(`${raw} IS NULL`),
      'missing_value',
      sqlString(`\`${name}\` is empty`),
      `fill in \`${name}\`; it is required`,
    );
  }
  if (column.type === 'ts') {
    const naive = `regexp_full_match(${raw}, '${TS_NAIVE}')`;
    if (source.naiveTimestamps === 'plant_local' && source.timezone) {
      add(
        whenUntyped(`${raw} IS NOT NULL AND ${naive} AND TRY_CAST(${raw} AS TIMESTAMP) IS NOT NULL`),
        'nonexistent_local_time',
        said(`, a wall time that does not exist in ${source.timezone} (the clocks jumped over it)`),
        'correct the time; during the daylight-saving jump no reading can have this local time',
      );
    } else {
      add(
        whenUntyped(`${raw} IS NOT NULL AND ${naive}`),
        'naive_timestamp',
        said(' without a UTC offset'),
        'add the offset (such as +01:00 or Z), or declare the source with naive_timestamps: plant_local',
      );
    }
  }
  if (column.type !== 'text') {
    const words = TYPE_WORDS[column.type];
    const notNaive = column.type === 'ts' ? ` AND NOT regexp_full_match(${raw}, '${TS_NAIVE}')` : '';
    // A decimal types NaN and infinity too; they are no measurement.
    const failed =
      column.type === 'decimal'
        ? `CASE WHEN ${typed} IS NULL THEN ${raw} IS NOT NULL ELSE NOT isfinite(${typed}) END`
        : whenUntyped(`${raw} IS NOT NULL${notNaive}`);
    add(failed, 'bad_type', said(`, expected ${words.expected}`), words.fix);
  }
  if (column.enum) {
    add(
      `${typed} NOT IN (${column.enum.map(sqlString).join(', ')})`,
      'bad_enum',
      said(`, expected one of ${column.enum.join(', ')}`),
      `use one of: ${column.enum.join(', ')}`,
    );
  }
  const number = `'\`${name}\` is ' || ${shown} || '`;
  if (column.min !== undefined) {
    const words = column.minExclusive ? `greater than ${column.min}` : `at least ${column.min}`;
    add(
      `${typed} ${column.minExclusive ? '<=' : '<'} ${column.min}`,
      'out_of_range',
      `${number}, expected ${words}'`,
      `correct \`${name}\`; it must be ${words}`,
    );
  }
  if (column.max !== undefined) {
    add(
      `${typed} > ${column.max}`,
      'out_of_range',
      `${number}, expected at most ${column.max}'`,
      `correct \`${name}\`; it must be at most ${column.max}`,
    );
  }
  if (column.pattern) {
    const hint = column.hint ?? `text matching ${column.pattern}`;
    add(
      `NOT regexp_full_match(${typed}, ${sqlString(column.pattern)})`,
      'bad_format',
      said(`, expected ${hint}`),
      `write ${hint}`,
    );
  }
  if (column.check === 'timezone') {
    add(
      `${typed} NOT IN (SELECT name FROM lathe_timezones)`,
      'unknown_timezone',
      said(', not an IANA timezone name'),
      'use an IANA name such as Europe/Berlin or America/Chicago',
    );
  }
  return checks;
}

/** A rule over the typed row; a field that failed its own checks is NULL, and NULL passes. */
function ruleCheck(entity: EntityDeclaration, rule: RuleDeclaration): Check {
  return {
    failed: `NOT coalesce((${rule.check}), true)`,
    reason: reason(
      rule.code,
      rule.fields[0]!,
      interpolate(rule.message, (column) => typedText(entity, column)),
      rule.fix,
    ),
  };
}

/** A typed value as text for messages of later passes (those rows passed their field checks). */
function typedText(entity: EntityDeclaration, column: string, alias = 'row'): string {
  const declared = entity.columns.find((candidate) => candidate.name === column);
  const value = `${alias}.${ident(column)}`;
  return declared?.type === 'ts' ? `strftime(${value}, '%Y-%m-%dT%H:%M:%SZ')` : `CAST(${value} AS VARCHAR)`;
}

/** Rows whose referenced key is not among the parent's rows after this load: an anti-join. */
function referenceFailures(
  entity: EntityDeclaration,
  reference: ReferenceDeclaration,
  checkedTable: string,
  parentSchema: string,
  quarantinedKeys: string | undefined,
): string {
  const present = reference.columns.map((column) => `row.${ident(column)} IS NOT NULL`).join(' AND ');
  const join = reference.columns
    .map((column, i) => `p.${ident(reference.referencedColumns[i]!)} = row.${ident(column)}`)
    .join(' AND ');
  const field = reference.columns[reference.columns.length - 1]!;
  const first = reference.columns[0]!;
  let message = reference.message
    ? interpolate(reference.message, (column) => typedText(entity, column))
    : `'\`${first}\` \`' || ${quoteValue(typedText(entity, first))} || '\` is not in ${reference.entity}'`;
  if (quarantinedKeys && reference.columns.length === 1) {
    message = `${message} || CASE WHEN row.${ident(first)} IN (SELECT key FROM ${quarantinedKeys}) THEN ' (that ${reference.entity} row was quarantined in this load)' ELSE '' END`;
  }
  const fix =
    reference.fix ??
    `add it to ${reference.entity} (in this drop or an earlier load), or correct \`${first}\``;
  return `SELECT row._row, ${reason(reference.code, field, message, fix)} AS reason
    FROM ${checkedTable} AS row ANTI JOIN ${ident(parentSchema)}.${ident(reference.entity)} AS p ON ${join}
    WHERE ${present}`;
}

/** The rows of one entity under check: the view of its staged rows and how many reasons they have so far. */
export interface CheckedRows {
  /** View of the staged typed rows with their identity `_row`. */
  table: string;
  /**
   * Reasons collected in `late_reasons` so far: counted here as they are inserted, so the
   * common path (nothing failed) costs no query.
   */
  reasons: number;
}

export interface CheckPlan {
  /** Schema holding, per parent entity, the rows current once this load commits. */
  parentSchema: string;
  /** Per parent entity: a table of the single-column keys quarantined in this load. */
  quarantinedKeys: Map<string, string>;
}

/**
 * Pass 1: stages the typed rows of each file scan as Parquet, in record order, so that `_row` follows
 * file and record order. It holds typed values; the raw text of a field is kept only where
 * typing gave NULL (that is all a message needs).
 * Then every field check adds its failures to `late_reasons`. Returns the rows per scan.
 */
export async function checkFields(
  db: DuckSession,
  source: SourceDeclaration,
  entity: EntityDeclaration,
  scans: FileScan[],
  checkedTable: string,
  /** Folder for the typed rows, one Parquet file per scan; `lineage` columns are written into them. */
  stage: { dir: string; loadId: string },
): Promise<{ rowsPerFile: number[]; shape: CheckedShape; files: string[]; checked: CheckedRows }> {
  await db.run(
    `CREATE OR REPLACE TEMP SEQUENCE late_reason_seq; CREATE OR REPLACE TEMP TABLE late_reasons (_row BIGINT, reason ${REASON_TYPE}, seq BIGINT)`,
  );
  const checked: CheckedRows = { table: checkedTable, reasons: 0 };
  const typedColumns = entity.columns
    .map((column) => {
      const raw = ident(column.name); // in the scan, a declared column holds its raw text
      return `${typedExpression(column, source, raw)} AS ${raw}, ${raw} AS ${ident(rawName(column.name))}`;
    })
    .join(',\n    ');
  // The table is as narrow as the entity allows: every column of ten million rows costs memory.
  const shape: CheckedShape = {
    extra: scans.some((scan) => scan.yields.extra),
    formatError: scans.some((scan) => scan.yields.formatError),
    line: scans.some((scan) => scan.yields.line),
  };
  const lineage = [
    '_file_id',
    shape.formatError && '_format_error',
    shape.extra && '_extra',
    shape.line && '_line',
  ]
    .filter(Boolean)
    .join(', ');
  // Raw text is kept only where typing gave NULL, all such fields of a row in one JSON value
  // (`_untyped`): one slot per row instead of one per column. Text needs no copy: NULL text was empty.
  const untypedColumns = entity.columns.filter((column) => column.type !== 'text');
  const untyped =
    untypedColumns.length === 0
      ? ''
      : `, CASE WHEN ${untypedColumns.map((column) => `${ident(column.name)} IS NULL`).join(' OR ')}
          THEN json_object(${untypedColumns.map((column) => `${sqlString(column.name)}, ${ident(rawName(column.name))}`).join(', ')}) END AS _untyped`;
  const rowsAdded: number[] = [];
  const files: string[] = [];
  for (const scan of scans) {
    const typed = `SELECT ${scan.fileId} AS _file_id, _format_error, _extra, _line,\n    ${typedColumns}\n  FROM (${scan.select})`;
    // Streamed to Parquet in file order, as a plain copy would be: little memory whatever the
    // size, fast columnar scans for the checks, and a file that can become the raw partition as it is.
    const target = path.join(stage.dir, `part-${scan.fileId}.parquet`);
    const select = `SELECT ${entity.columns.map((column) => ident(column.name)).join(', ')}, ${shape.extra ? '_extra' : 'CAST(NULL AS JSON) AS _extra'},
      ${oneValueEnum(stage.loadId)} AS _load_id, ${oneValueEnum(scan.file.name)} AS _file, ${lineage}${untyped}
      FROM (${typed})`;
    const written = await timed(`  read, type and stage ${scan.file.name}`, () =>
      scan.guard(() => db.scalar<bigint>(`COPY (${select}) TO ${sqlString(target)} (FORMAT parquet)`)),
    );
    rowsAdded.push(Number(written));
    files.push(target);
  }
  // Row identity: the file and the row's place in it (its record order).
  await db.run(`CREATE OR REPLACE VIEW ${checkedTable} AS
    SELECT * EXCLUDE (file_row_number), (CAST(_file_id AS BIGINT) << ${ROW_BITS}) + file_row_number AS _row
    FROM read_parquet(${sqlList(files)}, file_row_number = true)`);
  // A record that could not be split into fields has no fields to check: that is its one reason.
  // One scan for all field checks: cheap conditions filter, and the reason list is built
  // only for the rows that fail one.
  const checks = entity.columns.flatMap((column) => fieldChecks(column, source));
  const notSplit = shape.formatError ? 'row._format_error IS NULL AND ' : '';
  const anyFailed = checks.map((check) => `coalesce(${check.failed}, false)`).join(' OR ') || 'false';
  const reasonsOf = `list_filter([${checks.map((check) => `CASE WHEN ${check.failed} THEN ${check.reason} END`).join(', ')}], r -> r IS NOT NULL)`;
  const failures = [
    ...(shape.formatError
      ? [
          `SELECT row._row, ${reason('malformed_row', null, 'row._format_error', 'check the record: write one JSON object per line, or give the line as many fields as declared')} AS reason FROM ${checkedTable} AS row WHERE row._format_error IS NOT NULL`,
        ]
      : []),
    `SELECT _row, unnest(reasons) AS reason FROM (SELECT row._row, ${reasonsOf} AS reasons FROM ${checkedTable} AS row WHERE ${notSplit}(${anyFailed}))`,
  ];
  await timed(`  check fields ${entity.name}`, () =>
    addLateReasons(db, checked, failures.join('\nUNION ALL\n')),
  );
  return { rowsPerFile: rowsAdded, shape, files, checked };
}

/**
 * A constant text column as a one-value ENUM: Parquet gets the same UTF-8 column (read back
 * as VARCHAR), but DuckDB writes it from the enum's dictionary instead of hashing the same
 * string once per row, which costs as much as typing a column.
 */
function oneValueEnum(value: string): string {
  return `CAST(${sqlString(value)} AS ENUM (${sqlString(value)}))`;
}

/** Which optional columns the checked table has. */
export interface CheckedShape {
  extra: boolean;
  formatError: boolean;
  line: boolean;
}

/** Rows that have passed every check so far; no anti-join when no row has a reason yet (the common case). */
function loadableRows(checked: CheckedRows): string {
  return checked.reasons
    ? `(SELECT c.* FROM ${checked.table} c ANTI JOIN late_reasons l ON l._row = c._row)`
    : `(SELECT c.* FROM ${checked.table} c)`;
}

/**
 * Every checked row with all its reasons (`_reasons` NULL when it loads) and its identity
 * `_row`. When no row failed anything (the common case) the join is skipped.
 */
export function finalRowsSql(checked: CheckedRows): string {
  if (!checked.reasons) {
    return `(SELECT c.*, CAST(NULL AS ${REASON_TYPE}[]) AS _reasons FROM ${checked.table} c)`;
  }
  return `(SELECT c.*, l.reasons AS _reasons
    FROM ${checked.table} c LEFT JOIN (SELECT _row, list(reason ORDER BY seq) AS reasons FROM late_reasons GROUP BY _row) l ON l._row = c._row)`;
}

/** Adds reasons (`_row`, `reason`) found by a later pass. */
async function addLateReasons(db: DuckSession, checked: CheckedRows, sql: string): Promise<void> {
  const inserted = await db.scalar<bigint>(
    `INSERT INTO late_reasons SELECT _row, reason, nextval('late_reason_seq') FROM (${sql})`,
  );
  checked.reasons += Number(inserted);
}

/**
 * Pass 2: rules and references, set-based, over every row that could be split into fields
 * (a row keeps all its reasons).
 * Bare entity names in rules resolve to `parentSchema` (the state after this load).
 */
export async function checkRulesAndReferences(
  db: DuckSession,
  entity: EntityDeclaration,
  checked: CheckedRows,
  plan: CheckPlan,
): Promise<void> {
  const checkedTable = checked.table;
  const failures = [
    ...entity.rules.map((rule) => {
      const check = ruleCheck(entity, rule);
      return `SELECT row._row, ${check.reason} AS reason FROM ${checkedTable} AS row WHERE ${check.failed}`;
    }),
    ...entity.references.map((reference) =>
      referenceFailures(
        entity,
        reference,
        checkedTable,
        plan.parentSchema,
        plan.quarantinedKeys.get(reference.entity),
      ),
    ),
  ];
  if (failures.length === 0) return;
  await db.run(`SET search_path = ${sqlString(`${plan.parentSchema},main,temp`)}`);
  try {
    await addLateReasons(db, checked, failures.map((sql) => `(${sql})`).join('\nUNION ALL\n'));
  } finally {
    await db.run(`SET search_path = 'main'`);
  }
}

/**
 * Pass 3: rows sharing a key inside one drop (CONTRACT §1). Identical rows load once (the
 * first, in file and record order) and the rest are duplicates; rows that differ are all
 * conflicting. Only rows that pass every other check take part.
 */
export async function checkKeys(
  db: DuckSession,
  entity: EntityDeclaration,
  checked: CheckedRows,
): Promise<void> {
  const key = entity.key.map(ident).join(', ');
  const rows = loadableRows(checked);
  // Find 64-bit hashes of the key that occur more than once (much cheaper than comparing the
  // key's strings), then confirm the few candidates on the key itself: a hash collision is not
  // a shared key. Sorting the hashes and comparing neighbours costs half of grouping them
  // (ten million distinct keys make a large hash table).
  await db.run(`
    CREATE OR REPLACE TEMP TABLE shared_hashes AS
    SELECT DISTINCT h FROM (
      SELECT h, lag(h) OVER (ORDER BY h) AS previous FROM (SELECT hash(${key}) AS h FROM ${rows})
    ) WHERE h = previous`);
  await db.run(`
    CREATE OR REPLACE TEMP TABLE shared_keys AS
    SELECT ${key} FROM ${rows} c SEMI JOIN shared_hashes s ON hash(${entity.key.map((column) => `c.${ident(column)}`).join(', ')}) = s.h GROUP BY ${key} HAVING count(*) > 1`);
  if (!Number(await db.scalar<bigint>('SELECT count(*) FROM shared_keys'))) return;
  const partition = entity.key.map((column) => `c.${ident(column)}`).join(', ');
  const keyText = entity.key
    .map((column, i) => `'${i ? ', ' : ''}${column}=' || coalesce(${typedText(entity, column, 'c')}, '')`)
    .join(' || ');
  const content = `hash(${entity.columns.map((column) => `c.${ident(column.name)}`).join(', ')})`;
  await db.run(`
    CREATE OR REPLACE TEMP TABLE key_verdicts AS
    SELECT c._row,
           count(DISTINCT ${content}) OVER (PARTITION BY ${partition}) AS variants,
           row_number() OVER (PARTITION BY ${partition} ORDER BY c._row) AS position,
           count(*) OVER (PARTITION BY ${partition}) AS rows_sharing,
           ${keyText} AS key_text
    FROM ${rows} c SEMI JOIN shared_keys s USING (${key})`);
  await addLateReasons(
    db,
    checked,
    `SELECT _row, CASE
      WHEN variants > 1 THEN ${reason('conflicting_key', entity.key.join(', '), `CAST(rows_sharing AS VARCHAR) || ' rows share the key (' || key_text || ') with different values; none of them loaded'`, 'keep one row per key in the drop: remove or correct the others')}
      ELSE ${reason('duplicate_row', entity.key.join(', '), `'an identical row with the same key (' || key_text || ') came earlier in the drop and loaded'`, 'nothing is lost: the first copy loaded; remove the repeated rows from the export')}
    END AS reason
    FROM key_verdicts WHERE variants > 1 OR position > 1`,
  );
}

/** Pass 4: intervals of one `by` group that overlap (half-open) quarantine every row involved. */
export async function checkOverlaps(
  db: DuckSession,
  entity: EntityDeclaration,
  checked: CheckedRows,
): Promise<void> {
  const rule = entity.noOverlap;
  if (!rule) return;
  const by = rule.by.map(ident).join(', ');
  const start = ident(rule.start);
  const end = ident(rule.end);
  const rows = loadableRows(checked);
  const window = `PARTITION BY ${by} ORDER BY ${start}, ${end}, _row`;
  // In start order, if any two intervals of a group overlap then some neighbours do (the one
  // after the earlier starts before it ends). Comparing neighbours is cheap; the running maximum
  // that finds every row involved is not, so it runs only when a neighbour test fails.
  const anyOverlap = await db.scalar<boolean>(`SELECT EXISTS (
      SELECT 1 FROM (SELECT ${start}, ${end}, lead(${start}) OVER (${window}) AS next_start FROM ${rows})
      WHERE next_start < ${end})`);
  if (!anyOverlap) return;
  const iso = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;
  await addLateReasons(
    db,
    checked,
    `SELECT _row, ${reason(
      'overlapping_interval',
      rule.start,
      `'[' || ${iso(start)} || ', ' || ${iso(end)} || ') overlaps another interval of ${rule.by.join(', ')} ' || group_text || ' in this drop'`,
      `correct the ${rule.start}/${rule.end} of the rows involved so that intervals of one ${rule.by.join(', ')} do not overlap`,
    )} AS reason
    FROM (
      SELECT _row, ${by}, ${start}, ${end}, ${rule.by.map((c) => `CAST(${ident(c)} AS VARCHAR)`).join(" || ', ' || ")} AS group_text,
             max(${end}) OVER (${window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end,
             lead(${start}) OVER (${window}) AS next_start
      FROM ${rows}
    )
    WHERE earlier_end > ${start} OR next_start < ${end}`,
  );
}

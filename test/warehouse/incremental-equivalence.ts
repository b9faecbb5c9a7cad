/**
 * Compares two builds of one lake model by model, as multisets of rows: the check behind
 * incremental-equivalence.test.ts (an incremental build must equal a full rebuild of the same
 * load). Each build's models are read as a reader sees them (time travel to the build id, so
 * views read that build's tables) and copied to Parquet; one DuckDB session then compares the
 * two copies of each model.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckSession, ident, sqlString } from '../../src/lake/duckdb.js';
import { openLakeReader } from '../../src/lake/reader.js';

/** A model as one build has it: its columns (name and DuckDB type) and a Parquet copy of its rows. */
export interface ModelCopy {
  columns: { name: string; type: string }[];
  file: string;
}

/** What differs in one model between the two builds; `lines` say it for a developer. */
export interface ModelDifference {
  model: string;
  lines: string[];
}

/**
 * DuckDB aggregates floats in whatever order the rows reach it: threads take row groups in
 * parallel and combine their partial sums in varying order, and an incremental model's rows
 * arrive from several Parquet parts instead of one. So a DOUBLE made by sum, avg, stddev or
 * regr_slope can differ in its last bits between two builds of the very same rows. Such an
 * error is relative to the magnitude of the terms, not of the result: a figure near zero by
 * cancellation (mart_degradation_signature's slope, regressed on epoch hours of about 5e5)
 * keeps an absolute error of its inputs' scale, 1e-9 of its own value and more. Hence a DOUBLE
 * may differ by a relative 1e-9 of the larger of the two values or of the largest magnitude
 * of its column in the model; every other type must be equal.
 */
export const DOUBLE_RELATIVE_TOLERANCE = 1e-9;
const FLOAT_TYPES = new Set(['DOUBLE', 'FLOAT']);
/** The number of a left-over row in the pairing of float noise (a name no model column has). */
const PAIR = '_equivalence_pair';
/** Rows shown per side of a difference. */
const SAMPLE_ROWS = 3;

/** Copies each of `models` as build `buildId` has it to `<dir>/<model>.parquet`; absent models are left out. */
export async function copyBuildModels(
  lake: string,
  buildId: string,
  models: readonly string[],
  dir: string,
): Promise<Map<string, ModelCopy>> {
  await mkdir(dir, { recursive: true });
  const reader = await openLakeReader(lake, { asOf: buildId });
  const copies = new Map<string, ModelCopy>();
  try {
    if (reader.build?.id !== buildId) throw new Error(`build ${buildId} is not in the lake`);
    for (const model of models) {
      if (!reader.models.includes(model)) continue;
      const columns = (
        await reader.db.all<{ column_name: string; column_type: string }>(`DESCRIBE ${ident(model)}`)
      ).map((column) => ({ name: column.column_name, type: column.column_type }));
      const file = path.join(dir, `${model}.parquet`);
      await reader.db.run(`COPY (SELECT * FROM ${ident(model)}) TO ${sqlString(file)} (FORMAT parquet)`);
      copies.set(model, { columns, file });
    }
  } finally {
    reader.close();
  }
  return copies;
}

/** Every model whose rows differ between two builds' copies (`a` and `b` name the builds in messages). */
export async function compareBuildCopies(
  models: readonly string[],
  a: { label: string; copies: Map<string, ModelCopy> },
  b: { label: string; copies: Map<string, ModelCopy> },
): Promise<ModelDifference[]> {
  const db = await DuckSession.open();
  const differences: ModelDifference[] = [];
  try {
    for (const model of models) {
      const left = a.copies.get(model);
      const right = b.copies.get(model);
      if (!left || !right) {
        differences.push({ model, lines: [`only in ${left ? a.label : b.label}`] });
        continue;
      }
      const lines = await compareModel(db, left, right, a.label, b.label);
      if (lines.length > 0) differences.push({ model, lines });
    }
  } finally {
    db.close();
  }
  return differences;
}

async function compareModel(
  db: DuckSession,
  left: ModelCopy,
  right: ModelCopy,
  leftLabel: string,
  rightLabel: string,
): Promise<string[]> {
  const shape = (copy: ModelCopy) => copy.columns.map((column) => `${column.name} ${column.type}`).join(', ');
  if (shape(left) !== shape(right))
    return [`columns differ:`, `  ${leftLabel}: ${shape(left)}`, `  ${rightLabel}: ${shape(right)}`];

  const scan = (copy: ModelCopy) => `read_parquet(${sqlString(copy.file)})`;
  // Rows of one side that the other lacks, counted as a multiset (EXCEPT ALL keeps duplicates,
  // and treats NULL as equal to NULL). Rows equal to the last bit cancel out here.
  await db.run(`CREATE OR REPLACE TEMP TABLE only_left AS
    SELECT * FROM ${scan(left)} EXCEPT ALL SELECT * FROM ${scan(right)}`);
  await db.run(`CREATE OR REPLACE TEMP TABLE only_right AS
    SELECT * FROM ${scan(right)} EXCEPT ALL SELECT * FROM ${scan(left)}`);
  const count = (relation: string) => db.scalar<bigint>(`SELECT count(*) FROM ${relation}`).then(Number);
  const onlyLeft = await count('only_left');
  const onlyRight = await count('only_right');
  if (onlyLeft === 0 && onlyRight === 0) return [];
  const leftRows = await count(scan(left));
  const rightRows = await count(scan(right));

  const floats = left.columns.filter((column) => FLOAT_TYPES.has(column.type)).map((column) => column.name);
  const exact = left.columns.filter((column) => !FLOAT_TYPES.has(column.type)).map((column) => column.name);
  const header = `${leftLabel}: ${leftRows} rows, ${rightLabel}: ${rightRows} rows`;
  if (floats.length === 0 || onlyLeft !== onlyRight) {
    return [
      `${header}; ${onlyLeft} only in ${leftLabel}, ${onlyRight} only in ${rightLabel}`,
      ...(await sample(db, `only_left ORDER BY ${byColumns([...exact, ...floats])}`, `only in ${leftLabel}`)),
      ...(await sample(
        db,
        `only_right ORDER BY ${byColumns([...exact, ...floats])}`,
        `only in ${rightLabel}`,
      )),
    ];
  }

  // The rows left over differ somewhere, perhaps only in float noise: pair them in the order of
  // their exact columns (then floats) and accept a pair whose floats are within the tolerance.
  const numbered = (table: string) =>
    `(SELECT row_number() OVER (ORDER BY ${byColumns([...exact, ...floats])}) AS ${PAIR}, * FROM ${table})`;
  const scale = (column: string) => `s.${ident(`scale_${column}`)}`;
  const scales = floats
    .map(
      (column) =>
        `max(abs(${ident(column)})) FILTER (WHERE isfinite(${ident(column)})) AS ${ident(`scale_${column}`)}`,
    )
    .join(', ');
  const same = [
    ...exact.map((column) => `l.${ident(column)} IS NOT DISTINCT FROM r.${ident(column)}`),
    ...floats.map((column) => {
      const [l, r] = [`l.${ident(column)}`, `r.${ident(column)}`];
      // A NULL against a number is a difference (coalesce: the arithmetic would say NULL).
      const close = `abs(${l} - ${r}) <= ${DOUBLE_RELATIVE_TOLERANCE} * greatest(abs(${l}), abs(${r}), ${scale(column)})`;
      return `(${l} IS NOT DISTINCT FROM ${r} OR coalesce(${close}, false))`;
    }),
  ].join(' AND ');
  await db.run(`CREATE OR REPLACE TEMP TABLE unmatched AS
    WITH s AS (SELECT ${scales} FROM (SELECT * FROM ${scan(left)} UNION ALL SELECT * FROM ${scan(right)}))
    SELECT l.${PAIR} FROM ${numbered('only_left')} l JOIN ${numbered('only_right')} r USING (${PAIR}), s
    WHERE NOT (${same})`);
  const unmatched = await count('unmatched');
  if (unmatched === 0) return [];
  // The k-th row shown of each side is one pair.
  const pairs = (table: string, label: string) =>
    sample(db, `${numbered(table)} t SEMI JOIN unmatched u USING (${PAIR}) ORDER BY ${PAIR}`, label);
  return [
    `${header}; ${unmatched} rows differ: a DOUBLE beyond its tolerance (relative ${DOUBLE_RELATIVE_TOLERANCE}) or another column at all`,
    ...(await pairs('only_left', leftLabel)),
    ...(await pairs('only_right', rightLabel)),
  ];
}

/** The first few rows of `from` (a relation and its ORDER BY) as JSON lines, without the pair number. */
async function sample(db: DuckSession, from: string, label: string): Promise<string[]> {
  const rows = await db.json(`SELECT * FROM ${from} LIMIT ${SAMPLE_ROWS}`);
  return rows.map(({ [PAIR]: _, ...row }) => `  ${label}: ${JSON.stringify(row)}`);
}

function byColumns(columns: string[]): string {
  return columns.map(ident).join(', ');
}

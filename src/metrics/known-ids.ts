/**
 * After an empty answer: an id the user gave must exist in the warehouse, else a mistake that
 * names the closest id, so a typo is not mistaken for "no data". Shared by `lathe kpi --where`
 * and the API's parameters.
 */
import type { DuckSession } from '../lake/duckdb.js';
import { LatheError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';

export interface IdCheck {
  /** The id's name in the message (`line`, `machine`, …). */
  field: string;
  values: readonly string[];
  /** Fixed by the caller, never the user's. */
  table: string;
  /** SQL over `table`, fixed by the caller. */
  column: string;
  /** Default `unknown_value`. */
  code?: string;
  /** The request field the values came from; default `field`. */
  parameter?: string;
}

export async function checkKnownIds(db: DuckSession, checks: readonly IdCheck[]): Promise<void> {
  for (const check of checks) {
    if (check.values.length === 0) continue;
    const known = (
      await db.json<{ value: string }>(
        `select distinct cast(${check.column} as varchar) as value from ${check.table} where ${check.column} is not null order by 1`,
      )
    ).map((row) => row.value);
    const unknown = check.values.find((value) => !known.includes(value));
    if (unknown === undefined) continue;
    throw unknownIdError({
      code: check.code ?? 'unknown_value',
      field: check.field,
      value: unknown,
      known,
      place: 'the warehouse',
      fix: known.length
        ? `use one of: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`
        : `the warehouse has no ${check.field} yet`,
      parameter: check.parameter ?? check.field,
    });
  }
}

/** The mistake of an id that is not among `known`, naming the closest one. */
export function unknownIdError(id: {
  code: string;
  /** The id's name in the message. */
  field: string;
  value: string;
  known: readonly string[];
  /** Where it was looked for: `the warehouse`, `this lake`. */
  place: string;
  fix: string;
  /** The request field to point at, if any. */
  parameter?: string;
}): LatheError {
  const suggestion = closestName(id.value, id.known);
  const shown = id.value.length > 80 ? `${id.value.slice(0, 80)}…` : id.value;
  return new LatheError(
    id.code,
    `there is no ${id.field} \`${shown}\` in ${id.place}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
    { fix: id.fix, exitCode: 2, location: id.parameter ? { field: id.parameter } : {} },
  );
}

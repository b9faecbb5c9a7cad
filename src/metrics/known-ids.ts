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
    const suggestion = closestName(unknown, known);
    const shown = unknown.length > 80 ? `${unknown.slice(0, 80)}…` : unknown;
    throw new LatheError(
      check.code ?? 'unknown_value',
      `there is no ${check.field} \`${shown}\` in the warehouse${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
      {
        fix: known.length
          ? `use one of: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`
          : `the warehouse has no ${check.field} yet`,
        exitCode: 2,
        location: { field: check.parameter ?? check.field },
      },
    );
  }
}

/**
 * Small helpers for the routes' SQL over the warehouse: filters built from fixed column
 * names with every value bound as a parameter, and the did-you-mean for an id that the
 * warehouse does not have.
 */
import type { LakeReader } from '../lake/reader.js';
import { checkKnownIds } from '../metrics/known-ids.js';

export class Filters {
  readonly conditions: string[] = [];
  readonly params: string[] = [];

  /** `column = $n` when a value is given; the column is the route's own, never the user's. */
  equal(column: string, value: string | undefined): this {
    if (value !== undefined) this.conditions.push(`${column} = ${this.param(value)}`);
    return this;
  }

  param(value: string): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** `column` within the days `from`..`to` (both inclusive, either optional). */
  days(column: string, from: string | undefined, to: string | undefined): this {
    if (from !== undefined) this.add(`${column} >= cast(${this.param(from)} as date)`);
    if (to !== undefined) this.add(`${column} <= cast(${this.param(to)} as date)`);
    return this;
  }

  add(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  where(): string {
    return this.conditions.length ? `where ${this.conditions.join(' and ')}` : '';
  }
}

/** The did-you-mean checks of the `plant`, `line` and `machine` parameters. */
export function placeChecks(place: { plant?: string; line?: string; machine?: string }) {
  return [
    { field: 'plant', value: place.plant, table: 'dim_plant', column: 'plant_id' },
    { field: 'line', value: place.line, table: 'dim_line', column: 'line_id' },
    { field: 'machine', value: place.machine, table: 'dim_machine', column: 'machine_id' },
  ];
}

/**
 * After an empty answer: each given id must exist in `table.column`, else a 400 (or 404 for
 * a path parameter) with the closest id, so a typo is not mistaken for "no data".
 */
export function checkIds(
  reader: LakeReader,
  checks: Array<{ field: string; value: string | undefined; table: string; column: string; code?: string }>,
): Promise<void> {
  return checkKnownIds(
    reader.db,
    checks.map(({ value, ...check }) => ({ ...check, values: value === undefined ? [] : [value] })),
  );
}

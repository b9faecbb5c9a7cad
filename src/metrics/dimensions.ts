/**
 * The dimensions a KPI can be grouped by (`--by`) and filtered on (`--where`). Each is
 * declared once: its output column, its SQL over the normalized source columns
 * (src/metrics/sources.ts), and what a valid filter value looks like.
 */

export type DimensionName =
  | 'machine'
  | 'line'
  | 'plant'
  | 'product'
  | 'order'
  | 'shift'
  | 'day'
  | 'week'
  | 'month';

export interface Dimension {
  name: DimensionName;
  /** The column the result carries for it. */
  column: string;
  /** SQL over a normalized source row. */
  sql: string;
  description: string;
  /** Filter values: free text (an id), a date, an ISO week or a month. */
  value: 'id' | 'date' | 'iso_week' | 'month';
  /** Only the product fact has it: time is shared among products by count seconds. */
  productGrain?: boolean;
  /** Calendar time (utilization, TEEP) belongs to a machine and a plant-local day, not to this. */
  noCalendar?: boolean;
}

export const DIMENSIONS: readonly Dimension[] = [
  { name: 'machine', column: 'machine_id', sql: 'machine_id', value: 'id', description: 'one machine' },
  { name: 'line', column: 'line_id', sql: 'line_id', value: 'id', description: "a line's machines" },
  { name: 'plant', column: 'plant_id', sql: 'plant_id', value: 'id', description: "a plant's machines" },
  {
    name: 'product',
    column: 'product_id',
    sql: 'product_id',
    value: 'id',
    productGrain: true,
    noCalendar: true,
    description: 'a product (cell time shared by count-interval seconds; `unassigned` = no counts)',
  },
  {
    name: 'order',
    column: 'order_id',
    sql: 'order_id',
    value: 'id',
    productGrain: true,
    noCalendar: true,
    description: 'a production order (cell time shared by count-interval seconds)',
  },
  {
    name: 'shift',
    column: 'shift_id',
    sql: 'shift_id',
    value: 'id',
    noCalendar: true,
    description: 'one shift',
  },
  {
    name: 'day',
    column: 'day',
    sql: 'production_date',
    value: 'date',
    description: 'production day: the plant-local date on which the shift starts (YYYY-MM-DD)',
  },
  {
    name: 'week',
    column: 'week',
    sql: "strftime(production_date, '%G-W%V')",
    value: 'iso_week',
    description: 'ISO week of the production day (YYYY-Www)',
  },
  {
    name: 'month',
    column: 'month',
    sql: "strftime(production_date, '%Y-%m')",
    value: 'month',
    description: 'month of the production day (YYYY-MM)',
  },
];

export const DIMENSION_NAMES: readonly DimensionName[] = DIMENSIONS.map((dimension) => dimension.name);

export function dimension(name: DimensionName): Dimension {
  return DIMENSIONS.find((candidate) => candidate.name === name)!;
}

export function isDimensionName(name: string): name is DimensionName {
  return (DIMENSION_NAMES as readonly string[]).includes(name);
}

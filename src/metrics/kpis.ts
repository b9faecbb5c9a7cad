/**
 * Every KPI, declared once: the components it sums (per source, as SQL aggregates over the
 * normalized rows of src/metrics/sources.ts) and the formulas it applies to those sums
 * (CONTRACT §3). The query builder (src/metrics/query.ts) turns a declaration into one SQL
 * query for any grain; nothing here knows about grains.
 */
import type { DimensionName } from './dimensions.js';
import { sigmaLevel } from './inverse-normal.js';
import type { Attribute, SourceName } from './sources.js';

/** How the CLI's table shows a value (JSON and CSV stay unrounded). */
export type Display = 'ratio' | 'seconds' | 'count' | 'money' | 'dpmo' | 'sigma' | 'flag' | 'text';

export interface KpiPart {
  source: SourceName;
  /**
   * Counts of a line are counted once: at its first position (input) or last (output). At
   * machine grain (`--by machine` or `--where machine=…`) each machine's own counts.
   */
  scope?: 'line_input' | 'line_output';
  /** Read the product fact even when no product or order is asked for (prices per product). */
  productGrain?: boolean;
  attributes?: Attribute[];
  /** Component name → SQL over one of the source's normalized rows; summed with exactSum. */
  components: Record<string, string>;
  /** Calendar time: joined where the other parts have rows; absent below day grain. */
  calendar?: boolean;
}

export interface KpiColumn {
  name: string;
  /** For people (`lathe kpi --list`, docs). */
  formula: string;
  /** SQL over the summed components; omitted = the component of the same name. */
  sql?: string;
  /** Computed from the row after the query, for what SQL cannot do (Φ⁻¹). */
  compute?: (row: Record<string, unknown>) => number | null;
  display: Display;
  /** Needs calendar time: null when grouped or filtered by shift, product or order. */
  calendar?: boolean;
}

export interface Kpi {
  name: string;
  title: string;
  description: string;
  parts: KpiPart[];
  columns: KpiColumn[];
  /** Dimensions it can be grouped and filtered by (default: all). */
  dimensions?: DimensionName[];
  /** Source columns every row is grouped by, shown after the --by columns. */
  implicitKeys?: string[];
  /**
   * Computed per line position first (SQL over the components, per line_id and
   * line_position), then the columns aggregate over the positions of each line.
   */
  perPosition?: Record<string, string>;
}

/** A ratio: null when its denominator is 0 (or null), never 0 and never an error. */
export function ratio(numerator: string, denominator: string): string {
  return `cast(${numerator} as double) / nullif(${denominator}, 0)`;
}

/** The decimal each summed value is fixed to: 9 decimals in 64 bits, so under 1e9. */
const SUM_DECIMAL = 'decimal(18, 9)';
/** The same 9 decimals in 128 bits, for a value of a billion or more. */
const WIDE_SUM_DECIMAL = 'decimal(38, 9)';

/**
 * A sum that is the same on every run: each value is fixed to 9 decimals (a nanosecond, a
 * billionth of a unit) and added exactly, whatever order DuckDB's threads finish in. Plain
 * double sums differ in the last bits from run to run, and a figure a plant checks by hand
 * must not change when nothing changed.
 *
 * DuckDB adds DECIMAL(18, 9) values into a DECIMAL(38, 9) total: the same total as fixing
 * each value in 38 digits, with a third less work on a small grain (64-bit casts). A row whose
 * value does not fit (a billion seconds, units or money) fails the cast; queryKpi then runs
 * the query again with `widenSums`.
 */
export function exactSum(expression: string): string {
  return `cast(sum(cast(${expression} as ${SUM_DECIMAL})) as double)`;
}

/**
 * One row's value as exactSum gives it for a group of that row alone: fixed to 9 decimals and
 * read back through the 38-digit total, so the double is the same to the last bit.
 */
export function exactValue(expression: string): string {
  return `cast(cast(cast(${expression} as ${SUM_DECIMAL}) as ${WIDE_SUM_DECIMAL}) as double)`;
}

/** The query with every value fixed in 38 digits: the same figures, for any magnitude. */
export function widenSums(sql: string): string {
  return sql.replaceAll(SUM_DECIMAL, WIDE_SUM_DECIMAL);
}

/** Whether a query failed because a value did not fit exactSum's 64-bit decimal. */
export function isSumOverflow(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes('Conversion Error') && message.includes('DECIMAL(18,9)');
}

/** Components that are the source's columns of the same name. */
function sums(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, name]));
}

function component(name: string, formula: string, display: Display): KpiColumn {
  return { name, formula, display };
}

const ALL_BUT_PRODUCT: DimensionName[] = ['machine', 'line', 'plant', 'shift', 'day', 'week', 'month'];

const oee: Kpi = {
  name: 'oee',
  title: 'OEE with availability, performance and quality',
  description:
    'Time-weighted roll-up of the cells: at line grain this is the line OEE over its machines, not the OEE of its constraint.',
  parts: [
    { source: 'cells', components: sums('ppt_s', 'run_s', 'ideal_s', 'ideal_good_s', 'total', 'good') },
  ],
  columns: [
    { name: 'availability', formula: 'Σrun_s / Σppt_s', sql: ratio('run_s', 'ppt_s'), display: 'ratio' },
    { name: 'performance', formula: 'Σideal_s / Σrun_s', sql: ratio('ideal_s', 'run_s'), display: 'ratio' },
    {
      name: 'quality',
      formula: 'Σideal_good_s / Σideal_s',
      sql: ratio('ideal_good_s', 'ideal_s'),
      display: 'ratio',
    },
    {
      name: 'oee',
      formula: 'A × P × Q = Σideal_good_s / Σppt_s',
      sql: ratio('ideal_good_s', 'ppt_s'),
      display: 'ratio',
    },
    component('ppt_s', 'Σ(shift_s − planned_stop_s)', 'seconds'),
    component('run_s', 'Σ(ppt_s − stop_s)', 'seconds'),
    component('ideal_s', 'Σ ideal_cycle_time_s × total_count', 'seconds'),
    component('ideal_good_s', 'Σ ideal_cycle_time_s × good_count', 'seconds'),
    component('total', 'Σtotal_count', 'count'),
    component('good', 'Σ(total_count − reject_count)', 'count'),
  ],
};

const calendarPart: KpiPart = { source: 'calendar', calendar: true, components: sums('calendar_s') };

const utilization: Kpi = {
  name: 'utilization',
  title: 'Utilization: planned production time over calendar time',
  description:
    'calendar_s is the real length of every plant-local day (23 h or 25 h on daylight-saving days) per machine, days without shifts included; null when grouped or filtered by shift, product or order.',
  parts: [{ source: 'cells', components: sums('ppt_s') }, calendarPart],
  columns: [
    {
      name: 'utilization',
      formula: 'Σppt_s / Σcalendar_s',
      sql: ratio('ppt_s', 'calendar_s'),
      display: 'ratio',
      calendar: true,
    },
    component('ppt_s', 'Σppt_s', 'seconds'),
    { ...component('calendar_s', 'Σ plant-local day length per machine', 'seconds'), calendar: true },
  ],
};

const teep: Kpi = {
  name: 'teep',
  title: 'TEEP: OEE × utilization',
  description: 'Null when grouped or filtered by shift, product or order (as utilization).',
  parts: [{ source: 'cells', components: sums('ppt_s', 'ideal_good_s') }, calendarPart],
  columns: [
    { name: 'oee', formula: 'Σideal_good_s / Σppt_s', sql: ratio('ideal_good_s', 'ppt_s'), display: 'ratio' },
    {
      name: 'utilization',
      formula: 'Σppt_s / Σcalendar_s',
      sql: ratio('ppt_s', 'calendar_s'),
      display: 'ratio',
      calendar: true,
    },
    {
      name: 'teep',
      formula: 'OEE × utilization = Σideal_good_s / Σcalendar_s',
      sql: ratio('ideal_good_s', 'calendar_s'),
      display: 'ratio',
      calendar: true,
    },
    component('ppt_s', 'Σppt_s', 'seconds'),
    component('ideal_good_s', 'Σideal_good_s', 'seconds'),
    { ...component('calendar_s', 'Σ plant-local day length per machine', 'seconds'), calendar: true },
  ],
};

const yieldKpi: Kpi = {
  name: 'yield',
  title: 'Yield (count-based)',
  description: 'First-pass good units over all units, summed over the cells.',
  parts: [{ source: 'cells', components: sums('total', 'good') }],
  columns: [
    { name: 'yield', formula: 'Σgood / Σtotal', sql: ratio('good', 'total'), display: 'ratio' },
    component('total', 'Σtotal_count', 'count'),
    component('good', 'Σ(total_count − reject_count)', 'count'),
  ],
};

const WATERFALL_PARTS =
  'ideal_good_s + breakdown_s + setup_s + other_stop_s + small_stop_s + (run_s - ideal_s - small_stop_s) + (ideal_s - ideal_good_s)';

const waterfall: Kpi = {
  name: 'waterfall',
  title: 'Loss waterfall (seconds)',
  description:
    'Planned production time split into fully productive time and its losses; speed loss is negative when P > 1 (reported as is, never clamped).',
  parts: [
    {
      source: 'cells',
      components: sums(
        'ppt_s',
        'run_s',
        'ideal_s',
        'ideal_good_s',
        'breakdown_s',
        'setup_s',
        'other_stop_s',
        'small_stop_s',
      ),
    },
  ],
  columns: [
    component('ppt_s', 'Σppt_s', 'seconds'),
    component('ideal_good_s', 'Σideal_good_s (fully productive time)', 'seconds'),
    component('breakdown_s', 'Σbreakdown_s', 'seconds'),
    component('setup_s', 'Σsetup_s', 'seconds'),
    component('other_stop_s', 'Σother_stop_s', 'seconds'),
    component('small_stop_s', 'Σsmall_stop_s', 'seconds'),
    {
      name: 'speed_loss_s',
      formula: 'Σrun_s − Σideal_s − Σsmall_stop_s',
      sql: 'run_s - ideal_s - small_stop_s',
      display: 'seconds',
    },
    {
      name: 'quality_loss_s',
      formula: 'Σideal_s − Σideal_good_s',
      sql: 'ideal_s - ideal_good_s',
      display: 'seconds',
    },
    {
      name: 'residual_s',
      formula:
        'ppt_s − (ideal_good_s + breakdown_s + setup_s + other_stop_s + small_stop_s + speed_loss_s + quality_loss_s)',
      sql: `ppt_s - (${WATERFALL_PARTS})`,
      display: 'seconds',
    },
    {
      name: 'adds_up',
      formula: '|residual_s| ≤ 1e-6 s',
      sql: `abs(ppt_s - (${WATERFALL_PARTS})) <= 1e-6`,
      display: 'flag',
    },
  ],
};

const reliability: Kpi = {
  name: 'reliability',
  title: 'Reliability: MTBF, MTTR, inherent availability',
  description:
    'A failure is a merged breakdown stop of at least the small-stop threshold; it counts in the cell of its first remaining second with all its repair seconds. With no failures MTBF and MTTR are null and the run time is the censored exposure.',
  dimensions: ALL_BUT_PRODUCT,
  parts: [{ source: 'cells', components: sums('failures', 'run_s', 'repair_s') }],
  columns: [
    component('failures', 'Σfailures', 'count'),
    { name: 'mtbf_s', formula: 'Σrun_s / failures', sql: ratio('run_s', 'failures'), display: 'seconds' },
    {
      name: 'mttr_s',
      formula: 'Σrepair_s / failures',
      sql: ratio('repair_s', 'failures'),
      display: 'seconds',
    },
    {
      name: 'inherent_availability',
      formula: 'MTBF / (MTBF + MTTR)',
      sql: `case when failures > 0 then ${ratio('run_s', 'run_s + repair_s')} end`,
      display: 'ratio',
    },
    {
      name: 'censored_exposure_s',
      formula: 'Σrun_s when there is no failure, else null',
      sql: 'case when failures = 0 then cast(run_s as double) end',
      display: 'seconds',
    },
    component('run_s', 'Σrun_s', 'seconds'),
    component('repair_s', 'Σ repair seconds of the failures', 'seconds'),
  ],
};

/** Scrap or rework rate: the same roll-up, by the defects' disposition. */
function dispositionRate(disposition: 'scrap' | 'rework', title: string, verb: string): Kpi {
  const quantity = `${disposition}_qty`;
  return {
    name: disposition,
    title,
    description:
      "Machine grain: the machine's own total; otherwise the line input total (first line position).",
    parts: [
      { source: 'cells', scope: 'line_input', components: sums('total') },
      {
        source: 'defects',
        components: { [quantity]: `case when disposition = '${disposition}' then quantity end` },
      },
    ],
    columns: [
      {
        name: `${disposition}_rate`,
        formula: `Σ${verb} / Σtotal`,
        sql: ratio(quantity, 'total'),
        display: 'ratio',
      },
      component(quantity, `Σ defect quantity with disposition ${disposition}`, 'count'),
      component('total', 'Σtotal (line input, or the machine’s own)', 'count'),
    ],
  };
}

const scrap = dispositionRate('scrap', 'Scrap rate', 'scrapped');
const rework = dispositionRate('rework', 'Rework rate', 'reworked');

const dpmo: Kpi = {
  name: 'dpmo',
  title: 'DPMO and sigma level',
  description:
    "Machine grain: the machine's own units; otherwise the line input. Sigma level uses Φ⁻¹ by Wichura's AS 241 and the 1.5 σ shift; null when DPMO is 0.",
  parts: [
    {
      source: 'cells',
      scope: 'line_input',
      productGrain: true,
      attributes: ['product'],
      components: { units: 'total', opportunities: 'total * defect_opportunities' },
    },
    { source: 'defects', components: { defects: 'quantity' } },
  ],
  columns: [
    {
      name: 'dpmo',
      formula: 'Σdefects.quantity × 1e6 / Σ(total_count × defect_opportunities)',
      sql: ratio('defects * 1e6', 'opportunities'),
      display: 'dpmo',
    },
    {
      name: 'sigma_level',
      formula: 'Φ⁻¹(1 − DPMO/1e6) + 1.5 (null when DPMO is 0)',
      compute: (row) => sigmaLevel(row.dpmo as number | null),
      display: 'sigma',
    },
    component('defects', 'Σ defect quantity (every disposition)', 'count'),
    component('units', 'Σtotal (line input, or the machine’s own)', 'count'),
    component('opportunities', 'Σ(total_count × defect_opportunities)', 'count'),
  ],
};

const fpy: Kpi = {
  name: 'fpy',
  title: 'First-pass yield per line position',
  description: 'Pooled over the machines at one position of a line (or per machine with --by machine).',
  implicitKeys: ['line_id', 'line_position'],
  parts: [{ source: 'cells', components: sums('total', 'good') }],
  columns: [
    { name: 'fpy', formula: 'Σgood / Σtotal', sql: ratio('good', 'total'), display: 'ratio' },
    component('total', 'Σtotal_count', 'count'),
    component('good', 'Σ(total_count − reject_count)', 'count'),
  ],
};

const rty: Kpi = {
  name: 'rty',
  title: 'Rolled throughput yield per line',
  description:
    "Product of the line's positions' FPY in line_position order; null if any position's FPY is null or a position has no cell.",
  dimensions: ['line', 'plant', 'product', 'order', 'shift', 'day', 'week', 'month'],
  implicitKeys: ['line_id'],
  parts: [{ source: 'cells', components: sums('total', 'good') }],
  perPosition: { fpy: ratio('good', 'total') },
  columns: [
    {
      name: 'rty',
      formula: 'Π FPY(line position)',
      // Multiplied in line_position order: product() takes the rows in whatever order the
      // threads finish, and the last bits of a product of doubles depend on that order.
      sql: `case when count(fpy) = any_value(position_count)
        then list_reduce(list(fpy order by line_position), lambda so_far, next: so_far * next) end`,
      display: 'ratio',
    },
    { name: 'positions', formula: 'line positions with cells', sql: 'count(*)', display: 'count' },
  ],
};

const cost: Kpi = {
  name: 'cost',
  title: 'Cost, cost of poor quality, revenue and gross margin (plant currency)',
  description:
    'Rates and prices are the current master data. Material at line input, revenue and cost per good unit at line output; machine and labor over every machine of the line.',
  dimensions: ['line', 'plant', 'product', 'order', 'shift', 'day', 'week', 'month'],
  implicitKeys: ['currency'],
  parts: [
    {
      source: 'cells',
      attributes: ['plant', 'machine'],
      components: {
        machine: 'ppt_s / 3600 * hourly_cost',
        labor: 'ppt_s / 3600 * crew_size * labor_rate_per_hour',
      },
    },
    {
      source: 'cells',
      scope: 'line_input',
      productGrain: true,
      attributes: ['plant', 'product'],
      components: { material: 'total * material_cost' },
    },
    {
      source: 'cells',
      scope: 'line_output',
      productGrain: true,
      attributes: ['plant', 'product'],
      components: { output_good: 'good', revenue: 'good * unit_price' },
    },
    {
      source: 'defects',
      attributes: ['plant'],
      components: { scrap_cost: 'scrap_cost', rework_cost: 'rework_cost' },
    },
  ],
  columns: [
    component('material', 'line input Σtotal × material_cost', 'money'),
    component('machine', 'Σppt_s / 3600 × hourly_cost (every machine)', 'money'),
    component('labor', 'Σppt_s / 3600 × crew_size × labor_rate_per_hour (every machine)', 'money'),
    {
      name: 'cost_per_good_unit',
      formula: '(material + machine + labor) / line output Σgood',
      sql: ratio('material + machine + labor', 'output_good'),
      display: 'money',
    },
    component('scrap_cost', 'Σ scrapped × unit_cost', 'money'),
    component('rework_cost', 'Σ reworked × rework_cost', 'money'),
    { name: 'copq', formula: 'scrap_cost + rework_cost', sql: 'scrap_cost + rework_cost', display: 'money' },
    component('revenue', 'line output Σgood × unit_price', 'money'),
    {
      name: 'gross_margin',
      formula: 'revenue − (material + machine + labor)',
      sql: 'revenue - (material + machine + labor)',
      display: 'money',
    },
    component('output_good', 'line output Σgood', 'count'),
  ],
};

export const KPIS: readonly Kpi[] = [
  oee,
  utilization,
  teep,
  yieldKpi,
  waterfall,
  reliability,
  scrap,
  rework,
  dpmo,
  fpy,
  rty,
  cost,
];

export const KPI_NAMES: readonly string[] = KPIS.map((kpi) => kpi.name);

export function findKpi(name: string): Kpi | undefined {
  return KPIS.find((kpi) => kpi.name === name);
}

/**
 * What the metrics layer sums: the warehouse's core tables, each normalized to the same key
 * columns (machine_id, line_id, plant_id, shift_id, production_date, line_position,
 * product_id, order_id) so that one dimension or filter is one SQL expression everywhere.
 * This is the only module that names the warehouse's tables and columns.
 */

export type SourceName = 'cells' | 'defects' | 'calendar';

/** Current master-data rows joined for rates and prices (the standard in force now). */
export type Attribute = 'plant' | 'machine' | 'product';

/** Every time and count component of a cell (CONTRACT §3), as fact_machine_shift names them. */
export const CELL_COMPONENTS = [
  'shift_s',
  'planned_stop_s',
  'ppt_s',
  'stop_s',
  'breakdown_s',
  'setup_s',
  'other_stop_s',
  'small_stop_s',
  'run_s',
  'total',
  'reject',
  'good',
  'ideal_s',
  'ideal_good_s',
  'failures',
  'repair_s',
] as const;

export interface SourceOptions {
  /** Read the product fact (cell components shared among products and orders). */
  productGrain: boolean;
  attributes: ReadonlySet<Attribute>;
}

const ATTRIBUTE_COLUMNS: Record<Attribute, string[]> = {
  plant: ['pl.currency', 'pl.labor_rate_per_hour'],
  machine: ['dm.hourly_cost', 'dm.crew_size'],
  product: ['dp.material_cost', 'dp.unit_cost', 'dp.rework_cost', 'dp.unit_price', 'dp.defect_opportunities'],
};

/** `x` is the row that carries plant_id, machine_id and product_id. */
function attributeJoins(attributes: ReadonlySet<Attribute>): { columns: string[]; joins: string[] } {
  const columns: string[] = [];
  const joins: string[] = [];
  if (attributes.has('plant')) {
    columns.push(...ATTRIBUTE_COLUMNS.plant);
    joins.push('left join dim_plant pl on pl.plant_id = x.plant_id');
  }
  if (attributes.has('machine')) {
    columns.push(...ATTRIBUTE_COLUMNS.machine);
    joins.push('left join dim_machine dm on dm.machine_id = x.machine_id and dm.is_current');
  }
  if (attributes.has('product')) {
    columns.push(...ATTRIBUTE_COLUMNS.product);
    joins.push('left join dim_product dp on dp.product_id = x.product_id and dp.is_current');
  }
  return { columns, joins };
}

function select(
  keys: string[],
  measures: string[],
  from: string,
  attributes: ReadonlySet<Attribute>,
  where?: string,
): string {
  const extra = attributeJoins(attributes);
  return `select ${[...keys, ...measures, ...extra.columns].join(', ')}\n    from ${from}${extra.joins.map((join) => `\n    ${join}`).join('')}${where ? `\n    where ${where}` : ''}`;
}

/** Key columns every fact row carries (the product fact and fact_defect carry their cell's). */
const CELL_KEYS = [
  'x.machine_id',
  'x.line_id',
  'x.plant_id',
  'x.shift_id',
  'x.production_date',
  'x.line_position',
];
const PRODUCT_KEYS = ['x.product_id', 'x.order_id'];
const NO_PRODUCT_KEYS = ['cast(null as varchar) as product_id', 'cast(null as varchar) as order_id'];

/** One SELECT with the normalized columns of the source. */
export function sourceSql(name: SourceName, options: SourceOptions): string {
  switch (name) {
    case 'cells':
      return select(
        [...CELL_KEYS, ...(options.productGrain ? PRODUCT_KEYS : NO_PRODUCT_KEYS)],
        CELL_COMPONENTS.map((component) => `x.${component}`),
        options.productGrain ? 'fact_machine_shift_product x' : 'fact_machine_shift x',
        options.attributes,
      );
    case 'defects':
      // A defect counts in the machine's shift that contains it; one in no shift counts nowhere.
      return select(
        [...CELL_KEYS, ...PRODUCT_KEYS],
        ['x.quantity', 'x.disposition', 'x.scrap_cost', 'x.rework_cost'],
        'fact_defect x',
        options.attributes,
        'x.shift_id is not null',
      );
    case 'calendar':
      // Every plant-local day of the machine's plant from its first to its last production day,
      // days without shifts included: calendar time is all the time there is.
      return select(
        [
          'x.machine_id',
          'x.line_id',
          'x.plant_id',
          'cast(null as varchar) as shift_id',
          'd.date as production_date',
          'cast(null as integer) as line_position',
          'cast(null as varchar) as product_id',
          'cast(null as varchar) as order_id',
        ],
        ['d.calendar_s'],
        `(select machine_id, line_id, plant_id, min(production_date) as first_day, max(production_date) as last_day
      from fact_machine_shift group by machine_id, line_id, plant_id) x
    join dim_date d on d.plant_id = x.plant_id and d.date between x.first_day and x.last_day`,
        options.attributes,
      );
  }
}

/**
 * The columns that tell one row of the source from another, where the warehouse guarantees
 * it: the facts' unique tests (a build whose test fails is not published). Not with master
 * data joined, whose rows the layer does not vouch for.
 */
export function sourceRowKey(name: SourceName, options: SourceOptions): readonly string[] | undefined {
  if (name !== 'cells' || options.attributes.size > 0) return undefined;
  return options.productGrain
    ? ['machine_id', 'shift_id', 'product_id', 'order_id']
    : ['machine_id', 'shift_id'];
}

/** First and last position of each line (current machines): where a line's input and output are counted. */
export const LINE_BOUNDS_SQL = `select line_id, min(line_position) as first_position, max(line_position) as last_position,
      count(distinct line_position) as position_count
    from dim_machine where is_current group by line_id`;

/** The relations the layer reads, for a friendly error when the warehouse is not built yet. */
export const WAREHOUSE_TABLES = [
  'fact_machine_shift',
  'fact_machine_shift_product',
  'fact_defect',
  'dim_date',
  'dim_machine',
  'dim_plant',
  'dim_product',
];

/**
 * A hand-made warehouse for the metrics layer's tests: the core tables of the warehouse
 * spec (.tmp/warehouse-spec.md §3), with its column names, created in a real DuckDB session
 * from a few readable rows, so the tests need neither the model engine nor a lake.
 */
import { DuckSession, sqlString } from '../../../src/lake/duckdb.js';
import type { KpiReader } from '../../../src/metrics/query.js';

/** One machine in one shift, as the test states it; what follows from it is derived. */
export interface CellInput {
  machine_id: string;
  shift_id: string;
  planned_stop_s?: number;
  breakdown_s?: number;
  setup_s?: number;
  other_stop_s?: number;
  small_stop_s?: number;
  total?: number;
  reject?: number;
  /** Ideal cycle time of the cell's product (s per unit). */
  ideal_cycle_s?: number;
  failures?: number;
  repair_s?: number;
  /** The cell's runs per product; default one product (`A`, order `O-A`) or `unassigned` without counts. */
  products?: ProductShare[];
}

export interface ProductShare {
  product_id: string;
  order_id: string | null;
  /** Share of the cell's count-interval seconds: its share of every time component. */
  share: number;
  total: number;
  reject: number;
  ideal_cycle_s: number;
}

export interface Cell {
  machine_id: string;
  shift_id: string;
  plant_id: string;
  line_id: string;
  line_position: number;
  production_date: string;
  shift_s: number;
  planned_stop_s: number;
  ppt_s: number;
  stop_s: number;
  breakdown_s: number;
  setup_s: number;
  other_stop_s: number;
  small_stop_s: number;
  run_s: number;
  total: number;
  reject: number;
  good: number;
  ideal_s: number;
  ideal_good_s: number;
  failures: number;
  repair_s: number;
}

export type ProductCell = Cell & {
  product_id: string;
  order_id: string | null;
};

export interface PlantInput {
  plant_id: string;
  currency?: string;
  labor_rate_per_hour?: number;
}
export interface MachineInput {
  machine_id: string;
  line_id: string;
  plant_id: string;
  line_position: number;
  hourly_cost?: number;
  crew_size?: number;
}
export interface ProductInput {
  product_id: string;
  material_cost?: number;
  unit_cost?: number;
  rework_cost?: number;
  unit_price?: number;
  defect_opportunities?: number;
}
export interface ShiftInput {
  shift_id: string;
  plant_id: string;
  production_date: string;
  shift_s: number;
}
export interface DayInput {
  plant_id: string;
  date: string;
  calendar_s: number;
}
export interface DefectInput {
  machine_id: string;
  shift_id: string;
  product_id: string;
  order_id: string;
  quantity: number;
  disposition: 'scrap' | 'rework' | 'use_as_is';
}

export interface FactoryInput {
  plants: PlantInput[];
  machines: MachineInput[];
  products?: ProductInput[];
  shifts: ShiftInput[];
  /** Default: one 24 h day per plant and production date of a shift. */
  days?: DayInput[];
  cells: CellInput[];
  defects?: DefectInput[];
}

export interface Factory {
  cells: Cell[];
  productCells: ProductCell[];
  defects: (DefectInput & {
    plant_id: string;
    line_id: string;
    line_position: number;
    production_date: string;
  })[];
  days: DayInput[];
  machines: MachineInput[];
  products: Required<ProductInput>[];
  plants: Required<PlantInput>[];
  shifts: ShiftInput[];
}

const SPLIT = [
  'planned_stop_s',
  'ppt_s',
  'stop_s',
  'breakdown_s',
  'setup_s',
  'other_stop_s',
  'small_stop_s',
  'run_s',
  'failures',
  'repair_s',
] as const;

/** Derives every component the contract defines from what a test states. */
export function buildFactory(input: FactoryInput): Factory {
  const machines = new Map(input.machines.map((machine) => [machine.machine_id, machine]));
  const shifts = new Map(input.shifts.map((shift) => [shift.shift_id, shift]));
  const cells: Cell[] = [];
  const productCells: ProductCell[] = [];
  for (const cellInput of input.cells) {
    const machine = machines.get(cellInput.machine_id)!;
    const shift = shifts.get(cellInput.shift_id)!;
    const products: ProductShare[] =
      cellInput.products ??
      ((cellInput.total ?? 0) > 0
        ? [
            {
              product_id: 'A',
              order_id: 'O-A',
              share: 1,
              total: cellInput.total ?? 0,
              reject: cellInput.reject ?? 0,
              ideal_cycle_s: cellInput.ideal_cycle_s ?? 1,
            },
          ]
        : [{ product_id: 'unassigned', order_id: null, share: 1, total: 0, reject: 0, ideal_cycle_s: 0 }]);
    const planned_stop_s = cellInput.planned_stop_s ?? 0;
    const breakdown_s = cellInput.breakdown_s ?? 0;
    const setup_s = cellInput.setup_s ?? 0;
    const other_stop_s = cellInput.other_stop_s ?? 0;
    const stop_s = breakdown_s + setup_s + other_stop_s;
    const ppt_s = shift.shift_s - planned_stop_s;
    const cell: Cell = {
      machine_id: machine.machine_id,
      shift_id: shift.shift_id,
      plant_id: machine.plant_id,
      line_id: machine.line_id,
      line_position: machine.line_position,
      production_date: shift.production_date,
      shift_s: shift.shift_s,
      planned_stop_s,
      ppt_s,
      stop_s,
      breakdown_s,
      setup_s,
      other_stop_s,
      small_stop_s: cellInput.small_stop_s ?? 0,
      run_s: ppt_s - stop_s,
      total: 0,
      reject: 0,
      good: 0,
      ideal_s: 0,
      ideal_good_s: 0,
      failures: cellInput.failures ?? 0,
      repair_s: cellInput.repair_s ?? 0,
    };
    for (const product of products) {
      const good = product.total - product.reject;
      const row: ProductCell = {
        ...cell,
        product_id: product.product_id,
        order_id: product.order_id,
        shift_s: cell.shift_s * product.share,
        total: product.total,
        reject: product.reject,
        good,
        ideal_s: product.total * product.ideal_cycle_s,
        ideal_good_s: good * product.ideal_cycle_s,
        ...(Object.fromEntries(SPLIT.map((name) => [name, cell[name] * product.share])) as Pick<
          Cell,
          (typeof SPLIT)[number]
        >),
      };
      productCells.push(row);
      cell.total += row.total;
      cell.reject += row.reject;
      cell.good += row.good;
      cell.ideal_s += row.ideal_s;
      cell.ideal_good_s += row.ideal_good_s;
    }
    cells.push(cell);
  }
  const days =
    input.days ??
    [...new Set(input.shifts.map((shift) => `${shift.plant_id}|${shift.production_date}`))].map((key) => {
      const [plant_id, date] = key.split('|') as [string, string];
      return { plant_id, date, calendar_s: 86400 };
    });
  const products = (input.products ?? [{ product_id: 'A' }]).map((product) => ({
    material_cost: 1,
    unit_cost: 3,
    rework_cost: 0.5,
    unit_price: 5,
    defect_opportunities: 1,
    ...product,
  }));
  const plants = input.plants.map((plant) => ({ currency: 'EUR', labor_rate_per_hour: 40, ...plant }));
  const defects = (input.defects ?? []).map((defect) => {
    const machine = machines.get(defect.machine_id)!;
    return {
      ...defect,
      plant_id: machine.plant_id,
      line_id: machine.line_id,
      line_position: machine.line_position,
      production_date: shifts.get(defect.shift_id)!.production_date,
    };
  });
  return {
    cells,
    productCells,
    defects,
    days,
    machines: input.machines,
    products,
    plants,
    shifts: input.shifts,
  };
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return sqlString(String(value));
}

async function createTable(
  db: DuckSession,
  name: string,
  columns: Record<string, string>,
  rows: readonly object[],
): Promise<void> {
  const names = Object.keys(columns);
  await db.run(`create table ${name} (${names.map((column) => `${column} ${columns[column]}`).join(', ')})`);
  for (let start = 0; start < rows.length; start += 500) {
    const values = rows
      .slice(start, start + 500)
      .map(
        (row) => `(${names.map((column) => literal((row as Record<string, unknown>)[column])).join(', ')})`,
      )
      .join(',\n');
    await db.run(`insert into ${name} values ${values}`);
  }
}

const COMPONENT_TYPES = {
  shift_s: 'DOUBLE',
  planned_stop_s: 'DOUBLE',
  ppt_s: 'DOUBLE',
  stop_s: 'DOUBLE',
  breakdown_s: 'DOUBLE',
  setup_s: 'DOUBLE',
  other_stop_s: 'DOUBLE',
  small_stop_s: 'DOUBLE',
  run_s: 'DOUBLE',
  total: 'BIGINT',
  reject: 'BIGINT',
  good: 'BIGINT',
  ideal_s: 'DOUBLE',
  ideal_good_s: 'DOUBLE',
  failures: 'DOUBLE',
  repair_s: 'DOUBLE',
};

/** A DuckDB session holding the factory's warehouse tables, shaped like a lake reader. */
export async function openWarehouse(factory: Factory): Promise<KpiReader & { close(): void }> {
  const db = await DuckSession.open();
  try {
    await createTable(
      db,
      'dim_plant',
      {
        plant_id: 'VARCHAR',
        plant_name: 'VARCHAR',
        region: 'VARCHAR',
        timezone: 'VARCHAR',
        currency: 'VARCHAR',
        labor_rate_per_hour: 'DECIMAL(18,4)',
      },
      factory.plants.map((plant) => ({
        ...plant,
        plant_name: plant.plant_id,
        region: 'EU',
        timezone: 'UTC',
      })),
    );
    await createTable(
      db,
      'dim_line',
      { line_id: 'VARCHAR', plant_id: 'VARCHAR', line_name: 'VARCHAR' },
      [...new Map(factory.machines.map((machine) => [machine.line_id, machine])).values()].map((machine) => ({
        line_id: machine.line_id,
        plant_id: machine.plant_id,
        line_name: machine.line_id,
      })),
    );
    await createTable(
      db,
      'dim_machine',
      {
        machine_key: 'VARCHAR',
        machine_id: 'VARCHAR',
        line_id: 'VARCHAR',
        plant_id: 'VARCHAR',
        machine_name: 'VARCHAR',
        machine_type: 'VARCHAR',
        line_position: 'INTEGER',
        hourly_cost: 'DECIMAL(18,4)',
        crew_size: 'DECIMAL(18,4)',
        valid_from: 'TIMESTAMPTZ',
        valid_to: 'TIMESTAMPTZ',
        is_current: 'BOOLEAN',
      },
      factory.machines.flatMap((machine) => [
        // A superseded version with other rates: the layer must read the current one.
        {
          ...machine,
          machine_key: `${machine.machine_id}#0`,
          hourly_cost: 999,
          crew_size: 99,
          valid_from: '2025-01-01T00:00:00Z',
          valid_to: '2026-01-01T00:00:00Z',
          is_current: false,
        },
        {
          hourly_cost: 60,
          crew_size: 1,
          ...machine,
          machine_key: `${machine.machine_id}#1`,
          machine_name: machine.machine_id,
          machine_type: 'press',
          valid_from: '2026-01-01T00:00:00Z',
          valid_to: null,
          is_current: true,
        },
      ]),
    );
    await createTable(
      db,
      'dim_product',
      {
        product_key: 'VARCHAR',
        product_id: 'VARCHAR',
        product_name: 'VARCHAR',
        family: 'VARCHAR',
        material_cost: 'DECIMAL(18,4)',
        unit_cost: 'DECIMAL(18,4)',
        rework_cost: 'DECIMAL(18,4)',
        unit_price: 'DECIMAL(18,4)',
        defect_opportunities: 'INTEGER',
        valid_from: 'TIMESTAMPTZ',
        valid_to: 'TIMESTAMPTZ',
        is_current: 'BOOLEAN',
      },
      factory.products.flatMap((product) => [
        {
          ...product,
          product_key: `${product.product_id}#0`,
          unit_price: 777,
          defect_opportunities: 1000,
          valid_from: '2025-01-01T00:00:00Z',
          valid_to: '2026-01-01T00:00:00Z',
          is_current: false,
        },
        {
          ...product,
          product_key: `${product.product_id}#1`,
          product_name: product.product_id,
          family: 'parts',
          valid_from: '2026-01-01T00:00:00Z',
          valid_to: null,
          is_current: true,
        },
      ]),
    );
    await createTable(
      db,
      'dim_shift',
      {
        shift_id: 'VARCHAR',
        plant_id: 'VARCHAR',
        shift_name: 'VARCHAR',
        shift_start_ts: 'TIMESTAMPTZ',
        shift_end_ts: 'TIMESTAMPTZ',
        production_date: 'DATE',
        partial: 'BOOLEAN',
        shift_s: 'DOUBLE',
      },
      factory.shifts.map((shift) => ({
        ...shift,
        shift_name: shift.shift_id,
        shift_start_ts: `${shift.production_date}T06:00:00Z`,
        shift_end_ts: null,
        partial: false,
      })),
    );
    await createTable(
      db,
      'dim_date',
      {
        plant_id: 'VARCHAR',
        date: 'DATE',
        calendar_s: 'DOUBLE',
        iso_year: 'INTEGER',
        iso_week: 'INTEGER',
        week_start: 'DATE',
        month: 'INTEGER',
        year: 'INTEGER',
      },
      factory.days,
    );
    const cellKeys = {
      machine_id: 'VARCHAR',
      shift_id: 'VARCHAR',
      plant_id: 'VARCHAR',
      line_id: 'VARCHAR',
      line_position: 'INTEGER',
      production_date: 'DATE',
      shift_start_ts: 'TIMESTAMPTZ',
      shift_end_ts: 'TIMESTAMPTZ',
      partial: 'BOOLEAN',
    };
    await createTable(db, 'fact_machine_shift', { ...cellKeys, ...COMPONENT_TYPES }, factory.cells);
    await createTable(
      db,
      'fact_machine_shift_product',
      {
        ...cellKeys,
        product_id: 'VARCHAR',
        order_id: 'VARCHAR',
        ...COMPONENT_TYPES,
      },
      factory.productCells,
    );
    const productsById = new Map(factory.products.map((product) => [product.product_id, product]));
    await createTable(
      db,
      'fact_defect',
      {
        defect_id: 'VARCHAR',
        detected_at: 'TIMESTAMPTZ',
        machine_id: 'VARCHAR',
        order_id: 'VARCHAR',
        product_id: 'VARCHAR',
        batch_id: 'VARCHAR',
        defect_code: 'VARCHAR',
        severity: 'VARCHAR',
        quantity: 'INTEGER',
        disposition: 'VARCHAR',
        shift_id: 'VARCHAR',
        production_date: 'DATE',
        plant_id: 'VARCHAR',
        line_id: 'VARCHAR',
        line_position: 'INTEGER',
        scrap_qty: 'INTEGER',
        rework_qty: 'INTEGER',
        scrap_cost: 'DECIMAL(18,4)',
        rework_cost: 'DECIMAL(18,4)',
      },
      factory.defects.map((defect, index) => {
        const product = productsById.get(defect.product_id)!;
        const scrap_qty = defect.disposition === 'scrap' ? defect.quantity : 0;
        const rework_qty = defect.disposition === 'rework' ? defect.quantity : 0;
        return {
          ...defect,
          defect_id: `D${index + 1}`,
          detected_at: `${defect.production_date}T07:00:00Z`,
          defect_code: 'SCR',
          severity: 'minor',
          scrap_qty,
          rework_qty,
          scrap_cost: scrap_qty * product.unit_cost,
          rework_cost: rework_qty * product.rework_cost,
        };
      }),
    );
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, close: () => db.close() };
}

/**
 * The in-memory factory: master data and schedules (small whatever the scale). Transactions
 * are never held here; they stream to files machine by machine. Instants are epoch seconds.
 */
import type {
  DefectCodeDefinition,
  FailureModeDefinition,
  MachineTypeDefinition,
  MaterialDefinition,
  PlantDefinition,
  ReasonDefinition,
  SensorDefinition,
} from './catalog.js';
import type { FactoryPlan } from './plan.js';

/** The contract's entities and their columns, in file order (checked against the YAML in tests). */
export const ENTITY_COLUMNS = {
  plants: ['plant_id', 'plant_name', 'region', 'timezone', 'currency', 'labor_rate_per_hour'],
  lines: ['line_id', 'plant_id', 'line_name'],
  machines: [
    'machine_id',
    'line_id',
    'machine_name',
    'machine_type',
    'line_position',
    'hourly_cost',
    'crew_size',
  ],
  products: [
    'product_id',
    'product_name',
    'family',
    'material_cost',
    'unit_cost',
    'rework_cost',
    'unit_price',
    'defect_opportunities',
  ],
  routings: ['machine_id', 'product_id', 'ideal_cycle_time_s'],
  operators: ['operator_id', 'plant_id', 'full_name', 'email', 'badge_no', 'hire_date', 'skill_level'],
  downtime_reasons: ['reason_code', 'description', 'planned', 'loss_category'],
  defect_codes: ['defect_code', 'description', 'category', 'default_severity'],
  materials: ['material_id', 'material_name', 'supplier', 'unit_cost'],
  sensor_specs: ['machine_id', 'sensor', 'unit', 'lsl', 'usl', 'target'],
  shifts: ['shift_id', 'plant_id', 'shift_name', 'start_ts', 'end_ts'],
  production_orders: [
    'order_id',
    'product_id',
    'line_id',
    'planned_qty',
    'planned_start',
    'planned_end',
    'due_date',
    'status',
  ],
  batches: ['batch_id', 'material_id', 'supplier', 'received_at', 'quantity', 'order_id'],
  production_counts: [
    'machine_id',
    'order_id',
    'product_id',
    'operator_id',
    'interval_start',
    'interval_end',
    'total_count',
    'reject_count',
  ],
  downtime_events: ['event_id', 'machine_id', 'start_ts', 'end_ts', 'reason_code', 'operator_id', 'note'],
  defects: [
    'defect_id',
    'detected_at',
    'machine_id',
    'order_id',
    'product_id',
    'batch_id',
    'defect_code',
    'severity',
    'quantity',
    'disposition',
  ],
  maintenance_orders: [
    'work_order_id',
    'machine_id',
    'kind',
    'failure_at',
    'repair_start',
    'repair_end',
    'failure_mode',
    'cost',
  ],
  sensor_readings: ['machine_id', 'sensor', 'ts', 'value', 'quality'],
} as const satisfies Record<string, readonly string[]>;

export type EntityName = keyof typeof ENTITY_COLUMNS;
export const ENTITY_NAMES = Object.keys(ENTITY_COLUMNS) as EntityName[];

export interface Shift {
  /** Position in the plant's shifts, in time order. */
  index: number;
  plant: Plant;
  id: string;
  code: string;
  name: string;
  /** Index of the shift's definition in the plant's pattern (crew rotation). */
  definitionIndex: number;
  /** Production day index from the first day (0-based). */
  dayIndex: number;
  /** Plant-local date the shift starts on (its production day). */
  productionDay: string;
  start: number;
  end: number;
}

export interface Operator {
  id: string;
  plant: Plant;
  fullName: string;
  email: string;
  badgeNo: string;
  hireDate: string;
  skillLevel: number;
}

export interface Plant {
  index: number;
  definition: PlantDefinition;
  id: string;
  lines: Line[];
  machines: Machine[];
  products: Product[];
  operators: Operator[];
  /** Crews by shift rotation; each crew lists one operator per machine plus a relief. */
  crews: Operator[][];
  shifts: Shift[];
  /** Start of the first shift and end of the last one. */
  rangeStart: number;
  rangeEnd: number;
}

export interface Product {
  id: string;
  plant: Plant;
  name: string;
  family: string;
  material: MaterialDefinition;
  kgPerUnit: number;
  materialCost: number;
  unitCost: number;
  reworkCost: number;
  unitPrice: number;
  defectOpportunities: number;
  baseCycleS: number;
}

export interface Order {
  id: string;
  line: Line;
  product: Product;
  plannedQty: number;
  start: number;
  end: number;
  dueDate: string;
  status: 'planned' | 'released' | 'in_progress' | 'completed' | 'cancelled';
  /** Batches of material issued to the order. */
  batchIds: string[];
}

/** A stretch of a line's production time: one shift, one order. */
export interface Window {
  start: number;
  end: number;
  shift: Shift;
  order: Order;
}

export interface Line {
  index: number;
  plant: Plant;
  id: string;
  name: string;
  products: Product[];
  machines: Machine[];
  /** Orders the line runs, in time order, back to back. */
  orders: Order[];
  /** Orders that exist but never run (cancelled), and the support orders of bad rows. */
  extraOrders: Order[];
  windows: Window[];
  /** Shifts (by index in the plant's list) with no demand: a planned stop of the whole shift. */
  noDemandShifts: Set<number>;
}

export interface MachineSensor {
  definition: SensorDefinition;
  lsl: number | null;
  usl: number | null;
  target: number;
  /** The machine's process mean and s.d. while running. */
  mean: number;
  sigma: number;
  /** Value while stopped, or null when it does not depend on running. */
  idle: number | null;
}

export interface Machine {
  index: number;
  /** Index among the machines of its plant (crew seat). */
  seat: number;
  line: Line;
  plant: Plant;
  id: string;
  name: string;
  type: MachineTypeDefinition;
  position: number;
  hourlyCost: number;
  crewSize: number;
  /** Share of the ideal rate the machine reaches while running, 0.75-0.98. */
  speed: number;
  /** Share of units rejected in normal running. */
  rejectRate: number;
  smallStopsPerHour: number;
  mtbfHours: number;
  sensors: MachineSensor[];
  /** Ideal cycle time per product id (the routings). */
  cycleS: Map<string, number>;
  failureModes: FailureModeDefinition[];
}

export interface Factory {
  plan: FactoryPlan;
  plants: Plant[];
  lines: Line[];
  machines: Machine[];
  products: Product[];
  materials: readonly MaterialDefinition[];
  reasons: readonly ReasonDefinition[];
  defectCodes: readonly DefectCodeDefinition[];
}

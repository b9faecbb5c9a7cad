/**
 * The static vocabulary of the synthetic factory: plants (timezone, currency, shift pattern),
 * machine types, product templates, materials, downtime reasons, defect codes, sensors,
 * failure modes and names. Numbers here are plausible for a discrete machining plant.
 */

export interface BreakDefinition {
  /** Minutes after the shift's start (elapsed, so a 7 h daylight-saving night keeps them). */
  afterMinutes: number;
  minutes: number;
  reason: 'BRK-SHORT' | 'BRK-MEAL';
}

export interface ShiftDefinition {
  code: string;
  name: string;
  /** Plant-local wall clock minute of the day the shift starts. */
  startMinute: number;
  /** Nominal length in wall-clock minutes; daylight-saving days make it 60 min shorter or longer. */
  minutes: number;
  breaks: BreakDefinition[];
}

const EIGHT_HOUR_BREAKS: BreakDefinition[] = [
  { afterMinutes: 120, minutes: 15, reason: 'BRK-SHORT' },
  { afterMinutes: 240, minutes: 30, reason: 'BRK-MEAL' },
  { afterMinutes: 360, minutes: 15, reason: 'BRK-SHORT' },
];

const TWELVE_HOUR_BREAKS: BreakDefinition[] = [
  { afterMinutes: 150, minutes: 15, reason: 'BRK-SHORT' },
  { afterMinutes: 330, minutes: 30, reason: 'BRK-MEAL' },
  { afterMinutes: 510, minutes: 15, reason: 'BRK-SHORT' },
  { afterMinutes: 630, minutes: 10, reason: 'BRK-SHORT' },
];

const THREE_EIGHT_HOUR_SHIFTS: ShiftDefinition[] = [
  { code: 'E', name: 'Early', startMinute: 6 * 60, minutes: 480, breaks: EIGHT_HOUR_BREAKS },
  { code: 'L', name: 'Late', startMinute: 14 * 60, minutes: 480, breaks: EIGHT_HOUR_BREAKS },
  { code: 'N', name: 'Night', startMinute: 22 * 60, minutes: 480, breaks: EIGHT_HOUR_BREAKS },
];

const TWO_TWELVE_HOUR_SHIFTS: ShiftDefinition[] = [
  { code: 'D', name: 'Day', startMinute: 7 * 60, minutes: 720, breaks: TWELVE_HOUR_BREAKS },
  { code: 'N', name: 'Night', startMinute: 19 * 60, minutes: 720, breaks: TWELVE_HOUR_BREAKS },
];

/** Two shifts and the nights off: machines stand idle between 00:00 and 08:00. */
const TWO_EIGHT_HOUR_SHIFTS: ShiftDefinition[] = [
  { code: 'A', name: 'A shift', startMinute: 8 * 60, minutes: 480, breaks: EIGHT_HOUR_BREAKS },
  { code: 'B', name: 'B shift', startMinute: 16 * 60, minutes: 480, breaks: EIGHT_HOUR_BREAKS },
];

export interface NamePool {
  first: readonly string[];
  last: readonly string[];
  /** Family name first, no space (Chinese names). */
  familyFirst?: boolean;
  /** Latin spelling of each name for e-mail addresses, where the script is not Latin. */
  latin?: Readonly<Record<string, string>>;
}

export interface PlantDefinition {
  id: string;
  name: string;
  region: string;
  timezone: string;
  currency: string;
  /** Multiplies costs given in EUR-like units into the plant's currency. */
  currencyFactor: number;
  laborRatePerHour: number;
  emailDomain: string;
  shifts: ShiftDefinition[];
  names: NamePool;
}

// biome-ignore format: name lists read best on one line
const GERMAN_NAMES: NamePool = {
  first: ['Anna', 'Lukas', 'Sophie', 'Jonas', 'Marie', 'Felix', 'Lena', 'Maximilian', 'Laura', 'Jürgen', 'Özlem', 'Dominik', 'Katrin', 'Stefan', 'Sabine', 'Tobias', 'Jana', 'Björn'],
  last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Yılmaz', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Groß'],
};

// biome-ignore format: name lists read best on one line
const US_NAMES: NamePool = {
  first: ['James', 'Maria', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David', 'Patricia', 'Carlos', 'Aaliyah', 'Daniel', 'Emily', 'José', 'Ashley', 'Kevin', 'Tiffany', 'Brian', 'Nicole'],
  last: ['Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson', 'O\'Connor', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Nguyen', 'Kowalski'],
};

// biome-ignore format: name lists read best on one line
const CHINESE_NAMES: NamePool = {
  first: ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛'],
  last: ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙'],
  familyFirst: true,
  latin: { '伟': 'wei', '芳': 'fang', '娜': 'na', '秀英': 'xiuying', '敏': 'min', '静': 'jing', '丽': 'li', '强': 'qiang', '磊': 'lei', '军': 'jun', '洋': 'yang', '勇': 'yong', '艳': 'yan', '杰': 'jie', '娟': 'juan', '涛': 'tao', '王': 'wang', '李': 'li', '张': 'zhang', '刘': 'liu', '陈': 'chen', '杨': 'yang', '黄': 'huang', '赵': 'zhao', '吴': 'wu', '周': 'zhou', '徐': 'xu', '孙': 'sun' },
};

// biome-ignore format: name lists read best on one line
const CZECH_NAMES: NamePool = {
  first: ['Jan', 'Petra', 'Tomáš', 'Lucie', 'Jiří', 'Kateřina', 'Martin', 'Eva', 'Pavel', 'Tereza', 'Ondřej', 'Veronika'],
  last: ['Novák', 'Dvořák', 'Černý', 'Procházka', 'Kučera', 'Veselý', 'Horák', 'Němec', 'Marek', 'Pokorný'],
};

// biome-ignore format: name lists read best on one line
const MEXICAN_NAMES: NamePool = {
  first: ['José', 'Guadalupe', 'Juan', 'María', 'Luis', 'Ana', 'Miguel', 'Fernanda', 'Jorge', 'Sofía', 'Alejandro', 'Ximena'],
  last: ['Hernández', 'García', 'Martínez', 'López', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Cruz'],
};

/** Plants in the order `--plants N` takes them; the first has daylight saving (Europe/Berlin). */
export const PLANTS: readonly PlantDefinition[] = [
  {
    id: 'P1',
    name: 'Stuttgart-Feuerbach Werk',
    region: 'EMEA',
    timezone: 'Europe/Berlin',
    currency: 'EUR',
    currencyFactor: 1,
    laborRatePerHour: 52.4,
    emailDomain: 'feuerbach.lathe-demo.example',
    shifts: THREE_EIGHT_HOUR_SHIFTS,
    names: GERMAN_NAMES,
  },
  {
    id: 'P2',
    name: 'Joliet Plant',
    region: 'Americas',
    timezone: 'America/Chicago',
    currency: 'USD',
    currencyFactor: 1.08,
    laborRatePerHour: 36.75,
    emailDomain: 'joliet.lathe-demo.example',
    shifts: TWO_TWELVE_HOUR_SHIFTS,
    names: US_NAMES,
  },
  {
    id: 'P3',
    name: 'Suzhou 苏州 Plant',
    region: 'APAC',
    timezone: 'Asia/Shanghai',
    currency: 'CNY',
    currencyFactor: 7.8,
    laborRatePerHour: 68,
    emailDomain: 'suzhou.lathe-demo.example',
    shifts: TWO_EIGHT_HOUR_SHIFTS,
    names: CHINESE_NAMES,
  },
  {
    id: 'P4',
    name: 'Brno Závod',
    region: 'EMEA',
    timezone: 'Europe/Prague',
    currency: 'CZK',
    currencyFactor: 25,
    laborRatePerHour: 420,
    emailDomain: 'brno.lathe-demo.example',
    shifts: THREE_EIGHT_HOUR_SHIFTS,
    names: CZECH_NAMES,
  },
  {
    id: 'P5',
    name: 'Querétaro Planta',
    region: 'Americas',
    timezone: 'America/Mexico_City',
    currency: 'MXN',
    currencyFactor: 19,
    laborRatePerHour: 95,
    emailDomain: 'queretaro.lathe-demo.example',
    shifts: TWO_EIGHT_HOUR_SHIFTS,
    names: MEXICAN_NAMES,
  },
];

export interface MachineTypeDefinition {
  type: string;
  short: string;
  /** Share of the product's base cycle this step takes. */
  cycleFactor: number;
  hourlyCost: number;
  crewSize: number;
}

/** Machine types by line position (position 1 takes the first). */
export const MACHINE_TYPES: readonly MachineTypeDefinition[] = [
  { type: 'CNC lathe', short: 'Lathe', cycleFactor: 1, hourlyCost: 95, crewSize: 1 },
  { type: 'CNC machining centre', short: 'VMC', cycleFactor: 0.95, hourlyCost: 112, crewSize: 1 },
  { type: 'Drilling and tapping station', short: 'Drill', cycleFactor: 0.6, hourlyCost: 58, crewSize: 0.5 },
  { type: 'Deburring cell', short: 'Deburr', cycleFactor: 0.5, hourlyCost: 44, crewSize: 0.5 },
  { type: 'Cylindrical grinder', short: 'Grinder', cycleFactor: 0.85, hourlyCost: 86, crewSize: 1 },
  { type: 'Induction hardening', short: 'Harden', cycleFactor: 0.7, hourlyCost: 72, crewSize: 0.5 },
  { type: 'Parts washer', short: 'Washer', cycleFactor: 0.4, hourlyCost: 31, crewSize: 0.25 },
  { type: 'CMM inspection', short: 'CMM', cycleFactor: 0.8, hourlyCost: 66, crewSize: 1 },
  { type: 'Packing station', short: 'Pack', cycleFactor: 0.3, hourlyCost: 24, crewSize: 1 },
];

export interface ProductTemplate {
  code: string;
  name: string;
  family: string;
  materialId: string;
  /** Material use per unit, kg. */
  kgPerUnit: number;
  materialCost: number;
  conversionCost: number;
  /** Price as a multiple of the standard cost. */
  markup: number;
  /** Base cycle in seconds on a step with cycle factor 1. */
  baseCycleS: number;
  defectOpportunities: number;
}

/** Each plant makes six of these (its own product ids), so a product's costs are in one currency. */
// biome-ignore format: a table reads best one row per line
export const PRODUCT_TEMPLATES: readonly ProductTemplate[] = [
  { code: 'SH120', name: 'Drive shaft 120 mm', family: 'shafts', materialId: 'MAT-42CRMO4', kgPerUnit: 2.4, materialCost: 6.8, conversionCost: 9.5, markup: 1.45, baseCycleS: 34, defectOpportunities: 6 },
  { code: 'SH180', name: 'Drive shaft 180 mm', family: 'shafts', materialId: 'MAT-42CRMO4', kgPerUnit: 3.5, materialCost: 9.6, conversionCost: 11.2, markup: 1.4, baseCycleS: 41, defectOpportunities: 6 },
  { code: 'FL050', name: 'Weld-neck flange DN50', family: 'flanges', materialId: 'MAT-C45', kgPerUnit: 1.9, materialCost: 3.9, conversionCost: 6.1, markup: 1.55, baseCycleS: 26, defectOpportunities: 4 },
  { code: 'FL080', name: 'Blind flange DN80, "heavy"', family: 'flanges', materialId: 'MAT-C45', kgPerUnit: 3.1, materialCost: 6.2, conversionCost: 6.8, markup: 1.5, baseCycleS: 29, defectOpportunities: 3 },
  { code: 'HS210', name: 'Pump housing 210', family: 'housings', materialId: 'MAT-GJL250', kgPerUnit: 5.6, materialCost: 11.4, conversionCost: 18.9, markup: 1.35, baseCycleS: 58, defectOpportunities: 12 },
  { code: 'GR032', name: 'Spur gear z32 m2', family: 'gears', materialId: 'MAT-16MNCR5', kgPerUnit: 0.9, materialCost: 2.7, conversionCost: 7.4, markup: 1.6, baseCycleS: 30, defectOpportunities: 8 },
  { code: 'GR048', name: 'Helical gear z48 m2.5', family: 'gears', materialId: 'MAT-16MNCR5', kgPerUnit: 1.6, materialCost: 4.5, conversionCost: 9.8, markup: 1.55, baseCycleS: 38, defectOpportunities: 9 },
  { code: 'VB025', name: 'Valve body DN25, brass', family: 'housings', materialId: 'MAT-CW617N', kgPerUnit: 0.8, materialCost: 5.3, conversionCost: 5.9, markup: 1.7, baseCycleS: 24, defectOpportunities: 7 },
];

export interface MaterialDefinition {
  id: string;
  name: string;
  supplier: string;
  /** An occasional second source. */
  altSupplier: string;
  unitCost: number;
}

// biome-ignore format: a table reads best one row per line
export const MATERIALS: readonly MaterialDefinition[] = [
  { id: 'MAT-42CRMO4', name: 'Steel bar 42CrMo4 Ø60', supplier: 'Stahlwerk Thüringen GmbH', altSupplier: 'Ovako AB', unitCost: 2.85 },
  { id: 'MAT-C45', name: 'Steel plate C45, 40 mm', supplier: 'Salzgitter Flachstahl', altSupplier: 'Nucor Steel', unitCost: 2.05 },
  { id: 'MAT-GJL250', name: 'Cast iron blank EN-GJL-250', supplier: 'Fonderia Valsabbina S.p.A.', altSupplier: 'Waupaca Foundry', unitCost: 2.02 },
  { id: 'MAT-16MNCR5', name: 'Gear steel 16MnCr5 bar', supplier: 'Saarstahl AG', altSupplier: 'Baosteel', unitCost: 3 },
  { id: 'MAT-CW617N', name: 'Brass rod CW617N', supplier: 'Wieland-Werke AG', altSupplier: 'Aurubis', unitCost: 6.6 },
  { id: 'MAT-COOLANT', name: 'Coolant concentrate, semi-synthetic', supplier: 'Blaser Swisslube', altSupplier: 'Fuchs', unitCost: 7.9 },
  { id: 'MAT-INSERT', name: 'Carbide turning inserts CNMG 120408', supplier: 'Sandvik Coromant', altSupplier: 'Kennametal', unitCost: 11.4 },
  { id: 'MAT-PACK', name: 'Corrugated carton 400x300x200', supplier: 'Smurfit Westrock', altSupplier: 'DS Smith', unitCost: 0.95 },
];

export type LossCategory =
  | 'breakdown'
  | 'setup'
  | 'material_shortage'
  | 'quality_hold'
  | 'other_unplanned'
  | 'break'
  | 'planned_maintenance'
  | 'no_demand';

export interface ReasonDefinition {
  code: string;
  description: string;
  planned: boolean;
  lossCategory: LossCategory;
}

/** 24 reasons, so that one bad reason row stays under a 5% quarantine share. */
// biome-ignore format: a table reads best one row per line
export const REASONS: readonly ReasonDefinition[] = [
  { code: 'BRK-SHORT', description: 'Short break', planned: true, lossCategory: 'break' },
  { code: 'BRK-MEAL', description: 'Meal break', planned: true, lossCategory: 'break' },
  { code: 'NO-DEMAND', description: 'No orders scheduled for the shift', planned: true, lossCategory: 'no_demand' },
  { code: 'PM-SCHED', description: 'Scheduled preventive maintenance', planned: true, lossCategory: 'planned_maintenance' },
  { code: 'PM-UNSCHED', description: 'Unscheduled lubrication / inspection', planned: false, lossCategory: 'planned_maintenance' },
  { code: 'BD-MECH', description: 'Mechanical breakdown', planned: false, lossCategory: 'breakdown' },
  { code: 'BD-ELEC', description: 'Electrical or drive fault', planned: false, lossCategory: 'breakdown' },
  { code: 'BD-HYD', description: 'Hydraulic failure', planned: false, lossCategory: 'breakdown' },
  { code: 'BD-SPINDLE', description: 'Spindle failure', planned: false, lossCategory: 'breakdown' },
  { code: 'BD-CTRL', description: 'Control system fault (PLC/CNC)', planned: false, lossCategory: 'breakdown' },
  { code: 'SETUP-CHG', description: 'Product changeover', planned: false, lossCategory: 'setup' },
  { code: 'SETUP-TOOL', description: 'Tool change', planned: false, lossCategory: 'setup' },
  { code: 'SETUP-ADJ', description: 'First-article adjustment', planned: false, lossCategory: 'setup' },
  { code: 'MAT-SHORT', description: 'Material shortage', planned: false, lossCategory: 'material_shortage' },
  { code: 'MAT-WRONG', description: 'Wrong material delivered', planned: false, lossCategory: 'material_shortage' },
  { code: 'MAT-STARVED', description: 'Starved by upstream station', planned: false, lossCategory: 'material_shortage' },
  { code: 'QH-INSPECT', description: 'Quality hold: waiting for inspection', planned: false, lossCategory: 'quality_hold' },
  { code: 'QH-DEVIATION', description: 'Quality hold: parts out of tolerance', planned: false, lossCategory: 'quality_hold' },
  { code: 'JAM', description: 'Part jam / misfeed', planned: false, lossCategory: 'other_unplanned' },
  { code: 'SENSOR-BLOCK', description: 'Sensor blocked or dirty', planned: false, lossCategory: 'other_unplanned' },
  { code: 'MINOR-ADJ', description: 'Minor adjustment', planned: false, lossCategory: 'other_unplanned' },
  { code: 'CHIP-CLEAR', description: 'Chip clearing', planned: false, lossCategory: 'other_unplanned' },
  { code: 'NO-OPERATOR', description: 'Waiting for operator or technician', planned: false, lossCategory: 'other_unplanned' },
  { code: 'BLOCKED', description: 'Blocked by downstream station', planned: false, lossCategory: 'other_unplanned' },
];

export const SMALL_STOP_REASONS = ['JAM', 'SENSOR-BLOCK', 'MINOR-ADJ', 'CHIP-CLEAR'] as const;
export const SMALL_STOP_WEIGHTS = [0.35, 0.2, 0.25, 0.2] as const;

export const MEDIUM_STOP_REASONS = [
  'MAT-SHORT',
  'MAT-WRONG',
  'MAT-STARVED',
  'QH-INSPECT',
  'QH-DEVIATION',
  'NO-OPERATOR',
  'BLOCKED',
  'PM-UNSCHED',
] as const;
export const MEDIUM_STOP_WEIGHTS = [0.22, 0.05, 0.15, 0.12, 0.08, 0.16, 0.14, 0.08] as const;

export type Severity = 'minor' | 'major' | 'critical';

export interface DefectCodeDefinition {
  code: string;
  description: string;
  category: string;
  severity: Severity;
  /** Relative frequency among rejects. */
  weight: number;
}

// biome-ignore format: a table reads best one row per line
export const DEFECT_CODES: readonly DefectCodeDefinition[] = [
  { code: 'DIM-OD', description: 'Outer diameter out of tolerance', category: 'dimensional', severity: 'major', weight: 0.22 },
  { code: 'DIM-LEN', description: 'Length out of tolerance', category: 'dimensional', severity: 'major', weight: 0.12 },
  { code: 'THREAD', description: 'Thread gauge no-go', category: 'dimensional', severity: 'major', weight: 0.08 },
  { code: 'SURF-ROUGH', description: 'Surface roughness above Ra limit', category: 'surface', severity: 'minor', weight: 0.16 },
  { code: 'SCRATCH', description: 'Scratch or handling mark', category: 'surface', severity: 'minor', weight: 0.14 },
  { code: 'BURR', description: 'Burr not removed', category: 'surface', severity: 'minor', weight: 0.12 },
  { code: 'POROSITY', description: 'Porosity in casting', category: 'material', severity: 'major', weight: 0.06 },
  { code: 'CRACK', description: 'Crack found (magnetic particle test)', category: 'material', severity: 'critical', weight: 0.03 },
  { code: 'HARDNESS', description: 'Hardness out of specification', category: 'material', severity: 'major', weight: 0.04 },
  { code: 'MISSING-OP', description: 'Operation missing', category: 'process', severity: 'critical', weight: 0.03 },
];

export interface SensorDefinition {
  sensor: string;
  unit: string;
  lsl: number | null;
  usl: number | null;
  target: number;
  /** Value while the machine stands still; null: the same process value as running. */
  idle: number | null;
  /** Whether per-machine size scales the values (drives: current, torque). */
  scales: boolean;
  /** Typical process s.d. as a share of the target (the spec limits may allow more). */
  variation: number;
}

/** Sensors in the order a machine gets them; the first two are on every machine. */
// biome-ignore format: a table reads best one row per line
export const SENSORS: readonly SensorDefinition[] = [
  { sensor: 'temperature_c', unit: '°C', lsl: 45, usl: 65, target: 55, idle: 50, scales: false, variation: 0.04 },
  { sensor: 'vibration_mm_s', unit: 'mm/s', lsl: null, usl: 7.1, target: 2.8, idle: 0.4, scales: false, variation: 0.12 },
  { sensor: 'spindle_current_a', unit: 'A', lsl: null, usl: 32, target: 18, idle: 2.5, scales: true, variation: 0.06 },
  { sensor: 'pressure_bar', unit: 'bar', lsl: 5.5, usl: 7.5, target: 6.5, idle: null, scales: false, variation: 0.025 },
  { sensor: 'torque_nm', unit: 'N·m', lsl: null, usl: 85, target: 48, idle: 3, scales: true, variation: 0.06 },
  { sensor: 'coolant_flow_l_min', unit: 'L/min', lsl: 8, usl: 16, target: 12, idle: null, scales: false, variation: 0.05 },
];

export interface FailureModeDefinition {
  mode: string;
  reason: string;
  weight: number;
  /** Sensors that drift in the 24 h before the failure, with the direction and size in s.d. */
  drifts: { sensor: string; sign: 1 | -1; minSigma: number; maxSigma: number }[];
  notes: readonly string[];
}

export const FAILURE_MODES: readonly FailureModeDefinition[] = [
  {
    mode: 'bearing wear',
    reason: 'BD-MECH',
    weight: 0.3,
    drifts: [
      { sensor: 'vibration_mm_s', sign: 1, minSigma: 5, maxSigma: 9 },
      { sensor: 'temperature_c', sign: 1, minSigma: 2, maxSigma: 4 },
    ],
    notes: [
      'Spindle bearing noisy, replaced bearing',
      'Main bearing seized.\nReplaced bearing and seal, checked runout',
    ],
  },
  {
    mode: 'spindle overheating',
    reason: 'BD-SPINDLE',
    weight: 0.25,
    drifts: [
      { sensor: 'temperature_c', sign: 1, minSigma: 4, maxSigma: 7 },
      { sensor: 'spindle_current_a', sign: 1, minSigma: 3, maxSigma: 5 },
    ],
    notes: [
      'Spindle over-temperature alarm, cleaned cooler',
      'Spindle alarm "OVERTEMP 2041", chiller refilled',
    ],
  },
  {
    mode: 'hydraulic leak',
    reason: 'BD-HYD',
    weight: 0.15,
    drifts: [{ sensor: 'pressure_bar', sign: -1, minSigma: 4, maxSigma: 7 }],
    notes: ['Clamping pressure low, replaced hose', 'Hydraulic leak at chuck cylinder, new seals'],
  },
  {
    mode: 'drive overload',
    reason: 'BD-ELEC',
    weight: 0.15,
    drifts: [
      { sensor: 'torque_nm', sign: 1, minSigma: 4, maxSigma: 7 },
      { sensor: 'spindle_current_a', sign: 1, minSigma: 2, maxSigma: 4 },
    ],
    notes: [
      'Servo drive tripped on overload, reset and re-tuned',
      'Axis drive fault, replaced encoder cable',
    ],
  },
  {
    mode: 'control fault',
    reason: 'BD-CTRL',
    weight: 0.15,
    drifts: [],
    notes: ['CNC froze, controller rebooted', 'PLC communication lost, replaced network switch'],
  },
];

export const SHORT_NOTES: Readonly<Record<string, readonly string[]>> = {
  'MAT-SHORT': ['Waiting for bar stock', 'No blanks at station, forklift busy'],
  'MAT-WRONG': ['Wrong heat number delivered, sent back'],
  'MAT-STARVED': ['Upstream station down'],
  'QH-INSPECT': ['Waiting for first-article inspection', 'QA sign-off pending'],
  'QH-DEVIATION': ['OD drifting, parts quarantined', 'Customer complaint, lot on hold'],
  'NO-OPERATOR': ['Operator covering two machines', 'Waiting for maintenance technician'],
  BLOCKED: ['Outfeed conveyor full'],
  'PM-UNSCHED': ['Way lube low, refilled', 'Coolant concentration corrected'],
  'SETUP-CHG': ['Changeover to next order'],
  'SETUP-TOOL': ['Insert worn, changed'],
  'SETUP-ADJ': ['First part out of tolerance, offsets corrected'],
  'PM-SCHED': ['Weekly PM checklist'],
  'NO-DEMAND': ['No orders released for this shift'],
};

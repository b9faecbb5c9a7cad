/**
 * Online detection per machine × sensor: a baseline of the first N good readings, then the
 * individuals chart with the Western Electric rules, an EWMA and a tabular CUSUM against that
 * fixed baseline, and spec-limit breaches from sensor_specs. One call per reading, no allocation
 * on the path of a reading that raises nothing; alerts go to a callback.
 */
import { LatheError } from '../../util/errors.js';
import {
  Baseline,
  WE1_LOWER,
  WE1_UPPER,
  WE2_LOWER,
  WE2_UPPER,
  WE3_LOWER,
  WE3_UPPER,
  WE4_LOWER,
  WE4_UPPER,
  WeRules,
} from './chart.js';
import { Cusum, type CusumOptions } from './cusum.js';
import { Ewma, type EwmaLimits } from './ewma.js';
import type {
  Alert,
  AlertEvent,
  AlertFamily,
  AlertRule,
  ChartLimits,
  ReadingQuality,
  Side,
  WeRule,
  WeViolation,
} from './types.js';

/** A sensor's spec limits (sensor_specs); null = no limit on that side. */
export interface SensorSpec {
  machine_id: string;
  sensor: string;
  lsl: number | null;
  usl: number | null;
  target?: number | null;
}

/** Per-series settings that replace what the baseline gives (e.g. a known in-control σ). */
export interface SeriesOverrides {
  ewmaTarget?: number;
  ewmaSigma?: number;
  cusumTarget?: number;
  cusumSigma?: number;
}

export interface DetectorOptions {
  /** Good readings in the baseline (default 100, as the batch SPC mart; at least 25). */
  baselineN?: number;
  ewma?: { lambda?: number; L?: number; limits?: EwmaLimits; enabled?: boolean };
  cusum?: Partial<CusumOptions> & { enabled?: boolean };
  westernElectric?: { enabled?: boolean };
  /**
   * σ of EWMA and CUSUM when not given: `ar1` (default) = the baseline's sample s.d. widened for
   * its lag-1 autocorrelation φ (EWMA: √((1 + φ(1−λ)) / (1 − φ(1−λ))), CUSUM: the long-run
   * σ·√((1 + φ) / (1 − φ)), φ clamped to [0, 0.95]); `within` = MR̄/1.128 as the I chart,
   * the textbook choice for independent readings.
   */
  sigma?: 'ar1' | 'within';
  specs?: Iterable<SensorSpec>;
  overrides?: (machineId: string, sensor: string) => SeriesOverrides | undefined;
  /**
   * An open alert of a rule takes a new breach of that rule (same side) when it comes within
   * this many good readings of its last one; later, the alert closes and a new one opens.
   */
  coalesceGap?: number;
  /** Values kept per alert (the first ones); `points` counts them all. */
  maxAlertValues?: number;
  /**
   * Judge readings only while the machine runs (`machineState`): a stopped machine's drives read
   * idle values that are not the process. Off by default, as the batch mart does not know states.
   */
  onlyWhileRunning?: boolean;
  /** Called when an alert opens, closes, and (with `emitUpdates`) each time it grows. */
  onAlert?: (alert: Alert, event: AlertEvent) => void;
  emitUpdates?: boolean;
  /** Every Western Electric violation, the stream twin of a mart_spc_violations row. */
  onViolation?: (violation: WeViolation) => void;
}

export interface DetectorStats {
  /** Readings passed to `reading`. */
  readings: number;
  /** Good readings that fed a baseline or were judged. */
  judged: number;
  /** Readings skipped: quality not good. */
  notGood: number;
  /** Readings skipped: not after the series' last reading (duplicate or out of order). */
  outOfOrder: number;
  /** Readings skipped: machine stopped (with `onlyWhileRunning`). */
  whileStopped: number;
  alertsOpened: number;
  alertsClosed: number;
  violations: number;
}

// Alert slots of a series: one per rule and side.
const SLOT_RULE: readonly AlertRule[] = [
  'we1',
  'we1',
  'we2',
  'we2',
  'we3',
  'we3',
  'we4',
  'we4',
  'ewma_high',
  'ewma_low',
  'cusum_high',
  'cusum_low',
  'spec_high',
  'spec_low',
];
const SLOT_FAMILY: readonly AlertFamily[] = [
  'western_electric',
  'western_electric',
  'western_electric',
  'western_electric',
  'western_electric',
  'western_electric',
  'western_electric',
  'western_electric',
  'ewma',
  'ewma',
  'cusum',
  'cusum',
  'spec',
  'spec',
];
const SLOTS = SLOT_RULE.length;
const EWMA_HIGH = 8;
const CUSUM_HIGH = 10;
const SPEC_HIGH = 12;
const WE_BITS = [WE1_UPPER, WE1_LOWER, WE2_UPPER, WE2_LOWER, WE3_UPPER, WE3_LOWER, WE4_UPPER, WE4_LOWER];

/** Severity: a point beyond 3σ or outside the spec is critical; patterns and shifts warn. */
function severityOf(rule: AlertRule): 'critical' | 'warning' {
  return rule === 'we1' || rule === 'spec_high' || rule === 'spec_low' ? 'critical' : 'warning';
}

interface OpenAlert {
  alert: Alert;
  /** Good-reading index of the last breach. */
  lastBreach: number;
  /** Its ts; `alert.last_ts` is written from it only when the alert is handed out (cheaper). */
  lastMs: number;
}

class Series {
  lastTs = Number.NEGATIVE_INFINITY;
  /** Good readings fed (baseline and monitored). */
  index = 0;
  readonly baseline = new Baseline();
  chart: WeRules | null = null;
  ewma: Ewma | null = null;
  cusum: Cusum | null = null;
  lsl = Number.NEGATIVE_INFINITY;
  usl = Number.POSITIVE_INFINITY;
  readonly open: (OpenAlert | null)[] = new Array(SLOTS).fill(null);
  openCount = 0;

  constructor(
    readonly machineId: string,
    readonly sensor: string,
  ) {}
}

class MachineEntry {
  running = true;
  readonly sensors = new Map<string, Series>();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1e4) / 1e4) : String(x);
}

export class Detector {
  readonly baselineN: number;
  readonly stats: DetectorStats = {
    readings: 0,
    judged: 0,
    notGood: 0,
    outOfOrder: 0,
    whileStopped: 0,
    alertsOpened: 0,
    alertsClosed: 0,
    violations: 0,
  };
  private readonly machines = new Map<string, MachineEntry>();
  private readonly specs = new Map<string, { lsl: number; usl: number }>();
  private readonly ewmaOn: boolean;
  private readonly lambda: number;
  private readonly L: number;
  private readonly ewmaLimits: EwmaLimits;
  private readonly cusumOn: boolean;
  private readonly cusumOptions: CusumOptions;
  private readonly weOn: boolean;
  private readonly sigmaMode: 'ar1' | 'within';
  private readonly gap: number;
  private readonly maxValues: number;
  private readonly onlyWhileRunning: boolean;
  private readonly emitUpdates: boolean;
  private readonly onAlert: ((alert: Alert, event: AlertEvent) => void) | undefined;
  private readonly onViolation: ((violation: WeViolation) => void) | undefined;
  private readonly overrides: DetectorOptions['overrides'];
  // Scratch arrays for a violation's points (reused; copied only when a callback needs them).
  private readonly pointTs: number[] = [];
  private readonly pointValues: number[] = [];

  constructor(options: DetectorOptions = {}) {
    this.baselineN = options.baselineN ?? 100;
    if (!Number.isInteger(this.baselineN) || this.baselineN < 25) {
      throw new LatheError(
        'detect_baseline_too_small',
        `baselineN must be a whole number ≥ 25, got ${this.baselineN}`,
        {
          fix: 'use at least 25 good readings for the baseline (the contract default is 100)',
          location: { field: 'baselineN' },
          exitCode: 2,
        },
      );
    }
    this.ewmaOn = options.ewma?.enabled ?? true;
    this.lambda = options.ewma?.lambda ?? 0.2;
    this.L = options.ewma?.L ?? 3;
    this.ewmaLimits = options.ewma?.limits ?? 'asymptotic';
    if (!(this.lambda > 0 && this.lambda <= 1) || !(this.L > 0)) {
      throw new LatheError(
        'detect_ewma_invalid',
        `EWMA needs 0 < λ ≤ 1 and L > 0, got λ ${this.lambda}, L ${this.L}`,
        {
          fix: 'use e.g. λ 0.2 and L 3',
          location: { field: 'ewma' },
          exitCode: 2,
        },
      );
    }
    this.cusumOn = options.cusum?.enabled ?? true;
    this.cusumOptions = { k: options.cusum?.k ?? 0.5, h: options.cusum?.h ?? 5 };
    if (!(this.cusumOptions.k >= 0) || !(this.cusumOptions.h > 0)) {
      throw new LatheError('detect_cusum_invalid', 'CUSUM needs k ≥ 0 and h > 0', {
        fix: 'use e.g. k 0.5 and h 5 (in σ)',
        location: { field: 'cusum' },
        exitCode: 2,
      });
    }
    this.weOn = options.westernElectric?.enabled ?? true;
    this.sigmaMode = options.sigma ?? 'ar1';
    this.gap = options.coalesceGap ?? 20;
    this.maxValues = options.maxAlertValues ?? 64;
    this.onlyWhileRunning = options.onlyWhileRunning ?? false;
    this.emitUpdates = options.emitUpdates ?? false;
    this.onAlert = options.onAlert;
    this.onViolation = options.onViolation;
    this.overrides = options.overrides;
    for (const spec of options.specs ?? []) this.setSpec(spec);
  }

  /** Sets (or replaces) a sensor's spec limits; applies to its next reading. */
  setSpec(spec: SensorSpec): void {
    const limits = {
      lsl: spec.lsl ?? Number.NEGATIVE_INFINITY,
      usl: spec.usl ?? Number.POSITIVE_INFINITY,
    };
    this.specs.set(`${spec.machine_id}\u0000${spec.sensor}`, limits);
    const series = this.machines.get(spec.machine_id)?.sensors.get(spec.sensor);
    if (series !== undefined) {
      series.lsl = limits.lsl;
      series.usl = limits.usl;
    }
  }

  /** The machine's state from the state channel (matters only with `onlyWhileRunning`). */
  machineState(machineId: string, running: boolean): void {
    this.machine(machineId).running = running;
  }

  /**
   * One reading, in time order per machine and sensor (`ts` in epoch milliseconds). Only good
   * readings count; a reading not after the series' last one is skipped (a redelivery).
   */
  reading(
    machineId: string,
    sensor: string,
    ts: number,
    value: number,
    quality?: ReadingQuality | string,
  ): void {
    this.stats.readings++;
    if (quality !== undefined && quality !== 'good') {
      this.stats.notGood++;
      return;
    }
    const machine = this.machines.get(machineId) ?? this.machine(machineId);
    if (this.onlyWhileRunning && !machine.running) {
      this.stats.whileStopped++;
      return;
    }
    let series = machine.sensors.get(sensor);
    if (series === undefined) {
      series = this.newSeries(machineId, sensor);
      machine.sensors.set(sensor, series);
    }
    if (!(ts > series.lastTs) || !Number.isFinite(value)) {
      this.stats.outOfOrder++;
      return;
    }
    series.lastTs = ts;
    series.index++;
    this.stats.judged++;
    if (series.openCount > 0) this.expire(series);

    if (value > series.usl) this.breach(series, SPEC_HIGH, ts, value, series.usl, value, 1);
    else if (value < series.lsl) this.breach(series, SPEC_HIGH + 1, ts, value, series.lsl, value, 1);

    const chart = series.chart;
    if (chart === null) {
      series.baseline.add(ts, value);
      if (series.baseline.n >= this.baselineN) this.startMonitoring(series);
      return;
    }
    if (this.weOn) {
      const fired = chart.check(ts, value);
      if (fired !== 0) this.weViolations(series, chart, fired, ts, value);
    }
    const ewma = series.ewma;
    if (ewma !== null) {
      const signal = ewma.update(value);
      if (signal !== 0) {
        const limit = signal > 0 ? ewma.ucl : ewma.lcl;
        this.breach(series, signal > 0 ? EWMA_HIGH : EWMA_HIGH + 1, ts, value, limit, ewma.z, 1);
      }
    }
    const cusum = series.cusum;
    if (cusum !== null) {
      const signal = cusum.update(value);
      if (signal !== 0) {
        this.breach(
          series,
          signal > 0 ? CUSUM_HIGH : CUSUM_HIGH + 1,
          ts,
          value,
          cusum.h,
          cusum.lastSignalSum,
          1,
        );
      }
    }
  }

  /** Closes every open alert (end of stream, shutdown); their `close` events fire. */
  flush(): void {
    for (const machine of this.machines.values()) {
      for (const series of machine.sensors.values()) {
        if (series.openCount === 0) continue;
        for (let slot = 0; slot < SLOTS; slot++) if (series.open[slot] !== null) this.close(series, slot);
      }
    }
  }

  /** Open alerts now (copies). */
  openAlerts(): Alert[] {
    const out: Alert[] = [];
    for (const machine of this.machines.values()) {
      for (const series of machine.sensors.values()) {
        for (const open of series.open)
          if (open !== null) out.push({ ...open.alert, values: [...open.alert.values] });
      }
    }
    return out;
  }

  /** The chart's limits once the baseline is complete, else null (for dashboards). */
  limits(machineId: string, sensor: string): ChartLimits | null {
    const series = this.machines.get(machineId)?.sensors.get(sensor);
    if (series === undefined || series.chart === null) return null;
    const b = series.baseline;
    const c = series.chart;
    return {
      baseline_n: b.n,
      baseline_start_ts: b.firstTs,
      baseline_end_ts: b.lastTs,
      cl: c.cl,
      mr_bar: b.mrBar,
      sigma: c.sigma,
      ucl: c.ucl,
      lcl: c.lcl,
      upper_2sigma: c.upper2,
      lower_2sigma: c.lower2,
      upper_1sigma: c.upper1,
      lower_1sigma: c.lower1,
      mr_ucl: 3.267 * b.mrBar,
      ewma_target: series.ewma?.target ?? Number.NaN,
      ewma_sigma: series.ewma?.sigma ?? Number.NaN,
      ewma_ucl: series.ewma?.ucl ?? Number.NaN,
      ewma_lcl: series.ewma?.lcl ?? Number.NaN,
      cusum_target: series.cusum?.target ?? Number.NaN,
      cusum_sigma: series.cusum?.sigma ?? Number.NaN,
    };
  }

  private machine(machineId: string): MachineEntry {
    let entry = this.machines.get(machineId);
    if (entry === undefined) {
      entry = new MachineEntry();
      this.machines.set(machineId, entry);
    }
    return entry;
  }

  private newSeries(machineId: string, sensor: string): Series {
    const series = new Series(machineId, sensor);
    const spec = this.specs.get(`${machineId}\u0000${sensor}`);
    if (spec !== undefined) {
      series.lsl = spec.lsl;
      series.usl = spec.usl;
    }
    return series;
  }

  private startMonitoring(series: Series): void {
    const b = series.baseline;
    const cl = b.mean;
    const sigma = b.mrBar / 1.128;
    series.chart = new WeRules(cl, sigma);
    const o = this.overrides?.(series.machineId, series.sensor);
    let ewmaBase = sigma;
    let cusumBase = sigma;
    if (this.sigmaMode === 'ar1') {
      const phi = Math.min(0.95, Math.max(0, b.lag1));
      const carry = phi * (1 - this.lambda);
      ewmaBase = b.sd * Math.sqrt((1 + carry) / (1 - carry));
      cusumBase = b.sd * Math.sqrt((1 + phi) / (1 - phi));
    }
    const ewmaSigma = o?.ewmaSigma ?? ewmaBase;
    // σ = 0 (a constant baseline) leaves EWMA and CUSUM undefined: the chart still judges.
    if (this.ewmaOn && ewmaSigma > 0) {
      series.ewma = new Ewma(
        { lambda: this.lambda, L: this.L, limits: this.ewmaLimits },
        o?.ewmaTarget ?? cl,
        ewmaSigma,
      );
    }
    const cusumSigma = o?.cusumSigma ?? cusumBase;
    if (this.cusumOn && cusumSigma > 0)
      series.cusum = new Cusum(this.cusumOptions, o?.cusumTarget ?? cl, cusumSigma);
  }

  private weViolations(series: Series, chart: WeRules, fired: number, ts: number, value: number): void {
    for (let i = 0; i < 8; i++) {
      const bit = WE_BITS[i]!;
      if ((fired & bit) === 0) continue;
      this.stats.violations++;
      const pointTs = this.pointTs;
      const pointValues = this.pointValues;
      pointTs.length = 0;
      pointValues.length = 0;
      chart.points(bit, pointTs, pointValues);
      const side: Side = i % 2 === 0 ? 'upper' : 'lower';
      if (this.onViolation !== undefined) {
        this.onViolation({
          machine_id: series.machineId,
          sensor: series.sensor,
          ts,
          value,
          rule: ((i >> 1) + 1) as WeRule,
          side,
          point_ts: [...pointTs],
          point_values: [...pointValues],
        });
      }
      const limit =
        i < 2
          ? side === 'upper'
            ? chart.ucl
            : chart.lcl
          : i < 4
            ? side === 'upper'
              ? chart.upper2
              : chart.lower2
            : i < 6
              ? side === 'upper'
                ? chart.upper1
                : chart.lower1
              : chart.cl;
      this.breach(series, i, pointTs[0]!, value, limit, value, pointTs.length, pointValues);
    }
  }

  /**
   * A rule fired at the current reading: extend the rule's open alert or open a new one.
   * `firstTs` is the violation's oldest point; `newPoints` how many of its points are new.
   */
  private breach(
    series: Series,
    slot: number,
    firstTs: number,
    value: number,
    limit: number,
    statistic: number,
    points: number,
    pointValues?: readonly number[],
  ): void {
    const open = series.open[slot];
    const ts = series.lastTs;
    if (open !== null && open !== undefined) {
      const alert = open.alert;
      // Points already in the alert are not counted twice: only those after its last breach.
      const fresh = Math.min(points, series.index - open.lastBreach);
      alert.points += fresh;
      alert.breaches++;
      if (pointValues !== undefined) {
        for (let i = pointValues.length - fresh; i < pointValues.length; i++) {
          if (alert.values.length < this.maxValues) alert.values.push(pointValues[i]!);
        }
      } else if (alert.values.length < this.maxValues) alert.values.push(value);
      alert.limit = limit;
      alert.statistic = statistic;
      open.lastBreach = series.index;
      open.lastMs = ts;
      if (this.emitUpdates) {
        alert.last_ts = iso(ts);
        this.onAlert?.(alert, 'update');
      }
      return;
    }
    const rule = SLOT_RULE[slot]!;
    const side: Side = slot % 2 === 0 ? 'upper' : 'lower';
    const first = iso(firstTs);
    const alert: Alert = {
      alert_id: `${series.machineId}|${series.sensor}|${rule}|${first}`,
      machine_id: series.machineId,
      sensor: series.sensor,
      rule,
      family: SLOT_FAMILY[slot]!,
      side,
      severity: severityOf(rule),
      first_ts: first,
      last_ts: iso(ts),
      values: pointValues !== undefined ? pointValues.slice(0, this.maxValues) : [value],
      points,
      breaches: 1,
      limit,
      statistic,
      status: 'open',
      message: '',
    };
    alert.message = this.message(alert, series);
    series.open[slot] = { alert, lastBreach: series.index, lastMs: ts };
    series.openCount++;
    this.stats.alertsOpened++;
    this.onAlert?.(alert, 'open');
  }

  private expire(series: Series): void {
    for (let slot = 0; slot < SLOTS; slot++) {
      const open = series.open[slot];
      if (open != null && series.index - open.lastBreach > this.gap) this.close(series, slot);
    }
  }

  private close(series: Series, slot: number): void {
    const open = series.open[slot]!;
    series.open[slot] = null;
    series.openCount--;
    this.stats.alertsClosed++;
    open.alert.status = 'closed';
    open.alert.last_ts = iso(open.lastMs);
    open.alert.message = this.message(open.alert, series);
    this.onAlert?.(open.alert, 'close');
  }

  private message(alert: Alert, series: Series): string {
    const where = `${alert.sensor} on ${alert.machine_id}`;
    const dir = alert.side === 'upper' ? 'above' : 'below';
    const n = alert.points;
    const span = alert.breaches > 1 ? ` (${alert.breaches} breaches, ${n} readings)` : '';
    switch (alert.rule) {
      case 'we1':
        return `${where}: a reading ${dir} the ${alert.side === 'upper' ? 'UCL' : 'LCL'} ${round(alert.limit)} (${round(alert.values[0]!)})${span}`;
      case 'we2':
        return `${where}: 2 of 3 readings ${dir} the 2σ line ${round(alert.limit)}${span}`;
      case 'we3':
        return `${where}: 4 of 5 readings ${dir} the 1σ line ${round(alert.limit)}${span}`;
      case 'we4':
        return `${where}: 8 readings in a row ${dir} the centre line ${round(alert.limit)}${span}`;
      case 'ewma_high':
      case 'ewma_low':
        return `${where}: EWMA ${round(alert.statistic)} ${dir} its limit ${round(alert.limit)} (target ${round(series.ewma?.target ?? Number.NaN)})${span}`;
      case 'cusum_high':
      case 'cusum_low': {
        const run = series.cusum?.lastSignalRun ?? 0;
        return `${where}: CUSUM ${alert.side === 'upper' ? 'C+' : 'C−'} ${round(alert.statistic)}σ over h ${round(alert.limit)}σ, a shift ${alert.side === 'upper' ? 'up' : 'down'} that began about ${run} readings before ${alert.first_ts}${span}`;
      }
      default:
        return `${where}: ${round(alert.values[0]!)} ${dir} the spec limit ${alert.side === 'upper' ? 'USL' : 'LSL'} ${round(alert.limit)}${span}`;
    }
  }
}

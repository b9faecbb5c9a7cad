/**
 * Online detection and live OEE for `lathe stream` (docs/stream-detection.md).
 *
 * ```ts
 * const detector = new Detector({ specs, onAlert: (alert, event) => ... });
 * detector.reading('M1', 'temperature_c', Date.parse(ts), 71.2, 'good'); // per reading, in time order
 * detector.machineState('M1', false);  // only matters with onlyWhileRunning
 * detector.flush();                    // closes open alerts at shutdown
 *
 * const oee = new LiveOee({ shifts, machines, routings, reasons });
 * oee.count('M1', { interval_start, interval_end, product_id, total_count, reject_count });
 * oee.state('M1', ts, 'stopped', 'BD');
 * oee.current('M1', Date.now());      // the running shift's cell with A, P, Q, OEE
 * ```
 */
export { Baseline, WeRules } from './chart.js';
export { Cusum, type CusumOptions } from './cusum.js';
export {
  Detector,
  type DetectorOptions,
  type DetectorStats,
  type SensorSpec,
  type SeriesOverrides,
} from './detector.js';
export { Ewma, type EwmaLimits, type EwmaOptions } from './ewma.js';
export {
  type LiveCount,
  type LiveMachine,
  LiveOee,
  type LiveOeeOptions,
  type LiveOeeStats,
  type LiveReason,
  type LiveRouting,
  type LiveShift,
  type OeeCell,
} from './live-oee.js';
export type {
  Alert,
  AlertEvent,
  AlertFamily,
  AlertRule,
  AlertSeverity,
  ChartLimits,
  ReadingQuality,
  Side,
  WeRule,
  WeViolation,
} from './types.js';

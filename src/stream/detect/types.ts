/** The shapes the detection library hands to its caller: alerts, rule violations, limits. */

/** Rule families: a family's alerts share a method (and a detection-quality figure). */
export type AlertFamily = 'western_electric' | 'ewma' | 'cusum' | 'spec';

export type AlertRule =
  | 'we1'
  | 'we2'
  | 'we3'
  | 'we4'
  | 'ewma_high'
  | 'ewma_low'
  | 'cusum_high'
  | 'cusum_low'
  | 'spec_high'
  | 'spec_low';

/** critical: a point beyond 3σ (we1) or outside the spec; warning: a pattern or a shift. */
export type AlertSeverity = 'critical' | 'warning';

export type Side = 'upper' | 'lower';

/**
 * One alert: consecutive breaches of one rule on one machine and sensor, coalesced while they
 * come less than `coalesceGap` good readings apart. The object is reused while the alert is
 * open: copy it (`{ ...alert, values: [...alert.values] }`) if you keep it past the callback.
 */
export interface Alert {
  /** `machine_id|sensor|rule|first_ts`: the same readings always give the same id. */
  alert_id: string;
  machine_id: string;
  sensor: string;
  rule: AlertRule;
  family: AlertFamily;
  side: Side;
  severity: AlertSeverity;
  /** ISO 8601 UTC, milliseconds: the first reading of the first breach. */
  first_ts: string;
  /** The latest reading that breached (or completed a rule window). */
  last_ts: string;
  /** Values of the breaching readings, oldest first, at most `maxAlertValues`. */
  values: number[];
  /** Breaching readings in the alert (values may hold fewer). */
  points: number;
  /** Times the rule fired inside this alert. */
  breaches: number;
  /** The limit that was crossed (UCL, EWMA limit, CUSUM decision interval in σ, USL/LSL). */
  limit: number;
  /** The statistic at the last breach: the value (we, spec), the EWMA, or C± in σ (cusum). */
  statistic: number;
  status: 'open' | 'closed';
  message: string;
}

export type AlertEvent = 'open' | 'update' | 'close';

/** Western Electric rule numbers, as in mart_spc_violations. */
export type WeRule = 1 | 2 | 3 | 4;

/**
 * One Western Electric rule violation, the stream twin of a mart_spc_violations row: the reading
 * at `ts` completed the rule's window; `point_ts` are the points that make it, oldest first.
 */
export interface WeViolation {
  machine_id: string;
  sensor: string;
  ts: number;
  value: number;
  rule: WeRule;
  side: Side;
  point_ts: number[];
  point_values: number[];
}

/** Individuals chart limits of a machine and sensor once its baseline is complete. */
export interface ChartLimits {
  baseline_n: number;
  baseline_start_ts: number;
  baseline_end_ts: number;
  cl: number;
  mr_bar: number;
  sigma: number;
  ucl: number;
  lcl: number;
  upper_2sigma: number;
  lower_2sigma: number;
  upper_1sigma: number;
  lower_1sigma: number;
  mr_ucl: number;
  ewma_target: number;
  ewma_sigma: number;
  ewma_ucl: number;
  ewma_lcl: number;
  cusum_target: number;
  cusum_sigma: number;
}

export type ReadingQuality = 'good' | 'uncertain' | 'bad';

/**
 * Live OEE of a machine's shift from the stream's counts and state channels, with the
 * contract's definitions (CONTRACT §2-3) as fact_machine_shift applies them to one machine in
 * one shift:
 * - state changes become downtime events: `stopped` (reason) starts one, a `stopped` with another
 *   reason ends it and starts the next, `running` ends it; a stop still open ends at `asOf`
 *   (the batch's cut-off);
 * - planned and unplanned events are merged separately where they touch; a merged unplanned stop
 *   takes the loss category of its longest event (ties: the earlier start) and is a small stop
 *   when its whole merged duration is under the threshold;
 * - stops are clipped to the shift (and `asOf`), and unplanned time that overlaps a planned stop
 *   counts as planned;
 * - a count interval belongs to the shift its `interval_start` falls in; a count with the same
 *   machine and interval_start as an earlier one replaces it (the contract's upsert).
 * Times are epoch milliseconds.
 */

export interface LiveShift {
  shift_id: string;
  plant_id: string;
  start: number;
  end: number;
}

export interface LiveMachine {
  machine_id: string;
  plant_id: string;
}

export interface LiveRouting {
  machine_id: string;
  product_id: string;
  ideal_cycle_time_s: number;
}

export interface LiveReason {
  reason_code: string;
  planned: boolean;
  loss_category: string;
}

export interface LiveOeeOptions {
  shifts: Iterable<LiveShift>;
  machines: Iterable<LiveMachine>;
  routings: Iterable<LiveRouting>;
  reasons: Iterable<LiveReason>;
  /** Unplanned stops shorter than this (whole merged duration) are small stops; default 300. */
  smallStopThresholdS?: number;
}

export interface LiveCount {
  interval_start: number;
  interval_end: number;
  product_id: string;
  total_count: number;
  reject_count: number;
}

/** One machine-shift cell, the live twin of a fact_machine_shift row, with its ratios. */
export interface OeeCell {
  machine_id: string;
  shift_id: string;
  shift_start: number;
  /** Shift end, or `asOf` while the shift runs. */
  shift_end: number;
  partial: boolean;
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
  speed_loss_s: number;
  quality_loss_s: number;
  /** Ratios; null when the denominator is 0. */
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  /** The machine is stopped at `asOf` (its open stop counts up to `asOf`). */
  stopped: boolean;
}

interface MergedStop {
  start: number;
  end: number;
  longestMs: number;
  category: string;
}

interface OpenEvent {
  start: number;
  reason: string;
  planned: boolean;
  category: string;
}

interface CountRow {
  shiftId: string;
  total: number;
  reject: number;
  idealS: number;
  idealGoodS: number;
}

interface CountSums {
  total: number;
  reject: number;
  idealS: number;
  idealGoodS: number;
}

interface PlantShifts {
  ids: string[];
  starts: number[];
  ends: number[];
}

class MachineOee {
  lastStateTs = Number.NEGATIVE_INFINITY;
  current: OpenEvent | null = null;
  readonly planned: MergedStop[] = [];
  readonly unplanned: MergedStop[] = [];
  readonly counts = new Map<number, CountRow>();
  readonly sums = new Map<string, CountSums>();

  constructor(
    readonly machineId: string,
    readonly shifts: PlantShifts,
  ) {}
}

export interface LiveOeeStats {
  countsOutsideShifts: number;
  countsWithoutRouting: number;
  statesOutOfOrder: number;
  unknownReasons: number;
  unknownMachines: number;
}

const UNKNOWN_REASON = { planned: false, loss_category: 'other_unplanned' };

function overlapMs(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const d = Math.min(aEnd, bEnd) - Math.max(aStart, bStart);
  return Math.max(d, 0);
}

export class LiveOee {
  readonly smallStopThresholdS: number;
  readonly stats: LiveOeeStats = {
    countsOutsideShifts: 0,
    countsWithoutRouting: 0,
    statesOutOfOrder: 0,
    unknownReasons: 0,
    unknownMachines: 0,
  };
  private readonly machines = new Map<string, MachineOee>();
  private readonly routings = new Map<string, number>();
  private readonly reasons = new Map<string, { planned: boolean; loss_category: string }>();

  constructor(options: LiveOeeOptions) {
    this.smallStopThresholdS = options.smallStopThresholdS ?? 300;
    const byPlant = new Map<string, LiveShift[]>();
    for (const shift of options.shifts) {
      const list = byPlant.get(shift.plant_id) ?? [];
      list.push(shift);
      byPlant.set(shift.plant_id, list);
    }
    const plants = new Map<string, PlantShifts>();
    for (const [plant, list] of byPlant) {
      list.sort((a, b) => a.start - b.start);
      plants.set(plant, {
        ids: list.map((s) => s.shift_id),
        starts: list.map((s) => s.start),
        ends: list.map((s) => s.end),
      });
    }
    for (const m of options.machines) {
      this.machines.set(
        m.machine_id,
        new MachineOee(m.machine_id, plants.get(m.plant_id) ?? { ids: [], starts: [], ends: [] }),
      );
    }
    for (const r of options.routings)
      this.routings.set(`${r.machine_id}\u0000${r.product_id}`, r.ideal_cycle_time_s);
    for (const r of options.reasons)
      this.reasons.set(r.reason_code, { planned: r.planned, loss_category: r.loss_category });
  }

  /** A counts message of the machine. */
  count(machineId: string, c: LiveCount): void {
    const m = this.machines.get(machineId);
    if (m === undefined) {
      this.stats.unknownMachines++;
      return;
    }
    const shiftIndex = this.shiftAt(m.shifts, c.interval_start);
    const previous = m.counts.get(c.interval_start);
    if (previous !== undefined) this.addSums(m, previous, -1);
    if (shiftIndex < 0) {
      if (previous !== undefined) m.counts.delete(c.interval_start);
      this.stats.countsOutsideShifts++;
      return;
    }
    const ict = this.routings.get(`${machineId}\u0000${c.product_id}`);
    if (ict === undefined) this.stats.countsWithoutRouting++;
    const row: CountRow = {
      shiftId: m.shifts.ids[shiftIndex]!,
      total: c.total_count,
      reject: c.reject_count,
      idealS: ict === undefined ? 0 : ict * c.total_count,
      idealGoodS: ict === undefined ? 0 : ict * (c.total_count - c.reject_count),
    };
    m.counts.set(c.interval_start, row);
    this.addSums(m, row, 1);
  }

  /** A state message of the machine, in time order (an older one is ignored and counted). */
  state(machineId: string, ts: number, state: 'running' | 'stopped', reasonCode?: string | null): void {
    const m = this.machines.get(machineId);
    if (m === undefined) {
      this.stats.unknownMachines++;
      return;
    }
    if (ts < m.lastStateTs) {
      this.stats.statesOutOfOrder++;
      return;
    }
    m.lastStateTs = ts;
    const current = m.current;
    if (state === 'running') {
      if (current !== null) this.endEvent(m, current, ts);
      m.current = null;
      return;
    }
    const reason = reasonCode ?? '';
    if (current !== null && current.reason === reason) return; // still the same stop
    if (current !== null) this.endEvent(m, current, ts);
    let known = this.reasons.get(reason);
    if (known === undefined) {
      this.stats.unknownReasons++;
      known = UNKNOWN_REASON;
    }
    m.current = { start: ts, reason, planned: known.planned, category: known.loss_category };
  }

  /** The cell of the shift that contains `asOf` (the current shift), or null between shifts. */
  current(machineId: string, asOf: number): OeeCell | null {
    const m = this.machines.get(machineId);
    if (m === undefined) return null;
    const i = this.shiftAt(m.shifts, asOf);
    return i < 0 ? null : this.cellAt(m, i, asOf);
  }

  /**
   * The cell of a shift as of `asOf` (the batch's cut-off): the shift is counted up to `asOf`
   * (partial) and open stops end there. Null when the shift starts at or after `asOf`.
   */
  cell(machineId: string, shiftId: string, asOf: number): OeeCell | null {
    const m = this.machines.get(machineId);
    if (m === undefined) return null;
    const i = m.shifts.ids.indexOf(shiftId);
    return i < 0 ? null : this.cellAt(m, i, asOf);
  }

  /** Forgets counts and stops that end before `beforeMs` (shifts that will not be asked again). */
  prune(beforeMs: number): void {
    for (const m of this.machines.values()) {
      for (const list of [m.planned, m.unplanned]) {
        let drop = 0;
        while (drop < list.length - 1 && list[drop]!.end < beforeMs) drop++;
        list.splice(0, drop);
      }
      for (const [start, row] of m.counts) {
        if (start < beforeMs) {
          m.counts.delete(start);
          const i = m.shifts.ids.indexOf(row.shiftId);
          if (i >= 0 && m.shifts.ends[i]! <= beforeMs) m.sums.delete(row.shiftId);
        }
      }
    }
  }

  private addSums(m: MachineOee, row: CountRow, sign: 1 | -1): void {
    let sums = m.sums.get(row.shiftId);
    if (sums === undefined) {
      sums = { total: 0, reject: 0, idealS: 0, idealGoodS: 0 };
      m.sums.set(row.shiftId, sums);
    }
    sums.total += sign * row.total;
    sums.reject += sign * row.reject;
    sums.idealS += sign * row.idealS;
    sums.idealGoodS += sign * row.idealGoodS;
  }

  /** Index of the shift whose [start, end) holds `ts`, or −1. */
  private shiftAt(shifts: PlantShifts, ts: number): number {
    let lo = 0;
    let hi = shifts.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (shifts.starts[mid]! <= ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && ts < shifts.ends[found]! ? found : -1;
  }

  private endEvent(m: MachineOee, event: OpenEvent, end: number): void {
    if (end > event.start) merge(event.planned ? m.planned : m.unplanned, event.start, end, event.category);
  }

  private cellAt(m: MachineOee, i: number, asOf: number): OeeCell | null {
    const start = m.shifts.starts[i]!;
    if (start >= asOf) return null;
    const scheduledEnd = m.shifts.ends[i]!;
    const end = Math.min(scheduledEnd, asOf);
    // The open stop, if any, ends at asOf, merged with what it touches (copies: nothing is kept).
    let planned: readonly MergedStop[] = m.planned;
    let unplanned: readonly MergedStop[] = m.unplanned;
    const open = m.current;
    if (open !== null && asOf > open.start) {
      const copy = (open.planned ? m.planned : m.unplanned).map((s) => ({ ...s }));
      merge(copy, open.start, asOf, open.category);
      if (open.planned) planned = copy;
      else unplanned = copy;
    }
    let plannedMs = 0;
    for (const p of planned) plannedMs += overlapMs(p.start, p.end, start, end);
    const unplannedMs = { breakdown: 0, setup: 0, other: 0, small: 0 };
    const thresholdMs = this.smallStopThresholdS * 1000;
    for (const u of unplanned) {
      let ms = overlapMs(u.start, u.end, start, end);
      if (ms === 0) continue;
      const from = Math.max(u.start, start);
      const to = Math.min(u.end, end);
      for (const p of planned) ms -= overlapMs(p.start, p.end, from, to);
      if (ms <= 0) continue;
      if (u.end - u.start < thresholdMs) unplannedMs.small += ms;
      else if (u.category === 'breakdown') unplannedMs.breakdown += ms;
      else if (u.category === 'setup') unplannedMs.setup += ms;
      else unplannedMs.other += ms;
    }
    const sums = m.sums.get(m.shifts.ids[i]!) ?? { total: 0, reject: 0, idealS: 0, idealGoodS: 0 };
    const shift_s = (end - start) / 1000;
    const planned_stop_s = plannedMs / 1000;
    const breakdown_s = unplannedMs.breakdown / 1000;
    const setup_s = unplannedMs.setup / 1000;
    const other_stop_s = unplannedMs.other / 1000;
    const small_stop_s = unplannedMs.small / 1000;
    const ppt_s = shift_s - planned_stop_s;
    const stop_s = breakdown_s + setup_s + other_stop_s;
    const run_s = ppt_s - stop_s;
    const ideal_s = sums.idealS;
    const ideal_good_s = sums.idealGoodS;
    const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
    return {
      machine_id: m.machineId,
      shift_id: m.shifts.ids[i]!,
      shift_start: start,
      shift_end: end,
      partial: scheduledEnd > asOf,
      shift_s,
      planned_stop_s,
      ppt_s,
      stop_s,
      breakdown_s,
      setup_s,
      other_stop_s,
      small_stop_s,
      run_s,
      total: sums.total,
      reject: sums.reject,
      good: sums.total - sums.reject,
      ideal_s,
      ideal_good_s,
      speed_loss_s: run_s - ideal_s - small_stop_s,
      quality_loss_s: ideal_s - ideal_good_s,
      availability: ratio(run_s, ppt_s),
      performance: ratio(ideal_s, run_s),
      quality: ratio(ideal_good_s, ideal_s),
      oee: ratio(ideal_good_s, ppt_s),
      stopped: open !== null && open.start < asOf,
    };
  }
}

/** Adds an event to a kind's merged stops (events come in time order; touching ones merge). */
function merge(stops: MergedStop[], start: number, end: number, category: string): void {
  const last = stops[stops.length - 1];
  if (last !== undefined && start <= last.end) {
    if (end > last.end) last.end = end;
    // The longest event names the stop; on a tie the earlier one (already there) stays.
    if (end - start > last.longestMs) {
      last.longestMs = end - start;
      last.category = category;
    }
    return;
  }
  stops.push({ start, end, longestMs: end - start, category });
}

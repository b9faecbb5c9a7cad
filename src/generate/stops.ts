/**
 * A machine's stops. Planned: breaks in every shift, a weekly preventive maintenance, whole
 * shifts without demand. Unplanned: rare long breakdowns (each a failure with a corrective
 * work order and, for most failure modes, sensors drifting in the 24 h before), setups at
 * product changeovers, many small stops under 300 s, material, quality and operator waits,
 * some events overlapping another (a second reason logged during a stop), some crossing a
 * shift boundary, and at most one still open at the end of the drop.
 *
 * Unplanned stops start in available time (the line's shift-and-order windows less planned
 * stops), so every failure keeps unplanned seconds after planned overlap is removed.
 */
import {
  FAILURE_MODES,
  type FailureModeDefinition,
  MEDIUM_STOP_REASONS,
  MEDIUM_STOP_WEIGHTS,
  SHORT_NOTES,
  SMALL_STOP_REASONS,
  SMALL_STOP_WEIGHTS,
} from './catalog.js';
import { AvailableTime, intersectsAny, mergeSpans, type Span, subtractSpans } from './intervals.js';
import type { Factory, Machine, Order } from './model.js';
import { type Rng, rng } from './prng.js';
import { operatorFor, shiftAt } from './shifts.js';

const HOUR = 3600;
const DRIFT_WINDOW_S = 24 * HOUR;
/** Failures of one machine are at least this far apart, so drift windows never overlap. */
const MIN_FAILURE_GAP_S = 36 * HOUR;

export interface Drift {
  sensorIndex: number;
  /** The ramp runs over [rampStart, end): the 24 h before the failure. */
  rampStart: number;
  end: number;
  /** Offset from the normal value at the end of the ramp, in the sensor's unit. */
  magnitude: number;
}

export interface Failure {
  id: string;
  machine: Machine;
  start: number;
  end: number;
  mode: FailureModeDefinition;
  drifts: Drift[];
  note: string;
  eventId: string;
  workOrderId: string;
}

export interface Stop {
  id: string;
  start: number;
  /** null: still open at the end of the drop. */
  end: number | null;
  reason: string;
  planned: boolean;
  note: string;
  operatorId: string;
  /** Ground truth points at it (a failure, the open event): never spoiled by a bad row. */
  protected: boolean;
  failure: Failure | null;
}

function stop(start: number, end: number | null, reason: string, planned: boolean, note = ''): Stop {
  return { id: '', start, end, reason, planned, note, operatorId: '', protected: false, failure: null };
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** Breaks, no-demand shifts and weekly preventive maintenance. */
export function plannedStops(factory: Factory, machine: Machine): Stop[] {
  const random = rng(factory.plan.seed, `planned:${machine.id}`);
  const { plant, line } = machine;
  const stops: Stop[] = [];
  for (const shift of plant.shifts) {
    if (line.noDemandShifts.has(shift.index)) {
      stops.push(stop(shift.start, shift.end, 'NO-DEMAND', true, SHORT_NOTES['NO-DEMAND']![0]));
      continue;
    }
    const definition = plant.definition.shifts[shift.definitionIndex]!;
    for (const pause of definition.breaks) {
      const start = shift.start + pause.afterMinutes * 60 + random.int(-90, 90);
      const end = Math.min(shift.end, start + pause.minutes * 60 + random.int(0, 60));
      if (end > start) stops.push(stop(start, end, pause.reason, true));
    }
    const pmDay = (shift.dayIndex + machine.index) % 7 === 3 && shift.definitionIndex === 0;
    if (pmDay) {
      const start = shift.start + 30 * 60 + random.int(0, 20) * 60;
      stops.push(
        stop(start, start + random.int(60, 150) * 60, 'PM-SCHED', true, SHORT_NOTES['PM-SCHED']![0]),
      );
    }
  }
  return stops.sort((a, b) => a.start - b.start);
}

/** The machine's shift-and-order windows less its planned stops. */
export function availableTime(machine: Machine, planned: readonly Stop[]): Span[] {
  const windows = machine.line.windows.map((w) => ({ start: w.start, end: w.end }));
  return subtractSpans(windows, mergeSpans(planned.map((s) => ({ start: s.start, end: s.end ?? s.start }))));
}

function buildFailure(
  machine: Machine,
  start: number,
  duration: number,
  mode: FailureModeDefinition,
  random: Rng,
): Failure {
  const drifts: Drift[] = [];
  for (const drift of mode.drifts) {
    const sensorIndex = machine.sensors.findIndex((sensor) => sensor.definition.sensor === drift.sensor);
    if (sensorIndex < 0) continue;
    const sigma = machine.sensors[sensorIndex]!.sigma;
    drifts.push({
      sensorIndex,
      rampStart: start - DRIFT_WINDOW_S,
      end: start,
      magnitude: drift.sign * random.between(drift.minSigma, drift.maxSigma) * sigma,
    });
  }
  return {
    id: '',
    machine,
    start,
    end: start + duration,
    mode,
    drifts,
    note: random.pick(mode.notes),
    eventId: '',
    workOrderId: '',
  };
}

function pickMode(machine: Machine, random: Rng): FailureModeDefinition {
  return random.weighted(
    machine.failureModes,
    machine.failureModes.map((mode) => mode.weight),
  );
}

/** Breakdowns as a Poisson process in available time with the machine's MTBF. */
export function planFailures(factory: Factory, machine: Machine, available: readonly Span[]): Failure[] {
  const random = rng(factory.plan.seed, `failures:${machine.id}`);
  const time = new AvailableTime(available);
  const meanGap = machine.mtbfHours * HOUR;
  const failures: Failure[] = [];
  let lastEnd = Number.NEGATIVE_INFINITY;
  let offset = random.exponential(meanGap);
  while (offset < time.total) {
    const start = time.wallAt(offset);
    const duration = Math.round(clamp(random.lognormal(80 * 60, 0.6), 25 * 60, 8 * HOUR));
    const mode = pickMode(machine, random);
    if (start >= lastEnd + MIN_FAILURE_GAP_S && start + duration <= machine.plant.rangeEnd - 1800) {
      const failure = buildFailure(machine, start, duration, mode, random);
      failures.push(failure);
      lastEnd = failure.end;
      offset = time.offsetAt(failure.end);
    }
    offset += random.exponential(meanGap);
  }
  return failures;
}

/** One failure with a drift signature about two thirds into the range, for drops that had none. */
export function forcedFailure(
  factory: Factory,
  machine: Machine,
  available: readonly Span[],
): Failure | null {
  const random = rng(factory.plan.seed, `forced-failure:${machine.id}`);
  const time = new AvailableTime(available);
  const mode = FAILURE_MODES.find((candidate) => candidate.mode === 'bearing wear')!;
  for (const share of [0.65, 0.5, 0.35]) {
    const start = time.wallAt(Math.floor(time.total * share));
    const duration = random.int(50, 110) * 60;
    if (start + duration <= machine.plant.rangeEnd - 1800)
      return buildFailure(machine, start, duration, mode, random);
  }
  return null;
}

function firstWindowStarts(machine: Machine): Map<Order, number> {
  const starts = new Map<Order, number>();
  for (const window of machine.line.windows)
    if (!starts.has(window.order)) starts.set(window.order, window.start);
  return starts;
}

/** Every stop of a machine, in time order (ids and operators filled in; ids still empty). */
export function machineStops(
  factory: Factory,
  machine: Machine,
  planned: readonly Stop[],
  available: readonly Span[],
  failures: readonly Failure[],
  withOpenEvent: boolean,
): Stop[] {
  const random = rng(factory.plan.seed, `stops:${machine.id}`);
  const { plant } = machine;
  const failureSpans = failures.map((f) => ({ start: f.start, end: f.end }));
  const free = new AvailableTime(subtractSpans(available, failureSpans));
  const unplanned: Stop[] = [];
  /** Cuts a stop short where a failure begins, so it never swallows one. */
  const untilFailure = (start: number, end: number) => {
    for (const failure of failures) if (failure.start > start && failure.start < end) return failure.start;
    return end;
  };

  // Many small stops (under 300 s, a few a little longer), Poisson in free running time.
  const smallGap = HOUR / machine.smallStopsPerHour;
  for (let offset = random.exponential(smallGap); offset < free.total; ) {
    const start = free.wallAt(offset);
    const duration = random.chance(0.03)
      ? random.int(300, 900)
      : Math.round(clamp(random.lognormal(70, 0.7), 8, 295));
    const end = untilFailure(start, start + duration);
    unplanned.push(stop(start, end, random.weighted(SMALL_STOP_REASONS, SMALL_STOP_WEIGHTS), false));
    offset += duration + random.exponential(smallGap);
  }

  // Material, quality, operator waits and unscheduled lubrication: minutes to hours.
  const medium: Stop[] = [];
  for (let offset = random.exponential(10 * HOUR); offset < free.total; ) {
    const start = free.wallAt(offset);
    const duration = Math.round(clamp(random.lognormal(18 * 60, 0.7), 300, 3 * HOUR));
    const end = untilFailure(start, start + duration);
    const reason = random.weighted(MEDIUM_STOP_REASONS, MEDIUM_STOP_WEIGHTS);
    const note = random.chance(0.5) ? random.pick(SHORT_NOTES[reason] ?? ['']) : '';
    if (end - start >= 300 && end <= plant.rangeEnd) medium.push(stop(start, end, reason, false, note));
    offset += duration + random.exponential(10 * HOUR);
  }
  unplanned.push(...medium);

  // Tool changes now and then.
  for (let offset = random.exponential(16 * HOUR); offset < free.total; ) {
    const start = free.wallAt(offset);
    const end = untilFailure(start, start + random.int(240, 720));
    unplanned.push(
      stop(start, end, 'SETUP-TOOL', false, random.chance(0.3) ? SHORT_NOTES['SETUP-TOOL']![0] : ''),
    );
    offset += random.exponential(16 * HOUR);
  }

  // Setups at order changes, staggered down the line; after a breakdown if one is under way.
  const firstStarts = firstWindowStarts(machine);
  const orders = machine.line.orders;
  for (let i = 1; i < orders.length; i++) {
    const order = orders[i]!;
    const windowStart = firstStarts.get(order);
    if (windowStart === undefined || order.start < plant.rangeStart) continue;
    const changeover = order.product !== orders[i - 1]!.product;
    if (!changeover && !random.chance(0.4)) continue;
    const duration = changeover
      ? Math.round(clamp(random.lognormal(30 * 60, 0.35), 10 * 60, 90 * 60))
      : random.int(300, 900);
    let start = windowStart + (machine.position - 1) * random.int(30, 120);
    for (const failure of failures)
      if (failure.start < start + duration && failure.end > start) start = failure.end;
    if (start + duration > plant.rangeEnd) continue;
    unplanned.push(
      stop(
        start,
        start + duration,
        changeover ? 'SETUP-CHG' : 'SETUP-TOOL',
        false,
        changeover ? `Changeover to ${order.product.id}` : '',
      ),
    );
    if (changeover && random.chance(0.3)) {
      const end = start + duration + random.int(180, 480);
      if (end <= plant.rangeEnd)
        unplanned.push(stop(start + duration, end, 'SETUP-ADJ', false, SHORT_NOTES['SETUP-ADJ']![0]));
    }
  }

  // Overlapping events: a second reason logged while a stop is under way, shorter than it.
  for (const failure of failures) {
    if (!random.chance(0.3)) continue;
    const length = failure.end - failure.start;
    const start = failure.start + Math.floor(length * random.between(0.5, 0.8));
    const end = Math.min(plant.rangeEnd, failure.end + Math.floor(length * random.between(0, 0.2)));
    unplanned.push(stop(start, end, 'NO-OPERATOR', false, 'Waiting for maintenance technician'));
  }
  for (const parent of medium) {
    if (!random.chance(0.1)) continue;
    const length = parent.end! - parent.start;
    const start = parent.start + Math.floor(length * random.between(0.5, 0.8));
    const end = untilFailure(
      start,
      Math.min(plant.rangeEnd, parent.end! + Math.floor(length * random.between(0, 0.2))),
    );
    const reason = random.pick(MEDIUM_STOP_REASONS.filter((r) => r !== parent.reason && r !== 'PM-UNSCHED'));
    if (end > start && !intersectsAny(failureSpans, start, end))
      unplanned.push(stop(start, end, reason, false));
  }

  if (withOpenEvent) {
    const open = stop(
      plant.rangeEnd - random.int(900, 1500),
      null,
      'MAT-SHORT',
      false,
      'Waiting for bar stock (still open at export)',
    );
    open.protected = true;
    unplanned.push(open);
  }

  for (const failure of failures) {
    const breakdown = stop(failure.start, failure.end, failure.mode.reason, false, failure.note);
    breakdown.protected = true;
    breakdown.failure = failure;
    unplanned.push(breakdown);
  }

  for (const s of unplanned) {
    const shift = shiftAt(plant, s.start);
    s.operatorId = shift && !random.chance(0.05) ? operatorFor(machine, shift).id : '';
  }
  return [...planned, ...unplanned].sort(
    (a, b) =>
      a.start - b.start ||
      (a.end ?? Number.POSITIVE_INFINITY) - (b.end ?? Number.POSITIVE_INFINITY) ||
      (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0),
  );
}

/** Time the machine makes parts: its windows less every stop (an open stop runs to the end). */
export function runningSpans(machine: Machine, stops: readonly Stop[]): Span[] {
  const windows = machine.line.windows.map((w) => ({ start: w.start, end: w.end }));
  const rangeEnd = machine.plant.rangeEnd;
  return subtractSpans(windows, mergeSpans(stops.map((s) => ({ start: s.start, end: s.end ?? rangeEnd }))));
}

/**
 * Downtime events and maintenance orders of one machine, and the ground truth of its failures.
 * Every breakdown has a corrective work order whose `failure_at` is the event's start and whose
 * repair lies inside the event; every preventive-maintenance event (scheduled or not) has a
 * preventive work order covering it.
 */
import { writeWithInjector } from './bad-rows.js';
import { type Generation, nextId } from './context.js';
import { decimal, isoUtc } from './format.js';
import type { Machine } from './model.js';
import { rng } from './prng.js';
import type { Stop } from './stops.js';

export const FAILURE_COLUMNS = [
  'failure_id',
  'machine_id',
  'failure_mode',
  'reason_code',
  'failure_start',
  'failure_end',
  'downtime_event_id',
  'work_order_id',
  'drift_sensors',
] as const;

export async function writeDowntime(
  generation: Generation,
  machine: Machine,
  stops: readonly Stop[],
): Promise<void> {
  const { factory, writers, bad } = generation;
  const random = rng(factory.plan.seed, `maintenance:${machine.id}`);
  const badRandom = rng(factory.plan.seed, `bad-rows:events:${machine.id}`);
  const currency = machine.plant.definition.currencyFactor;
  const events = generation.injectors.downtime_events ?? null;
  const orders = generation.injectors.maintenance_orders ?? null;
  for (const stop of stops) {
    stop.id = nextId(`DT-${generation.factory.plan.idPrefix}`, ++generation.ids.event, 7);
    const fields = [
      stop.id,
      machine.id,
      isoUtc(stop.start),
      stop.end === null ? '' : isoUtc(stop.end),
      stop.reason,
      stop.operatorId,
      stop.note,
    ];
    const row = { fields, start: stop.start, end: stop.end, protected: stop.protected };
    await writeWithInjector(
      events,
      writers.downtime_events,
      bad.log,
      'downtime_events',
      row,
      () => fields,
      (kind, r) => bad.spoilEvent(kind, r, badRandom),
    );

    const failure = stop.failure;
    let order: { fields: string[]; repairStart: number } | null = null;
    if (failure && stop.end !== null) {
      const length = stop.end - stop.start;
      const repairStart = stop.start + Math.min(random.int(300, 1200), Math.floor(length / 3));
      const repairEnd = Math.max(
        repairStart,
        stop.end - random.int(0, Math.min(300, Math.floor(length / 4))),
      );
      const cost = ((repairEnd - repairStart) / 3600) * 95 * currency + random.between(40, 2500) * currency;
      failure.eventId = stop.id;
      failure.workOrderId = nextId(`WO-${generation.factory.plan.idPrefix}`, ++generation.ids.workOrder, 6);
      order = {
        repairStart,
        fields: [
          failure.workOrderId,
          machine.id,
          'corrective',
          isoUtc(stop.start),
          isoUtc(repairStart),
          isoUtc(repairEnd),
          failure.mode.mode,
          decimal(cost, 2),
        ],
      };
    } else if ((stop.reason === 'PM-SCHED' || stop.reason === 'PM-UNSCHED') && stop.end !== null) {
      const cost = ((stop.end - stop.start) / 3600) * 80 * currency + random.between(20, 250) * currency;
      order = {
        repairStart: stop.start,
        fields: [
          nextId(`WO-${generation.factory.plan.idPrefix}`, ++generation.ids.workOrder, 6),
          machine.id,
          'preventive',
          '',
          isoUtc(stop.start),
          isoUtc(stop.end),
          '',
          decimal(cost, 2),
        ],
      };
    }
    if (order) {
      const { fields: orderFields, repairStart } = order;
      await writeWithInjector(
        orders,
        writers.maintenance_orders,
        bad.log,
        'maintenance_orders',
        orderFields,
        () => orderFields,
        (kind, r) => bad.spoilMaintenance(kind, r, repairStart, failure !== null, badRandom),
      );
    }
    if (failure) {
      const truth = generation.truth.failures;
      const driftSensors = failure.drifts.map(
        (drift) => machine.sensors[drift.sensorIndex]!.definition.sensor,
      );
      const truthFields = [
        failure.id,
        machine.id,
        failure.mode.mode,
        failure.mode.reason,
        isoUtc(failure.start),
        isoUtc(failure.end),
        failure.eventId,
        failure.workOrderId,
        driftSensors.join(';'),
      ];
      if (truth.record(truthFields)) await truth.flush();
    }
  }
}

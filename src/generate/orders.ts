/**
 * Production orders and material batches. Each line runs orders back to back (a product of
 * its own, mostly a different one than the last, so changeovers happen), from a little before
 * the first shift until a day after the last; the line's production windows are its shifts cut
 * at order boundaries. A few orders are cancelled and never run. Every order that runs gets
 * one or two batches of its product's material, received a few hours to days before it starts.
 */
import { addDays, decimal, isoUtc } from './format.js';
import type { Factory, Line, Order, Window } from './model.js';
import { rng } from './prng.js';
import { localDate } from './timezones.js';
import type { CsvWriter } from './writer.js';

const QUARTER_HOUR = 900;

export function buildOrders(factory: Factory): void {
  const { plan } = factory;
  for (const line of factory.lines) {
    const random = rng(plan.seed, `orders:${line.id}`);
    const plant = line.plant;
    const zone = plant.definition.timezone;
    let sequence = 0;
    const nextId = () => `PO-${plan.idPrefix}${line.id}-${String(++sequence).padStart(4, '0')}`;
    plant.shifts.forEach((_, index) => {
      if (index > 0 && index < plant.shifts.length - 1 && random.chance(0.012))
        line.noDemandShifts.add(index);
    });
    let at = plant.rangeStart - random.int(1, 32) * QUARTER_HOUR;
    let previous: Order | undefined;
    while (at < plant.rangeEnd + 86400) {
      const others = line.products.filter((product) => product !== previous?.product);
      const product = previous && random.chance(0.25) ? previous.product : random.pick(others);
      const end = at + random.int(24, 80) * QUARTER_HOUR;
      const order: Order = {
        id: nextId(),
        line,
        product,
        plannedQty: 0,
        start: at,
        end,
        dueDate: addDays(localDate(zone, end), random.int(0, 2)),
        status: end <= plant.rangeEnd ? 'completed' : at < plant.rangeEnd ? 'in_progress' : 'released',
        batchIds: [],
      };
      if (order.status === 'released' && at > plant.rangeEnd + 43200) order.status = 'planned';
      line.orders.push(order);
      if (random.chance(0.04)) {
        const cancelled: Order = {
          ...order,
          id: nextId(),
          product: random.pick(line.products),
          status: 'cancelled',
          batchIds: [],
        };
        line.extraOrders.push(cancelled);
      }
      previous = order;
      at = end;
    }
    line.windows = buildWindows(line);
    const shiftSeconds = new Map<Order, number>();
    for (const window of line.windows) {
      if (line.noDemandShifts.has(window.shift.index)) continue;
      shiftSeconds.set(window.order, (shiftSeconds.get(window.order) ?? 0) + window.end - window.start);
    }
    for (const order of line.orders) {
      const seconds = shiftSeconds.get(order) ?? (order.end - order.start) * 0.6;
      order.plannedQty = plannedQuantity(line, order, seconds * random.between(0.6, 0.74));
    }
    for (const order of line.extraOrders) {
      order.plannedQty = plannedQuantity(line, order, (order.end - order.start) * 0.6 * 0.65);
    }
  }
}

/** The line's production windows: shift by shift, cut at order boundaries. */
function buildWindows(line: Line): Window[] {
  const windows: Window[] = [];
  const orders = line.orders;
  let o = 0;
  for (const shift of line.plant.shifts) {
    while (o < orders.length && orders[o]!.end <= shift.start) o++;
    for (let k = o; k < orders.length && orders[k]!.start < shift.end; k++) {
      const order = orders[k]!;
      const start = Math.max(shift.start, order.start);
      const end = Math.min(shift.end, order.end);
      if (end > start) windows.push({ start, end, shift, order });
    }
  }
  return windows;
}

/** What the last station makes in `effectiveSeconds` of ideal running, in tens. */
function plannedQuantity(line: Line, order: Order, effectiveSeconds: number): number {
  const lastMachine = line.machines[line.machines.length - 1]!;
  const cycle = lastMachine.cycleS.get(order.product.id)!;
  return Math.max(10, Math.round(effectiveSeconds / cycle / 10) * 10);
}

export async function writeOrdersAndBatches(
  factory: Factory,
  orders: CsvWriter,
  batches: CsvWriter,
): Promise<void> {
  let batchSequence = 0;
  const nextBatch = () => `BT-${factory.plan.idPrefix}${String(++batchSequence).padStart(6, '0')}`;
  for (const line of factory.lines) {
    const random = rng(factory.plan.seed, `batches:${line.id}`);
    const all = [...line.orders, ...line.extraOrders].sort(
      (a, b) => a.start - b.start || (a.id < b.id ? -1 : 1),
    );
    for (const order of all) {
      const fields = [
        order.id,
        order.product.id,
        line.id,
        String(order.plannedQty),
        isoUtc(order.start),
        isoUtc(order.end),
        order.dueDate,
        order.status,
      ];
      if (orders.record(fields)) await orders.flush();
    }
    for (const order of line.orders) {
      const material = order.product.material;
      const parts = random.chance(0.35) ? 2 : 1;
      for (let part = 0; part < parts; part++) {
        const id = nextBatch();
        order.batchIds.push(id);
        const receivedAt = order.start - random.int(6 * 60, 96 * 60) * 60;
        const kg = (order.plannedQty * order.product.kgPerUnit * 1.05) / parts;
        const supplier = random.chance(0.2) ? material.altSupplier : material.supplier;
        const fields = [id, material.id, supplier, isoUtc(receivedAt), decimal(kg, 1), order.id];
        if (batches.record(fields)) await batches.flush();
      }
      if (random.chance(0.15)) {
        const consumable = random.chance(0.5) ? factory.materials[5]! : factory.materials[6]!;
        const receivedAt = order.start - random.int(24 * 60, 14 * 24 * 60) * 60;
        const fields = [
          nextBatch(),
          consumable.id,
          consumable.supplier,
          isoUtc(receivedAt),
          decimal(random.int(5, 60), 1),
          '',
        ];
        if (batches.record(fields)) await batches.flush();
      }
    }
  }
}

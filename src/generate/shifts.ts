/**
 * Shifts in plant-local time: each plant's pattern (3 x 8 h, 2 x 12 h, or 2 x 8 h with the
 * nights off) laid on every production day. A shift's instants come from its local wall
 * times, so on a daylight-saving night it is an hour shorter or longer in UTC, and the end of
 * one shift is exactly the start of the next: shifts of a plant never overlap.
 */
import { addDays, isoUtc } from './format.js';
import type { Factory, Machine, Operator, Plant, Shift } from './model.js';
import { localToUtc } from './timezones.js';
import type { CsvWriter } from './writer.js';

export function buildShifts(factory: Factory): void {
  const { plan } = factory;
  for (const plant of factory.plants) {
    const zone = plant.definition.timezone;
    for (let day = 0; day < plan.days; day++) {
      const date = addDays(plan.start, day);
      plant.definition.shifts.forEach((definition, definitionIndex) => {
        plant.shifts.push({
          index: 0,
          plant,
          id: `${plant.id}-${date.replaceAll('-', '')}-${definition.code}`,
          code: definition.code,
          name: definition.name,
          definitionIndex,
          dayIndex: day,
          productionDay: date,
          start: localToUtc(zone, date, definition.startMinute),
          end: localToUtc(zone, date, definition.startMinute + definition.minutes),
        });
      });
    }
    plant.shifts.sort((a, b) => a.start - b.start);
    plant.shifts.forEach((shift, index) => {
      shift.index = index;
    });
    plant.rangeStart = plant.shifts[0]!.start;
    plant.rangeEnd = plant.shifts[plant.shifts.length - 1]!.end;
  }
}

/** The shift of a plant that contains an instant, or undefined between shifts. */
export function shiftAt(plant: Plant, instant: number): Shift | undefined {
  const shifts = plant.shifts;
  let low = 0;
  let high = shifts.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const shift = shifts[middle]!;
    if (instant < shift.start) high = middle - 1;
    else if (instant >= shift.end) low = middle + 1;
    else return shift;
  }
  return undefined;
}

/** The operator at a machine in a shift: crews rotate through the shift pattern weekly. */
export function operatorFor(machine: Machine, shift: Shift): Operator {
  const crews = machine.plant.crews;
  const crew = crews[(shift.definitionIndex + Math.floor(shift.dayIndex / 7)) % crews.length]!;
  return crew[machine.seat % crew.length]!;
}

export async function writeShifts(factory: Factory, writer: CsvWriter): Promise<void> {
  for (const plant of factory.plants) {
    for (const shift of plant.shifts) {
      if (writer.record([shift.id, plant.id, shift.name, isoUtc(shift.start), isoUtc(shift.end)]))
        await writer.flush();
    }
  }
}

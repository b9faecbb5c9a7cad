/**
 * The consumer's detection hook, filled by the online detection library (src/stream/detect):
 * one Detector per consumer, primed with the lake's sensor specs, told every reading and every
 * state change in arrival order (readings are judged only while the machine runs, as a
 * stopped machine's drives read idle values that are not the process); and live OEE of the
 * running shift per machine from the counts and state channels, with the lake's shifts,
 * routings and reasons.
 */
import { Detector, LiveOee, type OeeCell } from './detect/index.js';
import type { DetectorFactory, RaisedAlert } from './ingestor.js';

export function detectorFactory(): DetectorFactory {
  return (master) => {
    let raised: RaisedAlert[] = [];
    const detector = new Detector({
      specs: master.specs,
      onlyWhileRunning: true,
      // The alert object is reused while it is open: keep a copy of it as it stood.
      onAlert: (alert, event) => raised.push({ alert: { ...alert, values: [...alert.values] }, event }),
    });
    const live =
      master.oee.shifts.length > 0
        ? new LiveOee({
            shifts: master.oee.shifts,
            machines: master.oee.machines,
            routings: master.oee.routings,
            reasons: master.oee.reasons,
          })
        : undefined;
    const take = () => {
      if (raised.length === 0) return undefined;
      const out = raised;
      raised = [];
      return out;
    };
    return {
      reading: (reading) => {
        detector.reading(reading.machine_id, reading.sensor, reading.ts, reading.value, reading.quality);
        return take();
      },
      count: (count) => live?.count(count.machine_id, count),
      state: (state) => {
        detector.machineState(state.machine_id, state.state === 'running');
        live?.state(
          state.machine_id,
          state.ts,
          state.state,
          state.reason_code ?? master.defaultReason ?? null,
        );
      },
      liveOee: (asOf) => {
        if (!live) return [];
        const cells: OeeCell[] = [];
        for (const machine of master.oee.machines) {
          const cell = live.current(machine.machine_id, asOf);
          if (cell) cells.push(cell);
        }
        // Shifts that ended a day before the data's clock are never asked for again.
        live.prune(asOf - 86_400_000);
        return cells;
      },
      flush: () => {
        detector.flush();
        return take();
      },
    };
  };
}

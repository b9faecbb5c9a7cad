/**
 * The consumer's detection hook, filled by the online detection library (src/stream/detect):
 * one Detector per consumer, primed with the lake's sensor specs, told every reading and every
 * state change in arrival order. Readings are judged only while the machine runs, as a
 * stopped machine's drives read idle values that are not the process.
 */
import { Detector } from './detect/index.js';
import type { DetectorFactory, RaisedAlert } from './ingestor.js';

export function detectorFactory(): DetectorFactory {
  return (specs) => {
    let raised: RaisedAlert[] = [];
    const detector = new Detector({
      specs,
      onlyWhileRunning: true,
      // The alert object is reused while it is open: keep a copy of it as it stood.
      onAlert: (alert, event) => raised.push({ alert: { ...alert, values: [...alert.values] }, event }),
    });
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
      state: (state) => detector.machineState(state.machine_id, state.state === 'running'),
      flush: () => {
        detector.flush();
        return take();
      },
    };
  };
}

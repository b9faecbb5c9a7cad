/**
 * Sensor readings of one machine at a fixed interval over the plant's whole range (sensors
 * report while the machine stands too). Each sensor is its process mean plus AR(1) noise;
 * drives (current, torque) and vibration fall to idle values when the machine is stopped, and
 * temperature follows with a thermal lag. Before a failure the mode's sensors drift over 24 h
 * (accelerating, up to several s.d.); short spikes are injected at random. Quality is mostly
 * good, a little uncertain (noisier) and rarely bad (a dead sensor reads 0). Every drift and
 * spike goes to ground truth.
 */
import { writeWithInjector } from './bad-rows.js';
import { type Generation, nextId } from './context.js';
import { decimal, isoUtc } from './format.js';
import { intersectsAny, type Span, SpanCursor } from './intervals.js';
import type { Machine } from './model.js';
import { type Rng, rng } from './prng.js';
import type { Failure } from './stops.js';

/** Spikes per sensor per day. */
const SPIKES_PER_SENSOR_DAY = 0.25;
const AR_PHI = 0.7;
const HEAT_UP_S = 1200;
const COOL_DOWN_S = 3600;

interface Spike {
  step: number;
  sensorIndex: number;
  steps: number;
  offset: number;
}

interface ActiveSpike {
  sensorIndex: number;
  untilStep: number;
  offset: number;
}

interface Anomaly {
  start: number;
  sensorIndex: number;
  fields: string[];
}

/** Spikes while the machine runs (a stopped machine's drives read idle, where a spike means little). */
function planSpikes(
  machine: Machine,
  timeOf: (step: number) => number,
  steps: number,
  intervalS: number,
  running: readonly Span[],
  random: Rng,
  atLeastOne: boolean,
): Spike[] {
  const sensors = machine.sensors;
  const perReading = (SPIKES_PER_SENSOR_DAY * intervalS) / 86400;
  const spikes: Spike[] = [];
  const slots = steps * sensors.length;
  const runs = (step: number) => step < steps && intersectsAny(running, timeOf(step), timeOf(step) + 1);
  for (let x = random.exponential(1 / perReading); x < slots; x += random.exponential(1 / perReading)) {
    const slot = Math.floor(x);
    const candidate = spike(machine, Math.floor(slot / sensors.length), slot % sensors.length, random);
    if (runs(candidate.step) && candidate.step > (spikes[spikes.length - 1]?.step ?? -1))
      spikes.push(candidate);
  }
  if (spikes.length === 0 && atLeastOne) {
    for (let step = Math.floor(steps * 0.4); step < steps; step++) {
      if (runs(step)) {
        spikes.push(spike(machine, step, 1 % sensors.length, random));
        break;
      }
    }
  }
  for (const s of spikes) {
    let length = 1;
    while (length < s.steps && runs(s.step + length)) length++;
    s.steps = length;
  }
  return spikes;
}

function spike(machine: Machine, step: number, sensorIndex: number, random: Rng): Spike {
  const sensor = machine.sensors[sensorIndex]!;
  const sign = sensor.definition.sensor === 'vibration_mm_s' || random.chance(0.5) ? 1 : -1;
  return {
    step,
    sensorIndex,
    steps: random.chance(0.8) ? 1 : random.int(2, 3),
    offset: sign * random.between(6, 12) * sensor.sigma,
  };
}

export async function writeReadings(
  generation: Generation,
  machine: Machine,
  running: readonly Span[],
  failures: readonly Failure[],
  atLeastOneSpike: boolean,
): Promise<void> {
  const { factory, writers, bad } = generation;
  const seed = factory.plan.seed;
  const interval = factory.plan.readingIntervalS;
  const plant = machine.plant;
  const first = Math.ceil(plant.rangeStart / interval) * interval;
  const steps = Math.max(0, Math.ceil((plant.rangeEnd - first) / interval));
  const random = rng(seed, `readings:${machine.id}`);
  const spikes = planSpikes(
    machine,
    (step) => first + step * interval,
    steps,
    interval,
    running,
    rng(seed, `spikes:${machine.id}`),
    atLeastOneSpike,
  );
  await writeAnomalies(generation, machine, failures, spikes, first, interval);

  const sensors = machine.sensors;
  const n = sensors.length;
  const prefix = sensors.map((sensor) => `${machine.id},${sensor.definition.sensor},`);
  const mean = sensors.map((sensor) => sensor.mean);
  const sigma = sensors.map((sensor) => sensor.sigma);
  const idle = sensors.map((sensor) => (sensor.idle === null ? Number.NaN : sensor.idle));
  const innovation = sigma.map((s) => s * Math.sqrt(1 - AR_PHI * AR_PHI));
  const noise = new Float64Array(n);
  const offsets = new Float64Array(n);
  const temperatureIndex = sensors.findIndex((sensor) => sensor.definition.sensor === 'temperature_c');
  const heatUp = 1 - Math.exp(-interval / HEAT_UP_S);
  const coolDown = 1 - Math.exp(-interval / COOL_DOWN_S);
  let temperature = temperatureIndex >= 0 ? mean[temperatureIndex]! : 0;
  const drifts = failures.flatMap((failure) => failure.drifts).sort((a, b) => a.rampStart - b.rampStart);
  let driftIndex = 0;
  let activeDrifts: typeof drifts = [];
  let spikeIndex = 0;
  let activeSpikes: ActiveSpike[] = [];
  const runningCursor = new SpanCursor(running);
  const writer = writers.sensor_readings;
  const injector = generation.injectors.sensor_readings ?? null;

  for (let step = 0; step < steps; step++) {
    const t = first + step * interval;
    const isRunning = runningCursor.contains(t);
    const ts = isoUtc(t);
    while (driftIndex < drifts.length && drifts[driftIndex]!.rampStart <= t)
      activeDrifts.push(drifts[driftIndex++]!);
    if (activeDrifts.length > 0) {
      offsets.fill(0);
      activeDrifts = activeDrifts.filter((drift) => drift.end > t);
      for (const drift of activeDrifts) {
        offsets[drift.sensorIndex]! +=
          drift.magnitude * ((t - drift.rampStart) / (drift.end - drift.rampStart)) ** 1.5;
      }
    }
    if (activeSpikes.length > 0) activeSpikes = activeSpikes.filter((s) => s.untilStep > step);
    while (spikeIndex < spikes.length && spikes[spikeIndex]!.step <= step) {
      const s = spikes[spikeIndex++]!;
      activeSpikes.push({ sensorIndex: s.sensorIndex, untilStep: s.step + s.steps, offset: s.offset });
    }
    for (let s = 0; s < n; s++) {
      noise[s] = AR_PHI * noise[s]! + innovation[s]! * random.normal();
      let value: number;
      if (s === temperatureIndex) {
        temperature += ((isRunning ? mean[s]! : idle[s]!) - temperature) * (isRunning ? heatUp : coolDown);
        value = temperature + noise[s]!;
      } else if (isRunning || Number.isNaN(idle[s]!)) {
        value = mean[s]! + noise[s]!;
      } else {
        value = idle[s]! + noise[s]! * 0.15;
      }
      value += offsets[s]!;
      let quality = 'good';
      let spiked = false;
      for (const active of activeSpikes) {
        if (active.sensorIndex === s) {
          value += active.offset;
          spiked = true;
        }
      }
      const u = random.next();
      if (!spiked) {
        if (u < 0.0006) {
          quality = 'bad';
          value = 0;
        } else if (u < 0.005) {
          quality = 'uncertain';
          value += 2 * sigma[s]! * (u * 400 - 1);
        }
      }
      const rounded = Math.round(value * 1000) / 1000;
      if (injector !== null && writer.rows >= injector.nextAt) {
        const row = {
          machineId: machine.id,
          sensor: sensors[s]!.definition.sensor,
          ts: t,
          value: String(rounded),
          quality,
        };
        await writeWithInjector(
          injector,
          writer,
          bad.log,
          'sensor_readings',
          row,
          () => [row.machineId, row.sensor, ts, row.value, quality],
          (kind, r) => bad.spoilReading(kind, r),
        );
      } else if (writer.line(`${prefix[s]}${ts},${rounded},${quality}\n`)) {
        await writer.flush();
      }
    }
  }
}

/** Ground truth of the machine's drifts and spikes, in time order. */
async function writeAnomalies(
  generation: Generation,
  machine: Machine,
  failures: readonly Failure[],
  spikes: readonly Spike[],
  first: number,
  interval: number,
): Promise<void> {
  const anomalies: Anomaly[] = [];
  const sensor = (index: number) => machine.sensors[index]!.definition;
  for (const failure of failures) {
    for (const drift of failure.drifts) {
      const start = Math.max(drift.rampStart, first);
      anomalies.push({
        start,
        sensorIndex: drift.sensorIndex,
        fields: [
          '',
          machine.id,
          sensor(drift.sensorIndex).sensor,
          'drift',
          isoUtc(start),
          isoUtc(drift.end),
          decimal(drift.magnitude, 3),
          sensor(drift.sensorIndex).unit,
          failure.id,
        ],
      });
    }
  }
  for (const s of spikes) {
    const start = first + s.step * interval;
    anomalies.push({
      start,
      sensorIndex: s.sensorIndex,
      fields: [
        '',
        machine.id,
        sensor(s.sensorIndex).sensor,
        'spike',
        isoUtc(start),
        isoUtc(start + s.steps * interval),
        decimal(s.offset, 3),
        sensor(s.sensorIndex).unit,
        '',
      ],
    });
  }
  anomalies.sort((a, b) => a.start - b.start || a.sensorIndex - b.sensorIndex);
  const writer = generation.truth.anomalies;
  for (const anomaly of anomalies) {
    anomaly.fields[0] = nextId(`A-${generation.factory.plan.idPrefix}`, ++generation.ids.anomaly, 6);
    if (anomaly.fields[3] === 'drift') generation.anomalies.drift++;
    else generation.anomalies.spike++;
    if (writer.record(anomaly.fields)) await writer.flush();
  }
}

/**
 * Micro-benchmark of the detection library (not part of npm test): readings/s through one
 * Detector, single-threaded, every rule on, over many machine × sensor series. Readings are made
 * up front (AR(1) noise with drifts and spikes, like src/generate) so only detection is timed.
 *
 *   node --import tsx bench/detect.ts [--readings 5000000] [--series 400] [--phi 0]
 */
import { Detector } from '../src/stream/detect/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const total = arg('readings', 5_000_000);
const seriesCount = arg('series', 400);
/** Lag-1 autocorrelation of the noise: 0 = an in-control process (alerts rare); the generator's 0.7 alerts often. */
const phi = arg('phi', 0);
const sensors = ['temperature_c', 'vibration_mm_s', 'spindle_current_a', 'pressure_bar', 'torque_nm'];
const machines = Array.from(
  { length: Math.ceil(seriesCount / sensors.length) },
  (_, i) => `P1-L${i % 8}-M${i}`,
);

let seed = 12345;
/** mulberry32 */
const uniform = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());

// One round = one reading per series; readings in time order across series, as a stream.
const machineOf: string[] = [];
const sensorOf: string[] = [];
for (const m of machines)
  for (const s of sensors) {
    if (machineOf.length >= seriesCount) break;
    machineOf.push(m);
    sensorOf.push(s);
  }
const n = machineOf.length;
const values = new Float64Array(total);
const noise = new Float64Array(n);
for (let i = 0; i < total; i++) {
  const k = i % n;
  const round = (i / n) | 0;
  noise[k] = phi * noise[k]! + Math.sqrt(1 - phi * phi) * normal();
  // A few series drift for 300 rounds (up to 3σ), as before a failure.
  const drift = k % 40 === 0 && round % 5000 >= 4700 ? ((round % 5000) - 4700) * 0.01 : 0;
  const spike = uniform() < 0.0005 ? 8 : 0;
  values[i] = 50 + noise[k]! + drift + spike;
}

let alerts = 0;
const detector = new Detector({ onAlert: () => alerts++ });
const t0 = 1_774_000_000_000;
// Warm-up pass on other series names so the JIT has settled before timing.
for (let i = 0; i < 200_000; i++) detector.reading(`warm-${i % 50}`, 'x', t0 + i, values[i]!);

const start = process.hrtime.bigint();
for (let i = 0; i < total; i++) {
  const k = i % n;
  detector.reading(machineOf[k]!, sensorOf[k]!, t0 + ((i / n) | 0) * 1000, values[i]!, 'good');
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
detector.flush();
const rate = total / seconds;
console.log(
  JSON.stringify({
    readings: total,
    phi,
    series: n,
    seconds: Math.round(seconds * 1000) / 1000,
    readings_per_s: Math.round(rate),
    alerts_opened: detector.stats.alertsOpened,
    violations: detector.stats.violations,
    heap_mb: Math.round(process.memoryUsage().heapUsed / 1e6),
  }),
);

/**
 * The synthetic factory: `generateFactory(options)` writes a source drop (one CSV per contract
 * entity) and its ground truth in a sibling folder. Deterministic for a seed and options;
 * master data and schedules are built in memory, transactions stream to files machine by
 * machine, so memory stays flat whatever the scale.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../util/errors.js';
import { BadRowLog, BadRows } from './bad-rows.js';
import type { Generation } from './context.js';
import { writeDowntime } from './downtime.js';
import { buildFactory, writeMaster } from './master.js';
import { ENTITY_COLUMNS, ENTITY_NAMES, type EntityName, type Factory } from './model.js';
import { buildOrders, writeOrdersAndBatches } from './orders.js';
import { type GenerateOptions, resolvePlan, type ScaleName } from './plan.js';
import { rng } from './prng.js';
import { writeCountsAndDefects } from './production.js';
import { writeReadings } from './sensors.js';
import { buildShifts, writeShifts } from './shifts.js';
import {
  availableTime,
  type Failure,
  forcedFailure,
  machineStops,
  planFailures,
  plannedStops,
  runningSpans,
} from './stops.js';
import { openTruth, TRUTH_FILES, truthSummary, writeSummary } from './truth.js';
import { CsvWriter } from './writer.js';

export { REASON_CODES, type ReasonCode } from './bad-rows.js';
export { ENTITY_COLUMNS, ENTITY_NAMES, type EntityName } from './model.js';
export { type GenerateOptions, SCALE_NAMES, SCALES, type ScaleName } from './plan.js';
export { TRUTH_FILES } from './truth.js';

export interface GenerateSummary {
  /** Absolute path of the drop folder. */
  out: string;
  /** Absolute path of the ground-truth folder. */
  truth: string;
  seed: number;
  scale: ScaleName;
  /** Data rows per entity file (headers excluded, bad rows included). */
  entities: Record<EntityName, number>;
  total_rows: number;
  /** Bytes of the drop's files. */
  bytes: number;
  seconds: number;
  failures: number;
  anomalies: number;
  bad_rows: number;
}

/** Writes a synthetic factory drop and its ground truth. */
export async function generateFactory(options: GenerateOptions): Promise<GenerateSummary> {
  const began = performance.now();
  const plan = resolvePlan(options);
  const out = path.resolve(options.out);
  const truthFolder = path.resolve(options.truth ?? `${out}.truth`);
  await prepareFolders(out, truthFolder, options.force ?? false);

  const factory = buildFactory(plan);
  buildShifts(factory);
  buildOrders(factory);

  const truth = await openTruth(truthFolder);
  const log = new BadRowLog(truth.badRows);
  const bad = new BadRows(factory, plan.badRows, log);
  const failures = planAllFailures(factory);

  const writers = {} as Record<EntityName, CsvWriter>;
  for (const entity of ENTITY_NAMES) {
    writers[entity] = await CsvWriter.open(path.join(out, `${entity}.csv`), ENTITY_COLUMNS[entity]);
  }
  const generation: Generation = {
    factory,
    writers,
    truth,
    bad,
    injectors: {},
    ids: { event: 0, defect: 0, workOrder: 0, anomaly: 0 },
    anomalies: { drift: 0, spike: 0 },
  };

  await writeMaster(factory, writers);
  for (const entity of ['machines', 'sensor_specs', 'operators', 'downtime_reasons'] as const) {
    await log.emit(entity, writers[entity], bad.masterExtras(entity));
  }
  await writeShifts(factory, writers.shifts);
  await writeOrdersAndBatches(factory, writers.production_orders, writers.batches);

  const estimates = estimateRows(factory, failures);
  for (const entity of Object.keys(estimates) as (keyof typeof estimates)[]) {
    generation.injectors[entity] = bad.injector(entity, estimates[entity]);
  }

  const openEventMachine = rng(plan.seed, 'open-event').pick(factory.machines);
  const progress = options.progress;
  progress?.start('generating factory', factory.machines.length);
  for (const machine of factory.machines) {
    const machineFailures = failures.get(machine) ?? [];
    const planned = plannedStops(factory, machine);
    const available = availableTime(machine, planned);
    const stops = machineStops(
      factory,
      machine,
      planned,
      available,
      machineFailures,
      machine === openEventMachine,
    );
    const running = runningSpans(machine, stops);
    await writeDowntime(generation, machine, stops);
    await writeCountsAndDefects(generation, machine, running, machineFailures);
    await writeReadings(generation, machine, running, machineFailures, machine.index === 0);
    progress?.advance();
  }
  progress?.stop();

  const entities = {} as Record<EntityName, number>;
  const bytes = {} as Record<EntityName, number>;
  for (const entity of ENTITY_NAMES) {
    entities[entity] = writers[entity].rows;
    bytes[entity] = await writers[entity].close();
  }
  const failureCount = [...failures.values()].reduce((sum, list) => sum + list.length, 0);
  await truth.failures.close();
  await truth.anomalies.close();
  await truth.badRows.close();
  const summary = truthSummary({
    factory,
    entities,
    bytes,
    failures: failureCount,
    anomalies: generation.anomalies,
    log,
    missingBadKinds: bad.missing(),
  });
  await writeSummary(truthFolder, summary);
  return {
    out,
    truth: truthFolder,
    seed: plan.seed,
    scale: plan.scale,
    entities,
    total_rows: summary.total_rows as number,
    bytes: summary.bytes as number,
    seconds: Math.round(performance.now() - began) / 1000,
    failures: failureCount,
    anomalies: generation.anomalies.drift + generation.anomalies.spike,
    bad_rows: log.total,
  };
}

/**
 * Failures of every machine, planned before anything streams so that a drop without any gets
 * one (on a machine drawn from the seed) and ids run in machine and time order.
 */
function planAllFailures(factory: Factory): Map<Factory['machines'][number], Failure[]> {
  const failures = new Map<Factory['machines'][number], Failure[]>();
  for (const machine of factory.machines) {
    const available = availableTime(machine, plannedStops(factory, machine));
    failures.set(machine, planFailures(factory, machine, available));
  }
  if ([...failures.values()].every((list) => list.length === 0)) {
    const machine = rng(factory.plan.seed, 'forced-failure').pick(factory.machines);
    const failure = forcedFailure(factory, machine, availableTime(machine, plannedStops(factory, machine)));
    if (failure) failures.set(machine, [failure]);
  }
  let sequence = 0;
  for (const machine of factory.machines) {
    for (const failure of failures.get(machine)!) failure.id = `F-${String(++sequence).padStart(4, '0')}`;
  }
  return failures;
}

/** Rough row counts of the streamed entities, to spread bad rows over them. */
function estimateRows(factory: Factory, failures: Map<Factory['machines'][number], Failure[]>) {
  const plan = factory.plan;
  const estimates = {
    production_counts: 0,
    sensor_readings: 0,
    downtime_events: 0,
    defects: 0,
    maintenance_orders: 0,
  } satisfies Partial<Record<EntityName, number>>;
  for (const machine of factory.machines) {
    const windows = machine.line.windows;
    const seconds = windows.reduce((sum, w) => sum + w.end - w.start, 0);
    const hours = seconds / 3600;
    const plant = machine.plant;
    const breaks =
      plant.definition.shifts.reduce((sum, s) => sum + s.breaks.length, 0) / plant.definition.shifts.length;
    estimates.production_counts += (seconds / plan.countIntervalS + windows.length) * 0.9;
    estimates.sensor_readings +=
      machine.sensors.length * Math.ceil((plant.rangeEnd - plant.rangeStart) / plan.readingIntervalS);
    estimates.downtime_events +=
      plant.shifts.length * breaks + hours * (machine.smallStopsPerHour * 0.85 + 0.2);
    estimates.defects += windows.length * 0.9;
    estimates.maintenance_orders += plan.days / 7 + hours * 0.008 + (failures.get(machine)?.length ?? 0);
  }
  return estimates;
}

const ENTITY_FILE = new RegExp(`^(${ENTITY_NAMES.join('|')}).*\\.(csv|ndjson|parquet)$`);

/**
 * Makes both folders. A non-empty one needs `force`, which removes only the generator's own
 * files there (entity files a drop reader would pick up; the truth files).
 */
async function prepareFolders(out: string, truth: string, force: boolean): Promise<void> {
  const inside = (child: string, parent: string) => {
    const relative = path.relative(parent, child);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  if (inside(truth, out) || inside(out, truth)) {
    throw new UsageError(
      `the ground-truth folder ${truth} must not be inside the drop ${out} (or the other way round)`,
      'pass --truth with a folder beside the drop, or leave it out to use <out>.truth',
    );
  }
  await prepareFolder(out, 'drop', force, (name) => ENTITY_FILE.test(name));
  await prepareFolder(truth, 'ground-truth', force, (name) =>
    (TRUTH_FILES as readonly string[]).includes(name),
  );
}

async function prepareFolder(folder: string, what: string, force: boolean, owned: (name: string) => boolean) {
  const info = await stat(folder).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new UsageError(
      `the ${what} folder ${folder} is a file`,
      'choose a folder path for --out and --truth',
    );
  }
  if (info) {
    const entries = await readdir(folder, { withFileTypes: true });
    if (entries.length > 0 && !force) {
      throw new UsageError(
        `the ${what} folder ${folder} is not empty`,
        'pass --force to overwrite the generated files in it, or choose an empty or new folder',
      );
    }
    for (const entry of entries) {
      if (entry.isFile() && owned(entry.name)) await rm(path.join(folder, entry.name));
    }
  }
  await mkdir(folder, { recursive: true });
}

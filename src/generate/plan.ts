/**
 * Scales and options: what a generation makes. A scale sets every knob; a fine-grained option
 * overrides one. Checked here so that the library and the CLI reject the same bad values with
 * the same message and fix.
 */
import { UsageError } from '../util/errors.js';
import type { Progress } from '../util/progress.js';
import { PLANTS } from './catalog.js';
import { isCalendarDate } from './format.js';

export const SCALE_NAMES = ['tiny', 'small', 'medium', 'large'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface ScaleSettings {
  plants: number;
  linesPerPlant: number;
  machinesPerLine: number;
  days: number;
  /** First production day (plant-local date). */
  start: string;
  /** Sensors per machine; null: 4 to 6, drawn per machine. */
  sensorsPerMachine: number | null;
  readingIntervalS: number;
  countIntervalS: number;
}

/**
 * Every default range crosses a daylight-saving change: 2026-03-29 in Europe (tiny, small),
 * 2026-03-08 in the US and 2026-03-29 in Europe (medium), all four changes of a year (large).
 */
export const SCALES: Readonly<Record<ScaleName, ScaleSettings>> = {
  /** One plant, 2 lines x 3 machines, 2 days: a few thousand rows, for unit tests. */
  tiny: {
    plants: 1,
    linesPerPlant: 2,
    machinesPerLine: 3,
    days: 2,
    start: '2026-03-28',
    sensorsPerMachine: null,
    readingIntervalS: 1200,
    countIntervalS: 900,
  },
  /** Two plants, 16 machines, a week: about 180 k rows. */
  small: {
    plants: 2,
    linesPerPlant: 2,
    machinesPerLine: 4,
    days: 7,
    start: '2026-03-23',
    sensorsPerMachine: null,
    readingIntervalS: 300,
    countIntervalS: 900,
  },
  /** Three plants, 45 machines, 105 days: about 1 M counts and 10 M sensor readings. */
  medium: {
    plants: 3,
    linesPerPlant: 3,
    machinesPerLine: 5,
    days: 105,
    start: '2026-02-01',
    sensorsPerMachine: null,
    readingIntervalS: 200,
    countIntervalS: 300,
  },
  /** Three plants, 72 machines, a year: about 6 M counts and 38 M sensor readings. */
  large: {
    plants: 3,
    linesPerPlant: 4,
    machinesPerLine: 6,
    days: 365,
    start: '2025-10-01',
    sensorsPerMachine: null,
    readingIntervalS: 300,
    countIntervalS: 300,
  },
};

/** What a caller may set; everything but `out` and `seed` has a default. */
export interface GenerateOptions {
  /** The drop folder: one `<entity>.csv` per contract entity. */
  out: string;
  /** Ground truth folder; default `<out>.truth`, beside the drop, never inside it. */
  truth?: string;
  seed: number;
  scale?: ScaleName;
  plants?: number;
  linesPerPlant?: number;
  machinesPerLine?: number;
  days?: number;
  start?: string;
  sensorsPerMachine?: number;
  readingIntervalS?: number;
  countIntervalS?: number;
  /** Share of rows replaced by contract violations, 0..1. */
  badRows?: number;
  /**
   * Put into every generated transaction id (orders, batches, events, defects, work orders),
   * so a later drop of the same factory (another `--start`) never reuses an earlier drop's ids.
   */
  idPrefix?: string;
  /** Overwrite the generator's files in non-empty folders. */
  force?: boolean;
  /** Reports machines done; silent when absent. */
  progress?: Progress;
}

export interface FactoryPlan extends ScaleSettings {
  seed: number;
  scale: ScaleName;
  badRows: number;
  idPrefix: string;
}

function checkWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${name} must be a whole number from ${min} to ${max}, got ${value}`,
      `pass ${name} with a value from ${min} to ${max}`,
    );
  }
}

/** Resolves a scale and the options that override it; throws UsageError on a bad value. */
export function resolvePlan(options: GenerateOptions): FactoryPlan {
  const scale = options.scale ?? 'small';
  if (!SCALE_NAMES.includes(scale)) {
    throw new UsageError(`unknown scale \`${scale}\``, `use one of ${SCALE_NAMES.join(', ')}`);
  }
  const base = SCALES[scale];
  const plan: FactoryPlan = {
    seed: options.seed,
    scale,
    plants: options.plants ?? base.plants,
    linesPerPlant: options.linesPerPlant ?? base.linesPerPlant,
    machinesPerLine: options.machinesPerLine ?? base.machinesPerLine,
    days: options.days ?? base.days,
    start: options.start ?? base.start,
    sensorsPerMachine: options.sensorsPerMachine ?? base.sensorsPerMachine,
    readingIntervalS: options.readingIntervalS ?? base.readingIntervalS,
    countIntervalS: options.countIntervalS ?? base.countIntervalS,
    badRows: options.badRows ?? 0,
    idPrefix: options.idPrefix ?? '',
  };
  checkWhole('--seed', plan.seed, 0, Number.MAX_SAFE_INTEGER);
  checkWhole('--plants', plan.plants, 1, PLANTS.length);
  checkWhole('--lines-per-plant', plan.linesPerPlant, 1, 20);
  checkWhole('--machines-per-line', plan.machinesPerLine, 1, 12);
  checkWhole('--days', plan.days, 1, 3660);
  if (plan.sensorsPerMachine !== null) checkWhole('--sensors-per-machine', plan.sensorsPerMachine, 1, 6);
  checkWhole('--reading-interval-s', plan.readingIntervalS, 1, 86400);
  checkWhole('--count-interval-s', plan.countIntervalS, 10, 86400);
  if (!isCalendarDate(plan.start)) {
    throw new UsageError(
      `--start must be a date YYYY-MM-DD, got \`${plan.start}\``,
      'pass --start 2026-03-23 (the first plant-local production day)',
    );
  }
  if (!(plan.badRows >= 0 && plan.badRows <= 1)) {
    throw new UsageError(
      `--bad-rows must be a share from 0 to 1, got ${plan.badRows}`,
      'pass --bad-rows 0.01 for 1% bad rows',
    );
  }
  if (!/^[A-Za-z0-9]{0,8}$/.test(plan.idPrefix)) {
    throw new UsageError(
      `--id-prefix must be up to 8 letters or digits, got \`${plan.idPrefix}\``,
      'pass --id-prefix D2 (ids become e.g. DT-D20000001)',
    );
  }
  return plan;
}

/**
 * Warehouse tests run the real pipeline: ingest drops into a scratch lake, build the project's
 * models (models/), then read the published models back through the lake reader.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildResult, buildWarehouse } from '../../src/models/index.js';
import type { Scratch } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/warehouse/', import.meta.url));

/** The files of a hand-made drop in test/fixtures/warehouse/<name>/. */
export async function fixtureDrop(name: string): Promise<Record<string, string>> {
  const dir = path.join(FIXTURES, name);
  const files: Record<string, string> = {};
  for (const file of await readdir(dir)) files[file] = await readFile(path.join(dir, file), 'utf8');
  return files;
}

/** Ingests each drop in turn (each must commit), then builds the warehouse once. */
export async function ingestAndBuild(
  scratch: Scratch,
  ...drops: Record<string, string | null>[]
): Promise<{ lake: string; build: BuildResult; loadIds: string[] }> {
  const loadIds: string[] = [];
  for (const files of drops) {
    const ingest = await ingestFiles(scratch, files);
    if (ingest.status !== 'committed') {
      throw new Error(`drop did not load: ${ingest.status} ${JSON.stringify(ingest.load.error)}`);
    }
    // A hand-made drop is meant to load whole: a quarantined row would silently change the sums.
    if (ingest.load.rows_quarantined > 0) {
      const entities = ingest.load.entities.filter((entity) => entity.rows_quarantined > 0);
      throw new Error(`drop quarantined rows: ${JSON.stringify(entities)}`);
    }
    loadIds.push(ingest.load.load_id);
  }
  const lake = scratch.path('lake');
  const build = await buildWarehouse({ lake, modelsDir: MODELS_DIR, parallelism: 2 });
  return { lake, build, loadIds };
}

/** Error tests that failed or could not run: a published build has none. */
export function blockingProblems(build: BuildResult): string[] {
  const models = build.models
    .filter((model) => model.status === 'failed')
    .map((model) => `model ${model.name}: ${model.error?.message}`);
  const tests = build.tests
    .filter((test) => test.status === 'error' || (test.status === 'fail' && test.severity === 'error'))
    .map(
      (test) => `${test.model} ${test.name}: ${test.status} ${test.message ?? JSON.stringify(test.sample)}`,
    );
  return [...models, ...tests];
}

/** Warning tests that failed, by "model name". */
export function failedWarnings(build: BuildResult): string[] {
  return build.tests
    .filter((test) => test.severity === 'warn' && test.status === 'fail')
    .map((test) => `${test.model} ${test.name}`);
}

export function query<T = Record<string, unknown>>(lake: string, sql: string): Promise<T[]> {
  return queryLake<T>(lake, sql);
}

/** A row of fact_machine_shift with its ratios (CELL_RATIOS_SQL). */
export interface Cell {
  machine_id: string;
  shift_id: string;
  partial: boolean;
  shift_s: number;
  planned_stop_s: number;
  ppt_s: number;
  stop_s: number;
  breakdown_s: number;
  setup_s: number;
  other_stop_s: number;
  small_stop_s: number;
  run_s: number;
  total: number;
  reject: number;
  good: number;
  ideal_s: number;
  ideal_good_s: number;
  failures: number;
  repair_s: number;
  scrap_qty: number;
  rework_qty: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
}

/** Every cell of the lake's current build, with its ratios. */
export function cellsOf(lake: string): Promise<Cell[]> {
  return query<Cell>(
    lake,
    `select *, ${CELL_RATIOS_SQL} from fact_machine_shift order by machine_id, shift_start_ts`,
  );
}

/** A cell's ratios computed from its components, as CONTRACT §3 defines them (0 denominator: null). */
export const CELL_RATIOS_SQL = `
  run_s / nullif(ppt_s, 0) as availability,
  ideal_s / nullif(run_s, 0) as performance,
  ideal_good_s / nullif(ideal_s, 0) as quality,
  ideal_good_s / nullif(ppt_s, 0) as oee`;

export function round4(value: unknown): number {
  return Math.round(Number(value) * 1e4) / 1e4;
}

/** The base drop (one plant in Europe/Berlin, line L1, machine M1, products A and B, every reason kind) with files replaced. */
export async function baseDrop(files: Record<string, string>): Promise<Record<string, string>> {
  return { ...(await fixtureDrop('base')), ...files };
}

/** CSV text from a header and rows, so a test can lay its rows out one per line with comments. */
export function csv(header: string, ...rows: string[]): string {
  return `${[header, ...rows].join('\n')}\n`;
}

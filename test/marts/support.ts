/**
 * Marts through the real pipeline: a hand-made drop is ingested into a lake of its own, the
 * project's models (models/) are built, and the marts are read back with `lathe query`'s reader.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildWarehouse } from '../../src/models/index.js';
import { type DropFiles, Scratch } from '../support/drop.js';
import { ingestFiles, queryLake } from '../support/lake.js';

export const MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url));

export interface MartLake {
  /** The lake folder. */
  path: string;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  dispose(): Promise<void>;
}

/**
 * Ingests `files`, builds `select` (default: every model; a selection still runs the tests of
 * its models, which may name models outside it) and checks that the build published
 * with no failing error test.
 */
export async function buildMarts(files: DropFiles, select?: string[]): Promise<MartLake> {
  const scratch = await Scratch.create('lathe-marts-');
  try {
    const load = await ingestFiles(scratch, files);
    assert.equal(load.status, 'committed', JSON.stringify(load));
    const lake = scratch.path('lake');
    const build = await buildWarehouse({ lake, modelsDir: MODELS_DIR, select });
    const failing = build.tests.filter((test) => test.status !== 'pass' && test.severity === 'error');
    assert.deepEqual(
      failing.map((test) => `${test.model}: ${test.name} (${test.failing_rows})`),
      [],
      'no failing error test',
    );
    assert.equal(build.status, 'published', JSON.stringify(build.error ?? build.models));
    return {
      path: lake,
      query: <T>(sql: string) => queryLake<T>(lake, sql),
      dispose: () => scratch.dispose(),
    };
  } catch (error) {
    await scratch.dispose();
    throw error;
  }
}

/** Rounds half-even-free to 4 decimals, as a plant engineer compares a hand calculation. */
export function round4(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value * 1e4) / 1e4;
}

/** CSV lines `machine_id,sensor,ts,value,quality` for a series starting at `start`, one per minute. */
export function readingLines(
  machine: string,
  sensor: string,
  start: string,
  values: number[],
  quality = 'good',
): string[] {
  const t0 = Date.parse(start);
  return values.map(
    (value, i) => `${machine},${sensor},${new Date(t0 + i * 60_000).toISOString()},${value},${quality}`,
  );
}

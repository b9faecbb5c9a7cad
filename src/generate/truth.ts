/**
 * Ground truth, written beside the drop (never inside it, where the ingester would read it):
 *   failures.csv   every injected failure, its breakdown event and corrective work order
 *   anomalies.csv  every drift (24 h before a failure) and spike in sensor readings
 *   bad_rows.csv   every spoiled row: entity, file, physical line, violation, expected reason
 *   summary.json   the settings, plants and DST changes, row counts and bad-row tallies
 * All of it is deterministic for a seed and options: no paths, no clock.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BAD_ROWS_COLUMNS, type BadRowLog, REASON_CODES } from './bad-rows.js';
import type { TruthWriters } from './context.js';
import { FAILURE_COLUMNS } from './downtime.js';
import { isoUtc } from './format.js';
import type { EntityName, Factory } from './model.js';
import { offsetChanges } from './timezones.js';
import { CsvWriter } from './writer.js';

export const TRUTH_FILES = ['failures.csv', 'anomalies.csv', 'bad_rows.csv', 'summary.json'] as const;

export const ANOMALY_COLUMNS = [
  'anomaly_id',
  'machine_id',
  'sensor',
  'kind',
  'start_ts',
  'end_ts',
  'magnitude',
  'unit',
  'failure_id',
] as const;

export async function openTruth(folder: string): Promise<TruthWriters> {
  return {
    failures: await CsvWriter.open(path.join(folder, 'failures.csv'), FAILURE_COLUMNS),
    anomalies: await CsvWriter.open(path.join(folder, 'anomalies.csv'), ANOMALY_COLUMNS),
    badRows: await CsvWriter.open(path.join(folder, 'bad_rows.csv'), BAD_ROWS_COLUMNS),
  };
}

export interface TruthSummaryInput {
  factory: Factory;
  entities: Record<EntityName, number>;
  bytes: Record<EntityName, number>;
  failures: number;
  anomalies: { drift: number; spike: number };
  log: BadRowLog;
  missingBadKinds: string[];
}

export function truthSummary(input: TruthSummaryInput): Record<string, unknown> {
  const { factory, log } = input;
  const plan = factory.plan;
  const totalRows = Object.values(input.entities).reduce((sum, rows) => sum + rows, 0);
  const totalBytes = Object.values(input.bytes).reduce((sum, bytes) => sum + bytes, 0);
  return {
    generator: 'lathe generate',
    seed: plan.seed,
    scale: plan.scale,
    settings: {
      plants: plan.plants,
      lines_per_plant: plan.linesPerPlant,
      machines_per_line: plan.machinesPerLine,
      days: plan.days,
      start: plan.start,
      sensors_per_machine: plan.sensorsPerMachine ?? '4-6',
      reading_interval_s: plan.readingIntervalS,
      count_interval_s: plan.countIntervalS,
      bad_rows: plan.badRows,
    },
    plants: factory.plants.map((plant) => ({
      plant_id: plant.id,
      timezone: plant.definition.timezone,
      currency: plant.definition.currency,
      shifts: plant.shifts.length,
      range_start: isoUtc(plant.rangeStart),
      range_end: isoUtc(plant.rangeEnd),
      offset_changes: offsetChanges(plant.definition.timezone, plant.rangeStart, plant.rangeEnd).map(
        (change) => ({
          at: isoUtc(change.at),
          offset_before_s: change.offsetBeforeS,
          offset_after_s: change.offsetAfterS,
        }),
      ),
    })),
    entities: input.entities,
    total_rows: totalRows,
    bytes: totalBytes,
    failures: input.failures,
    anomalies: input.anomalies,
    bad_rows: {
      total: log.total,
      by_reason: Object.fromEntries(REASON_CODES.map((code) => [code, log.byReason.get(code) ?? 0])),
      by_entity: Object.fromEntries([...log.byEntity.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
      kinds_not_injected: input.missingBadKinds,
    },
  };
}

export async function writeSummary(folder: string, summary: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(folder, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

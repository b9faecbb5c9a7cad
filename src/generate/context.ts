/** What the per-machine writers share during one generation: files, bad rows, id counters. */
import type { BadRows, Injector } from './bad-rows.js';
import type { EntityName, Factory } from './model.js';
import type { CsvWriter } from './writer.js';

export interface TruthWriters {
  failures: CsvWriter;
  anomalies: CsvWriter;
  badRows: CsvWriter;
}

export interface Generation {
  factory: Factory;
  writers: Record<EntityName, CsvWriter>;
  truth: TruthWriters;
  bad: BadRows;
  injectors: Partial<Record<EntityName, Injector | null>>;
  /** Running numbers of the ids assigned while streaming. */
  ids: { event: number; defect: number; workOrder: number; anomaly: number };
  anomalies: { drift: number; spike: number };
}

export function nextId(prefix: string, value: number, width: number): string {
  return `${prefix}${String(value).padStart(width, '0')}`;
}

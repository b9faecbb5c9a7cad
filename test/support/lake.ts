/** Test helpers around a lake: ingest a drop given as text, read back quarantine and tables. */
import { factorySource } from '../../src/contract/factory.js';
import { type IngestOptions, type IngestResult, ingestDrop } from '../../src/ingest/load.js';
import { DuckSession } from '../../src/lake/duckdb.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { type QuarantinedRow, readQuarantine } from '../../src/lake/quarantine.js';
import { openLakeReader, runReadOnlyQuery } from '../../src/lake/reader.js';
import type { Scratch } from './drop.js';

let dropCounter = 0;

export async function ingestFiles(
  scratch: Scratch,
  files: Record<string, string | null>,
  options: Partial<IngestOptions> = {},
): Promise<IngestResult> {
  const drop = await scratch.drop(`drop-${++dropCounter}`, files);
  return ingestDrop({ lake: scratch.path('lake'), drop, source: factorySource(), ...options });
}

export async function quarantineOf(lake: string, loadId: string, entity?: string): Promise<QuarantinedRow[]> {
  const db = await DuckSession.open();
  try {
    return (await readQuarantine(db, new LakeLayout(lake), { loadId, entity })).rows;
  } finally {
    db.close();
  }
}

export async function queryLake<T = Record<string, unknown>>(
  lake: string,
  sql: string,
  asOf?: string,
): Promise<T[]> {
  const reader = await openLakeReader(lake, { asOf });
  try {
    return (await runReadOnlyQuery(reader, sql)).rows as T[];
  } finally {
    reader.close();
  }
}

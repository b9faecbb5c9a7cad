/** Reading the quarantine: every row that did not load, with its load, file, line, record and reasons. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type DuckSession, sqlString } from './duckdb.js';
import type { LakeLayout } from './layout.js';

export interface QuarantineReason {
  code: string;
  field: string | null;
  message: string;
  fix: string;
}

export interface QuarantinedRow {
  load_id: string;
  entity: string;
  file: string;
  line: number;
  record: string;
  reasons: QuarantineReason[];
}

async function quarantineFiles(
  layout: LakeLayout,
  filter: { loadId?: string; entity?: string },
): Promise<string[]> {
  const root = path.join(layout.root, 'quarantine');
  const entities = await readdir(root).catch(() => [] as string[]);
  const files: string[] = [];
  for (const entity of entities.sort()) {
    if (filter.entity && entity !== filter.entity) continue;
    for (const partition of (await readdir(path.join(root, entity)).catch(() => [] as string[])).sort()) {
      if (filter.loadId && partition !== `load=${filter.loadId}`) continue;
      files.push(path.join(root, entity, partition, 'part-0.parquet'));
    }
  }
  return files;
}

export async function readQuarantine(
  db: DuckSession,
  layout: LakeLayout,
  filter: { loadId?: string; entity?: string; limit?: number },
): Promise<{ total: number; rows: QuarantinedRow[] }> {
  const files = await quarantineFiles(layout, filter);
  if (files.length === 0) return { total: 0, rows: [] };
  const scan = `read_parquet([${files.map(sqlString).join(', ')}])`;
  const total = Number(await db.scalar<bigint>(`SELECT count(*) FROM ${scan}`));
  const limit = filter.limit === undefined ? '' : `LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
  const rows = await db.json<QuarantinedRow>(
    `SELECT load_id, entity, file, line, record, reasons FROM ${scan} ORDER BY load_id, entity, file, line ${limit}`,
  );
  return { total, rows: rows.map((row) => ({ ...row, line: Number(row.line) })) };
}

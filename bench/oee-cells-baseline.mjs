// The benchmark's baseline run the way a user runs hand-written SQL: a process of its own that
// opens DuckDB on the lake's raw layer and writes the OEE cells (bench/oee-cells-baseline.sql)
// to Parquet. bench/build.ts times it beside `lathe build`, start-up included on both sides.
//   node bench/oee-cells-baseline.mjs LAKE OUT.parquet   (after npm run build)
import { readFileSync } from 'node:fs';
import { DuckSession, sqlString } from '../dist/lake/duckdb.js';
import { LakeLayout } from '../dist/lake/layout.js';
import { attachRawViews } from '../dist/lake/views.js';

const [lake, out] = process.argv.slice(2);
const sql = readFileSync(new URL('./oee-cells-baseline.sql', import.meta.url), 'utf8');
const db = await DuckSession.open();
try {
  await attachRawViews(db, new LakeLayout(lake));
  await db.run(`COPY (${sql}) TO ${sqlString(out)} (FORMAT parquet)`);
} finally {
  db.close();
}

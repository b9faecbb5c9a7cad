/**
 * Ingestion benchmark (npm run bench:ingest; not part of npm test).
 *
 * Generates a factory drop (default: the `medium` scale, about 11 M rows), then in the same
 * run measures, on the same files:
 *   baseline  DuckDB's bare `COPY (SELECT * FROM read_csv(f)) TO 'x.parquet'` per file, no checks;
 *   lathe     `lathe ingest` with every contract check, in its own process (for its peak RSS).
 * Prints rows/s, MB/s, peak RSS and the ratio to the baseline. Targets (issue #2): ratio <= 2,
 * peak RSS < 2 GB at any drop size.
 *
 * This machine's speed drifts by tens of percent within minutes, so the two run back to back
 * in `--runs` rounds (default 3) and the ratio is the median of the rounds' ratios. The CPU
 * time each side used (user + system) is printed too: it moves much less than wall time when
 * other work shares the machine.
 *
 *   npm run bench:ingest -- [--scale medium|large] [--runs N] [--keep DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFactory } from '../src/generate/index.js';
import { DuckSession, sqlString } from '../src/lake/duckdb.js';
import { flag, median } from './args.js';

const scale = (flag('--scale') ?? 'medium') as 'medium' | 'large' | 'small';
const keep = flag('--keep');
const runs = Math.max(1, Number(flag('--runs') ?? 3));
const root = keep ? path.resolve(keep) : path.join(tmpdir(), `lathe-bench-ingest-${process.pid}`);
const drop = path.join(root, 'drop');
const lathe = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  if (!(keep && readdirSync(root).includes('drop'))) {
    process.stderr.write(`generating a ${scale} drop in ${drop} …\n`);
    await generateFactory({ out: drop, seed: 1, scale, force: true });
  }
  const files = csvFiles();
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  process.stderr.write(`drop: ${files.length} files, ${(bytes / 1e6).toFixed(0)} MB\n`);

  // Each round runs the baseline (DuckDB alone, no validation, the same files) and then
  // lathe ingest (the real CLI in its own process, every check on, a fresh lake), back to
  // back, so both see the machine at the same speed; the ratio is the median of the rounds'.
  const baselineRuns: number[] = [];
  const ingestRuns: number[] = [];
  const baselineCpu: number[] = [];
  const ingestCpu: number[] = [];
  let load = { rows_read: 0, rows_loaded: 0, rows_quarantined: 0 };
  let peakRssKb = 0;
  for (let run = 0; run < runs; run++) {
    const out = path.join(root, 'baseline');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    const db = await DuckSession.open({ memoryLimit: '1GB', tempDirectory: path.join(root, 'spill') });
    let start = performance.now();
    const cpu = process.cpuUsage();
    for (const file of files) {
      await db.run(
        `COPY (SELECT * FROM read_csv(${sqlString(file)})) TO ${sqlString(path.join(out, `${path.basename(file, '.csv')}.parquet`))} (FORMAT parquet)`,
      );
    }
    baselineRuns.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    baselineCpu.push((used.user + used.system) / 1000);
    db.close();

    const lake = path.join(root, 'lake');
    rmSync(lake, { recursive: true, force: true });
    start = performance.now();
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', '%M %U %S', process.execPath, lathe, '--lake', lake, 'ingest', drop, '--json'],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      },
    );
    ingestRuns.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`lathe ingest failed: ${result.stderr}`);
    load = JSON.parse(result.stdout);
    const [rssKb, userS, systemS] = result.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    peakRssKb = Math.max(peakRssKb, rssKb!);
    ingestCpu.push((userS! + systemS!) * 1000);
  }
  const baselineMs = median(baselineRuns);
  const ingestMs = median(ingestRuns);
  const ratio = median(ingestRuns.map((ms, i) => ms / baselineRuns[i]!));
  const cpuRatio = median(ingestCpu.map((ms, i) => ms / baselineCpu[i]!));

  const report = {
    scale,
    files: files.length,
    rows: load.rows_read,
    megabytes: Math.round(bytes / 1e6),
    baseline: {
      seconds: baselineMs / 1000,
      rows_per_s: Math.round(load.rows_read / (baselineMs / 1000)),
      mb_per_s: +(bytes / 1e6 / (baselineMs / 1000)).toFixed(1),
    },
    lathe: {
      seconds: ingestMs / 1000,
      rows_per_s: Math.round(load.rows_read / (ingestMs / 1000)),
      mb_per_s: +(bytes / 1e6 / (ingestMs / 1000)).toFixed(1),
      peak_rss_mb: Math.round(peakRssKb / 1024),
      rows_loaded: load.rows_loaded,
      rows_quarantined: load.rows_quarantined,
    },
    runs: {
      baseline_s: baselineRuns.map((ms) => +(ms / 1000).toFixed(2)),
      lathe_s: ingestRuns.map((ms) => +(ms / 1000).toFixed(2)),
      baseline_cpu_s: baselineCpu.map((ms) => +(ms / 1000).toFixed(2)),
      lathe_cpu_s: ingestCpu.map((ms) => +(ms / 1000).toFixed(2)),
    },
    ratio_to_baseline: +ratio.toFixed(2),
    cpu_ratio_to_baseline: +cpuRatio.toFixed(2),
    targets: { ratio_at_most: 2, peak_rss_mb_below: 2048 },
  };
  process.stdout.write(
    [
      `ingest benchmark, ${scale} drop: ${report.rows.toLocaleString('en')} rows, ${report.megabytes} MB in ${report.files} files`,
      `  ${runs} rounds, each the baseline then lathe back to back; medians`,
      `  baseline (DuckDB bare COPY to Parquet): ${seconds(baselineMs)}  ${report.baseline.rows_per_s.toLocaleString('en')} rows/s  ${report.baseline.mb_per_s} MB/s`,
      `  lathe ingest (all checks):              ${seconds(ingestMs)}  ${report.lathe.rows_per_s.toLocaleString('en')} rows/s  ${report.lathe.mb_per_s} MB/s  peak RSS ${report.lathe.peak_rss_mb} MB`,
      `  ratio to baseline (median of the rounds' ratios): ${report.ratio_to_baseline}x (target <= 2x); peak RSS target < 2048 MB`,
      `  CPU time (user + system), ratio to baseline: ${report.cpu_ratio_to_baseline}x (lathe ${(median(ingestCpu) / 1000).toFixed(1)} s, baseline ${(median(baselineCpu) / 1000).toFixed(1)} s)`,
      JSON.stringify(report),
      '',
    ].join('\n'),
  );
  if (!keep) rmSync(root, { recursive: true, force: true });
}

function csvFiles(): string[] {
  return readdirSync(drop)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => path.join(drop, name));
}

await main();

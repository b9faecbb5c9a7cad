/**
 * API benchmark (npm run bench:serve; not part of npm test).
 *
 * On a generated `medium` drop (generated, ingested and built once; kept with --keep DIR),
 * `lathe serve` runs in its own process and autocannon loads it from this one:
 *   first request   the first KPI request after the server starts (one request, no cache);
 *   cold            requests that all differ (so each has a new ETag and runs its query):
 *                   a month of line-by-day OEE with varying ranges and filters;
 *   warm            the same requests again (answered per build from the server's memory),
 *                   and with If-None-Match (304);
 *   others          OEE by plant and week, DPMO by line and month, reliability by machine,
 *                   cost by line and day for the month: cold (each once) and warm.
 * Latencies are every response's time as autocannon measured it; p50/p95/p99 computed here.
 * Targets (issue #4): p95 under 100 ms warm and under 300 ms cold for a month of line-by-day OEE.
 *
 *   npm run bench:serve -- [--scale medium|small] [--keep DIR] [--connections N] [--seconds S]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFactory } from '../src/generate/index.js';
import { openLakeReader } from '../src/lake/reader.js';
import { flag } from './args.js';

interface AutocannonRequest {
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { total: number; average: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = ((
  options: {
    url: string;
    connections: number;
    duration?: number;
    amount?: number;
    requests?: AutocannonRequest[];
    headers?: Record<string, string>;
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance) & { track?: unknown };

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const scale = (flag('--scale') ?? 'medium') as 'medium' | 'small';
const keep = flag('--keep');
const connections = Math.max(1, Number(flag('--connections') ?? 10));
const seconds = Math.max(1, Number(flag('--seconds') ?? 10));
const root = keep ? path.resolve(keep) : path.join(tmpdir(), `lathe-bench-serve-${process.pid}`);
const drop = path.join(root, 'drop');
const lake = path.join(root, 'lake');
const here = path.dirname(fileURLToPath(import.meta.url));
const lathe = path.join(here, '..', 'dist', 'cli', 'main.js');

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function runLathe(...argv: string[]): void {
  const result = spawnSync(process.execPath, [lathe, '--lake', lake, ...argv], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`lathe ${argv.join(' ')} failed:\n${result.stderr}${result.stdout}`);
}

async function prepareLake(): Promise<void> {
  if (existsSync(path.join(lake, '_manifests', 'build', 'CURRENT'))) {
    log(`using the built lake in ${lake}`);
    return;
  }
  if (!existsSync(path.join(drop, 'plants.csv'))) {
    log(`generating a ${scale} drop into ${drop} …`);
    await generateFactory({ out: drop, seed: 1, scale, force: true });
  }
  log('ingesting …');
  runLathe('ingest', drop);
  log('building the warehouse …');
  runLathe('build', '--models', path.join(here, '..', 'models'));
}

/** The busiest month, its plants and the last day with cells in it. */
async function pickMonth(): Promise<{ month: string; lastDay: number; plants: string[] }> {
  const reader = await openLakeReader(lake, { models: ['fact_machine_shift'] });
  try {
    const [row] = await reader.db.json<{ month: string; last_day: number }>(
      `select strftime(production_date, '%Y-%m') as month, max(day(production_date))::int as last_day
       from fact_machine_shift group by 1 order by count(*) desc, 1 limit 1`,
    );
    const plants = await reader.db.json<{ plant_id: string }>(
      'select distinct plant_id from fact_machine_shift order by 1',
    );
    return { month: row!.month, lastDay: row!.last_day, plants: plants.map((p) => p.plant_id) };
  } finally {
    reader.close();
  }
}

async function startServer(): Promise<{ child: ChildProcess; base: string; startMs: number }> {
  const start = performance.now();
  const child = spawn(
    process.execPath,
    [lathe, '--lake', lake, 'serve', '--port', '0', '--models', path.join(here, '..', 'models')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /lathe serve: (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`lathe serve exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`lathe serve did not start: ${out}`)), 120_000);
  });
  return { child, base, startMs: performance.now() - start };
}

interface Figures {
  name: string;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  target?: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs autocannon: either `paths` once each (cold), or cycling for `seconds` (warm). */
function load(
  base: string,
  name: string,
  paths: string[],
  mode: { once: true } | { seconds: number },
  options: { connections: number; headers?: Record<string, string>; expect?: number; target?: number },
): Promise<Figures> {
  let next = 0;
  const latencies: number[] = [];
  const requests: AutocannonRequest[] =
    'once' in mode
      ? [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }]
      : paths.map((p) => ({ path: p }));
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: options.connections,
        ...('once' in mode ? { amount: paths.length } : { duration: mode.seconds }),
        requests,
        headers: options.headers,
      },
      (error, result) => {
        if (error) return reject(error);
        const unexpected = options.expect === 304 ? 0 : result.non2xx;
        if (unexpected || result.errors || result.timeouts)
          return reject(
            new Error(
              `${name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
            ),
          );
        latencies.sort((a, b) => a - b);
        resolve({
          name,
          requests: latencies.length,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          rps: latencies.length / result.duration,
          target: options.target,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (options.expect && status !== options.expect) reject(new Error(`${name}: status ${status}`));
      latencies.push(ms);
    });
  });
}

async function timeOne(url: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return performance.now() - start;
}

function table(rows: Figures[]): string {
  const lines = [
    `${'scenario'.padEnd(44)} ${'requests'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)}  target`,
  ];
  for (const row of rows) {
    const verdict =
      row.target === undefined ? '' : `p95 < ${row.target} ms ${row.p95 < row.target ? 'met' : 'MISSED'}`;
    lines.push(
      `${row.name.padEnd(44)} ${String(row.requests).padStart(8)} ${row.p50.toFixed(1).padStart(8)} ${row.p95.toFixed(1).padStart(8)} ${row.p99.toFixed(1).padStart(8)} ${row.rps.toFixed(0).padStart(8)}  ${verdict}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  await prepareLake();
  const { month, lastDay, plants } = await pickMonth();
  const day = (d: number) => `${month}-${String(d).padStart(2, '0')}`;
  const monthOee = `/api/kpi/oee?by=line,day&from=${day(1)}&to=${day(lastDay)}`;
  // Cold: every request different (a new ETag each), all a month or nearly of line-by-day OEE.
  const wheres = [
    '',
    ...plants.map((plant) => `&where=plant:${plant}`),
    `&where=${plants.map((p) => `plant:${p}`).join(',')}`,
  ];
  const cold: string[] = [];
  for (const by of ['line,day', 'day,line'])
    for (const where of wheres)
      for (let first = 1; first <= 3; first++)
        for (let last = Math.max(first, lastDay - 9); last <= lastDay; last++)
          cold.push(`/api/kpi/oee?by=${by}${where}&from=${day(first)}&to=${day(last)}`);
  const others = [
    '/api/kpi/oee?by=plant,week',
    '/api/kpi/dpmo?by=line,month',
    '/api/kpi/reliability?by=machine',
    `/api/kpi/cost?by=line,day&from=${day(1)}&to=${day(lastDay)}`,
  ];
  log(`month ${month} (${lastDay} days), plants ${plants.join(', ')}; ${cold.length} distinct cold requests`);

  const server = await startServer();
  const results: Figures[] = [];
  try {
    const firstMs = await timeOne(`${server.base}${monthOee}`);
    const firstOthers: number[] = [];
    for (const url of others) firstOthers.push(await timeOne(`${server.base}${url}`));
    log(`server up in ${server.startMs.toFixed(0)} ms; first request ${firstMs.toFixed(1)} ms`);
    // Half the distinct requests with a few connections (a dashboard page's burst), half one at a time.
    const coldConnections = Math.min(connections, 4);
    results.push(
      await load(
        server.base,
        `cold: month of OEE line x day (${coldConnections} conn)`,
        cold.filter((_, i) => i % 2 === 0),
        { once: true },
        { connections: coldConnections, target: 300 },
      ),
    );
    results.push(
      await load(
        server.base,
        'cold: month of OEE line x day (1 conn)',
        cold.filter((_, i) => i % 2 === 1),
        { once: true },
        { connections: 1, target: 300 },
      ),
    );
    results.push(
      await load(
        server.base,
        `warm: month of OEE line x day (${connections} conn)`,
        [monthOee],
        { seconds },
        {
          connections,
          target: 100,
        },
      ),
    );
    results.push(
      await load(
        server.base,
        `warm: cold set again (${connections} conn)`,
        cold,
        { seconds },
        { connections, target: 100 },
      ),
    );
    const etag = (await fetch(`${server.base}${monthOee}`)).headers.get('etag')!;
    results.push(
      await load(
        server.base,
        `warm 304: If-None-Match (${connections} conn)`,
        [monthOee],
        { seconds },
        {
          connections,
          headers: { 'if-none-match': etag },
          expect: 304,
          target: 100,
        },
      ),
    );
    results.push(
      await load(
        server.base,
        `warm: 4 other KPI requests (${connections} conn)`,
        others,
        { seconds },
        {
          connections,
          target: 100,
        },
      ),
    );
    process.stdout.write(
      `\nlathe serve on a ${scale} lake (${lake}); month ${month}\n` +
        `server start to listening: ${server.startMs.toFixed(0)} ms\n` +
        `first request after start (month of OEE line x day): ${firstMs.toFixed(1)} ms (target < 300 ms ${firstMs < 300 ? 'met' : 'MISSED'})\n` +
        `first request of each other KPI: ${others.map((url, i) => `${url.slice(9)} ${firstOthers[i]!.toFixed(1)} ms`).join(', ')}\n\n` +
        `${table(results)}\n`,
    );
  } finally {
    server.child.kill('SIGTERM');
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

await main();

#!/usr/bin/env node
// `npm start`: the demo on the embedded defaults. Generates a small synthetic factory into
// ./demo/drop (once), ingests it into ./lake, shows what was loaded, builds the warehouse and
// asks it for OEE, then serves the dashboard and the API on 127.0.0.1:8080 (or the next free
// port) until Ctrl-C. With CI=true or --no-serve it ends after the KPI step (tests must not hang).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const lake = process.env.LATHE_LAKE ?? path.join(root, 'lake');
const drop = path.join(root, 'demo', 'drop');

function step(title, args) {
  process.stdout.write(`\n== ${title}\n$ lathe ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [cli, '--lake', lake, ...args], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    process.stderr.write(`\nthe demo stopped: \`lathe ${args.join(' ')}\` exited with ${result.status}\n`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(cli) || !existsSync(path.join(root, 'dist', 'web', 'index.html'))) {
  process.stdout.write('building Lathe and its dashboard (first run) …\n');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
if (!existsSync(path.join(drop, 'machines.csv'))) {
  step('generate a small synthetic factory (2 plants, 7 days, a daylight-saving change)', [
    'generate',
    '--out',
    drop,
    '--scale',
    'small',
    '--seed',
    '1',
    '--force',
  ]);
}
step('ingest it into the lake (a drop already loaded is recognised and skipped)', ['ingest', drop]);
step('the load history', ['loads']);
step('what the lake holds now', ['lake', 'stats']);
step('build the warehouse: staging -> core star schema -> marts, every data-quality test', ['build']);
step('OEE per line and production day, rolled up from the machine-shift cells', [
  'kpi',
  'oee',
  '--by',
  'line,day',
  '--from',
  '2026-03-27',
]);
step('ask it something: where did the stop time go?', [
  'query',
  'select loss_bucket, round(sum(duration_s) / 3600, 1) as hours from fact_stop_segment group by all order by hours desc',
]);
process.stdout.write(
  `\nLathe's lake is in ${path.relative(process.cwd(), lake) || '.'}; try \`npx lathe --help\`.\n`,
);

const noServe = process.argv.includes('--no-serve') || process.env.CI === 'true' || process.env.CI === '1';
if (!noServe) await serveDashboard();

/** True when nothing listens on the port (on 127.0.0.1) right now. */
function isFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function freePort(first, tries) {
  for (let port = first; port < first + tries; port++) if (await isFree(port)) return port;
  return 0; // every one taken: let the system choose
}

async function serveDashboard() {
  const port = await freePort(8080, 20);
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port)];
  process.stdout.write(`\n== the dashboard and the API over this lake\n$ lathe ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [cli, '--lake', lake, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let announced = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    // `lathe serve: http://127.0.0.1:8080  (…)` says where it listens (port 0 included).
    const address = /lathe serve: (http:\/\/\S+)/.exec(String(chunk))?.[1];
    if (address && !announced) {
      announced = true;
      process.stdout.write(`\nopen ${address}\n(Ctrl-C stops the server)\n`);
    }
  });
  const stop = () => child.kill('SIGINT');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  child.once('exit', (code, signal) => {
    process.exit(signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : (code ?? 0));
  });
}

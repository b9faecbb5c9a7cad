#!/usr/bin/env node
// `npm start`: the demo on the embedded defaults. Generates a small synthetic factory into
// ./demo/drop (once), ingests it into ./lake, shows what was loaded, builds the warehouse and
// asks it for OEE. Later issues extend this one entry point (dashboard, live stream).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

if (!existsSync(cli)) {
  process.stdout.write('building Lathe (first run) …\n');
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

#!/usr/bin/env node
// Runs every test file under test/ (or the ones named) with Node's own test runner, TypeScript via tsx.
// Node 20's runner does not expand globs or pick up .ts files itself, hence this small list.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function collect(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return collect(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const named = process.argv.slice(2);
const files = named.length > 0 ? named : collect('test').sort();
const concurrency = process.env.LATHE_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

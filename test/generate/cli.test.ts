import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./lathe-generate.ts', import.meta.url));

/** Runs `lathe generate ...` in a child process; returns stdout, stderr and the exit code. */
async function lathe(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', ENTRY, 'generate', ...args], (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
    });
  });
}

describe('lathe generate', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lathe-generate-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('--help shows an example', async () => {
    const result = await lathe('--help');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Example/);
    assert.match(result.stdout, /lathe generate --out/);
  });

  test('--json prints rows per entity, total rows and bytes; truth goes beside the drop', async () => {
    const out = path.join(dir, 'drop');
    const result = await lathe('--out', out, '--seed', '4', '--scale', 'tiny', '--json');
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.out, out);
    assert.equal(summary.seed, 4);
    assert.equal(summary.scale, 'tiny');
    assert.equal(Object.keys(summary.entities).length, 18);
    assert.equal(
      summary.total_rows,
      Object.values(summary.entities as Record<string, number>).reduce((a, b) => a + b, 0),
    );
    assert.ok(summary.bytes > 0);
    assert.equal(summary.truth, `${out}.truth`);
    assert.deepEqual((await readdir(summary.truth)).sort(), [
      'anomalies.csv',
      'bad_rows.csv',
      'failures.csv',
      'summary.json',
    ]);
  });

  test('a non-empty folder needs --force (exit code 2, naming the fix)', async () => {
    const out = path.join(dir, 'used');
    await lathe('--out', out, '--scale', 'tiny');
    await writeFile(path.join(out, 'README.txt'), 'keep me');
    const refused = await lathe('--out', out, '--scale', 'tiny');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not empty/);
    assert.match(refused.stderr, /--force/);
    const forced = await lathe('--out', out, '--scale', 'tiny', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /production_counts/);
    assert.ok((await readdir(out)).includes('README.txt'), '--force removes only generated files');
  });

  test('bad flags are usage errors (exit code 2)', async () => {
    const cases = [
      ['--plants', 'two'],
      ['--plants', '9'],
      ['--bad-rows', '1.5'],
      ['--start', '2026-02-30'],
      ['--scale', 'huge'],
      ['--truth', path.join(dir, 'x', 'truth')],
    ];
    const results = await Promise.all([
      ...cases.map((args) => lathe('--out', path.join(dir, 'x'), '--scale', 'tiny', ...args)),
      lathe('--scale', 'tiny'),
    ]);
    results.forEach((result, i) => {
      assert.equal(result.code, 2, `${(cases[i] ?? ['no --out']).join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /error/);
    });
  });
});

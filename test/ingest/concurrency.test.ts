/**
 * Processes at once, as in a plant: a load killed half-way changes nothing readers see and
 * can simply be run again; a reader running during a load sees the old state or the new,
 * never half; a second writer stops with a clear message, or queues with --wait.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LakeLayout } from '../../src/lake/layout.js';
import { readCurrentId } from '../../src/lake/manifest.js';
import { FileLoadStore } from '../../src/meta/load-store.js';
import { writeManyReadings } from '../support/big-drop.js';
import { runCli, startCli } from '../support/cli.js';
import { Scratch, validDrop } from '../support/drop.js';
import { queryLake } from '../support/lake.js';

const BIG_ROWS = 1_500_000;

describe('concurrent processes', () => {
  let scratch: Scratch;
  let bigDrop: string;
  before(async () => {
    scratch = await Scratch.create();
    bigDrop = await scratch.drop('big', { ...validDrop(), 'sensor_readings.csv': null });
    await writeManyReadings(bigDrop, BIG_ROWS);
  });
  after(() => scratch.dispose());

  async function freshLake(name: string): Promise<{ lake: string; firstLoad: string }> {
    const lake = scratch.path(name);
    const small = await scratch.drop(`${name}-small`, validDrop());
    const first = await runCli(['--lake', lake, 'ingest', small]);
    assert.equal(first.code, 0, first.stderr);
    return { lake, firstLoad: (await readCurrentId(new LakeLayout(lake), 'raw'))! };
  }

  /** Resolves once the loading process has started writing its load. */
  async function loadStarted(lake: string): Promise<void> {
    const staging = new LakeLayout(lake).stagingDir('');
    for (let i = 0; i < 400; i++) {
      if (existsSync(staging) && readdirSync(staging).length > 0) return;
      await sleep(25);
    }
    throw new Error('the load never started');
  }

  /** Whether the process writes `pattern` to stderr within `ms` (or before it ends). */
  function saysWithin(cli: ReturnType<typeof startCli>, pattern: RegExp, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let said = '';
      const timer = setTimeout(() => resolve(false), ms);
      cli.child.stderr!.on('data', (chunk: string) => {
        said += chunk;
        if (pattern.test(said)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      cli.child.on('close', () => {
        clearTimeout(timer);
        resolve(pattern.test(said));
      });
    });
  }

  for (const delayMs of [0, 600, 1500]) {
    test(`a load killed ${delayMs} ms into its work leaves the current state unchanged and can be re-run`, async () => {
      const { lake, firstLoad } = await freshLake(`lake-kill-${delayMs}`);
      const running = startCli(['--lake', lake, 'ingest', bigDrop]);
      await loadStarted(lake);
      await sleep(delayMs);
      running.child.kill('SIGKILL');
      const killed = await running.done;
      assert.equal(
        killed.signal,
        'SIGKILL',
        'the load was still running when killed (make the drop larger if not)',
      );

      assert.equal(
        await readCurrentId(new LakeLayout(lake), 'raw'),
        firstLoad,
        'readers still see the first load',
      );
      const [before] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from sensor_readings');
      assert.equal(before!.n, 3);

      const rerun = await runCli(['--lake', lake, 'ingest', bigDrop, '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      const [afterRerun] = await queryLake<{ n: number }>(
        lake,
        'select count(*)::int as n from sensor_readings',
      );
      assert.equal(afterRerun!.n, 3 + BIG_ROWS);
      const loads = await new FileLoadStore(new LakeLayout(lake).loadsDir()).list();
      assert.deepEqual(
        loads.map((load) => load.status),
        ['committed', 'abandoned', 'committed'],
      );
      assert.equal(
        existsSync(new LakeLayout(lake).stagingDir(loads[1]!.load_id)),
        false,
        'the killed load left nothing behind',
      );
    });
  }

  test('a reader during a load sees the old state or the new, never part of it', async () => {
    const { lake } = await freshLake('lake-reader');
    const running = startCli(['--lake', lake, 'ingest', bigDrop]);
    let finished = false;
    const done = running.done.then((result) => {
      finished = true;
      return result;
    });
    const seen = new Set<number>();
    while (!finished) {
      const [row] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from sensor_readings');
      seen.add(row!.n);
      await sleep(50);
    }
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    const [final] = await queryLake<{ n: number }>(lake, 'select count(*)::int as n from sensor_readings');
    seen.add(final!.n);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [3, 3 + BIG_ROWS],
    );
  });

  test('a second writer stops with a message naming the first, or queues behind it with --wait', async () => {
    const { lake } = await freshLake('lake-writers');
    const other = await scratch.drop('other', {
      'materials.csv': 'material_id,material_name,supplier,unit_cost\nSTEEL,Steel sheet,Acme,1.1\n',
    });
    const first = startCli(['--lake', lake, 'ingest', bigDrop]);
    await loadStarted(lake);
    // Paused, the first writer holds the lock for as long as the test needs, however fast it loads.
    first.child.kill('SIGSTOP');
    try {
      const refused = await runCli(['--lake', lake, 'ingest', other]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /another process is writing this lake: `lathe ingest .*big` \(pid \d+/);
      assert.match(refused.stderr, /fix: wait for it to finish, or pass --wait SECONDS/);

      const queuing = startCli(['--lake', lake, 'ingest', other, '--wait', '120']);
      const waiting = await saysWithin(queuing, /waiting for another writer to finish/, 60_000);
      first.child.kill('SIGCONT');
      const queued = await queuing.done;
      assert.ok(waiting, `the second writer did not say it waits: ${queued.stderr}`);
      assert.equal(queued.code, 0, queued.stderr);
    } finally {
      first.child.kill('SIGCONT');
    }
    assert.equal((await first.done).code, 0);
    const loads = await new FileLoadStore(new LakeLayout(lake).loadsDir()).list();
    assert.deepEqual(
      loads.map((load) => [load.status, load.files.length]),
      [
        ['committed', 18],
        ['committed', 18],
        ['committed', 1],
      ],
    );
    const [steel] = await queryLake<{ unit_cost: number }>(lake, 'select unit_cost from materials');
    assert.equal(steel!.unit_cost, 1.1);
  });
});

/**
 * One writer at a time per lake. The lock is a file created exclusively; it names its
 * holder's pid, so a lock left by a killed process is recognized as stale and taken over.
 */

import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { LatheError } from '../util/errors.js';

interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface WriterLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock, waiting up to `waitSeconds` for a live holder to finish.
 * `onWait` is told once who holds it, so the user sees why nothing happens.
 */
export async function acquireWriterLock(
  file: string,
  options: { command: string; waitSeconds: number; onWait?: (holder: LockHolder) => void },
): Promise<WriterLock> {
  await mkdir(path.dirname(file), { recursive: true });
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: options.command,
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + options.waitSeconds * 1000;
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (holder && holder.host === me.host && !isAlive(holder.pid)) {
      // Stale: its process is gone. Move it aside atomically so two waiters cannot both take over.
      await rename(file, `${file}.stale-${holder.pid}`).catch(() => undefined);
      await rm(`${file}.stale-${holder.pid}`, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LatheError(
        'lake_busy',
        `another process is writing this lake: ${holder ? `\`${holder.command}\` (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : 'unknown holder'}`,
        { location: { file }, fix: 'wait for it to finish, or pass --wait SECONDS to queue behind it' },
      );
    }
    if (!told && holder) {
      options.onWait?.(holder);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Debian's Chromium driven by playwright-core (which never downloads a browser of its own), and
 * `lathe serve` in-process on a free loopback port: what the end-to-end tests and
 * bench/paint.ts open the dashboard with.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { createServer, type LatheServer } from '../../src/server/app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_DIR = path.join(REPO, 'dist', 'web');
export const LAPTOP = { width: 1366, height: 768 };

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The dashboard's build, made when missing (npm test builds it before the tests). */
export function ensureWebBuild(): void {
  if (existsSync(path.join(WEB_DIR, 'index.html'))) return;
  const result = spawnSync(
    process.execPath,
    [path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'],
    { cwd: REPO, stdio: 'inherit' },
  );
  if (result.status !== 0)
    throw new Error('the dashboard build (vite build --config web/vite.config.ts) failed');
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh Chromium profile each time: no cache, no state from an earlier run. */
export async function openBrowser(downloads?: string): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'lathe-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: LAPTOP,
    acceptDownloads: true,
    downloadsPath: downloads,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface Served {
  server: LatheServer;
  url: string;
}

export async function serveLake(lake: string): Promise<Served> {
  const server = await createServer({
    lake,
    modelsDir: path.join(REPO, 'models'),
    webDir: WEB_DIR,
    warm: true,
  });
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return { server, url };
}

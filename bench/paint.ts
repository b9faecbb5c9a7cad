/**
 * The overview page's first meaningful paint in headless Chromium, on a `medium` lake (target:
 * under 2 s). Each run opens a fresh browser profile (no cache) on `/` and reads, from the page's
 * own Performance API:
 *   - first contentful paint (the frame and filters),
 *   - numbers: when the OEE tiles show the API's figures (the page's `lathe:overview-numbers` mark),
 *   - largest contentful paint (PerformanceObserver, buffered; the last candidate before any input).
 *
 *   node --import tsx bench/paint.ts                        # medium drop, generated in a temp folder
 *   node --import tsx bench/paint.ts --keep /tmp/paint      # keep (or reuse) the generated lake
 *   node --import tsx bench/paint.ts --lake /tmp/bench/lake # any lake with a warehouse build
 *   node --import tsx bench/paint.ts --scale small --runs 3
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { factorySource } from '../src/contract/factory.js';
import { generateFactory } from '../src/generate/index.js';
import { ingestDrop } from '../src/ingest/load.js';
import { buildWarehouse } from '../src/models/index.js';
import { ensureWebBuild, openBrowser, REPO, serveLake } from '../test/e2e/browser.js';
import { median } from './args.js';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const scale = (flag('--scale') ?? 'medium') as 'medium' | 'small';
const runs = Math.max(1, Number(flag('--runs') ?? 5));
const keep = flag('--keep');
const given = flag('--lake');
const root = keep ? path.resolve(keep) : path.join(tmpdir(), `lathe-bench-paint-${process.pid}`);
const lake = given ? path.resolve(given) : path.join(root, 'lake');
const TARGET_MS = 2000;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function prepareLake(): Promise<void> {
  if (existsSync(path.join(lake, '_manifests', 'build'))) return;
  if (given) throw new Error(`${lake} has no warehouse build: run lathe build on it first`);
  mkdirSync(root, { recursive: true });
  const drop = path.join(root, 'drop');
  let started = performance.now();
  log(`generating a ${scale} drop in ${root} …`);
  await generateFactory({ out: drop, seed: 1, scale, force: true });
  log(`  ${((performance.now() - started) / 1000).toFixed(0)} s; ingesting …`);
  started = performance.now();
  const ingest = await ingestDrop({ lake, drop, source: factorySource() });
  if (ingest.status !== 'committed') throw new Error(`the load ended ${ingest.status}`);
  log(`  ${((performance.now() - started) / 1000).toFixed(0)} s; building the warehouse …`);
  started = performance.now();
  const build = await buildWarehouse({ lake, modelsDir: path.join(REPO, 'models'), parallelism: 2 });
  if (build.status !== 'published') throw new Error(`the build ended ${build.status}`);
  log(`  ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

interface Paint {
  fcp: number | null;
  numbers: number | null;
  lcp: number | null;
  lcpElement: string | null;
}

async function main(): Promise<void> {
  ensureWebBuild();
  await prepareLake();
  const served = await serveLake(lake);
  const results: Paint[] = [];
  try {
    // One request ahead of the runs opens the build's reader (as `lathe serve` warms up itself),
    // but leaves every answer uncached in the browser: each run starts with a fresh profile.
    await fetch(`${served.url}/api/health`);
    for (let run = 0; run < runs; run++) {
      const browser = await openBrowser();
      try {
        const page = browser.context.pages()[0] ?? (await browser.context.newPage());
        await page.goto(`${served.url}/`);
        await page.waitForFunction(
          () => performance.getEntriesByName('lathe:overview-numbers').length > 0,
          null,
          {
            timeout: 60_000,
          },
        );
        // Let the frame with the numbers paint, then read the last LCP candidate.
        await page.waitForTimeout(500);
        const paint = await page.evaluate(
          () =>
            new Promise<Paint>((resolve) => {
              const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
              const numbers = performance.getEntriesByName('lathe:overview-numbers')[0]?.startTime ?? null;
              new PerformanceObserver((list) => {
                const entries = list.getEntries() as (PerformanceEntry & { element?: Element | null })[];
                const last = entries.at(-1);
                resolve({
                  fcp,
                  numbers,
                  lcp: last ? last.startTime : null,
                  lcpElement: last?.element
                    ? `${last.element.tagName.toLowerCase()}.${last.element.className}`
                    : null,
                });
              }).observe({ type: 'largest-contentful-paint', buffered: true });
            }),
        );
        results.push(paint);
        log(
          `run ${run + 1}: FCP ${paint.fcp?.toFixed(0)} ms, numbers ${paint.numbers?.toFixed(0)} ms, LCP ${paint.lcp?.toFixed(0)} ms (${paint.lcpElement})`,
        );
      } finally {
        await browser.close();
      }
    }
  } finally {
    await served.server.close();
    if (!keep && !given) rmSync(root, { recursive: true, force: true });
  }
  const meaningful = results.map((one) => Math.max(one.numbers ?? Number.NaN, one.lcp ?? 0));
  const figure = median(meaningful);
  process.stdout.write(
    `overview first meaningful paint on the ${given ? 'given' : scale} lake, median of ${runs} cold runs:\n` +
      `  first contentful paint   ${median(results.map((one) => one.fcp ?? Number.NaN)).toFixed(0)} ms\n` +
      `  OEE numbers shown        ${median(results.map((one) => one.numbers ?? Number.NaN)).toFixed(0)} ms\n` +
      `  largest contentful paint ${median(results.map((one) => one.lcp ?? Number.NaN)).toFixed(0)} ms\n` +
      `  meaningful (later of the two) ${figure.toFixed(0)} ms  (target < ${TARGET_MS} ms: ${figure < TARGET_MS ? 'met' : 'NOT met'})\n`,
  );
}

await main();

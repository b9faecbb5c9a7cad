/**
 * The dashboard in a real browser (Debian's Chromium) against `lathe serve` over a generated
 * factory: the numbers on the page are the API's, filters live in the URL, the drill-down goes
 * plant -> line -> machine -> shift, CSV export carries the table's numbers, the Process page
 * marks a violation the generator injected, and no page logs an error. Screenshots of every
 * page go to artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { factorySource } from '../../src/contract/factory.js';
import { generateFactory } from '../../src/generate/index.js';
import { ingestDrop } from '../../src/ingest/load.js';
import { buildWarehouse } from '../../src/models/index.js';
import { Scratch } from '../support/drop.js';
import {
  type Browser,
  CHROMIUM,
  ensureWebBuild,
  openBrowser,
  REPO,
  type Served,
  serveLake,
} from './browser.js';

type Row = Record<string, unknown>;
const SCREENSHOTS = path.join(REPO, 'artifacts', 'screenshots');
const PAGES = ['/', '/losses', '/quality', '/reliability', '/process', '/cost', '/data'];

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

/** A CSV as the dashboard writes it (no quoted fields in these exports). */
function parseCsv(text: string): Row[] {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const names = (head ?? '').split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, index) => [names[index], cell])));
}

describe('the dashboard in Chromium', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing`,
}, () => {
  let scratch: Scratch;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let truth: string;
  const consoleErrors: string[] = [];

  async function api<T = { rows: Row[] }>(route: string): Promise<T> {
    const response = await fetch(served.url + route);
    assert.equal(response.status, 200, `${route} answered ${response.status}`);
    return (await response.json()) as T;
  }

  /** A panel (by its CSV name) switched to its table view; its rows as cell text and raw value. */
  async function tableOf(panel: string): Promise<{ text: Row[]; value: Row[] }> {
    const section = page.locator(`section[data-panel="${panel}"]`);
    const tableButton = section.getByRole('button', { name: 'Table', exact: true });
    if (await tableButton.count()) await tableButton.click();
    await section.locator('table tbody tr').first().waitFor();
    return section.locator('table tbody tr').evaluateAll((rows) => {
      const text: Record<string, string>[] = [];
      const value: Record<string, string>[] = [];
      for (const row of rows) {
        const t: Record<string, string> = {};
        const v: Record<string, string> = {};
        for (const cell of row.querySelectorAll('td[data-column]')) {
          const name = cell.getAttribute('data-column') ?? '';
          t[name] = cell.textContent ?? '';
          v[name] = cell.getAttribute('data-value') ?? '';
        }
        text.push(t);
        value.push(v);
      }
      return { text, value };
    });
  }

  before(async () => {
    ensureWebBuild();
    scratch = await Scratch.create('lathe-e2e-');
    const drop = scratch.path('drop');
    truth = scratch.path('drop.truth');
    await generateFactory({ out: drop, truth, seed: 5, scale: 'small', badRows: 0.01 });
    const lake = scratch.path('lake');
    const ingest = await ingestDrop({ lake, drop, source: factorySource() });
    assert.equal(ingest.status, 'committed');
    const build = await buildWarehouse({ lake, modelsDir: path.join(REPO, 'models'), parallelism: 2 });
    assert.equal(build.status, 'published');
    served = await serveLake(lake);
    browser = await openBrowser(scratch.path('downloads'));
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await served?.server.close();
    await scratch?.dispose();
  });

  test("the overview's OEE per line is the API's, figure for figure", async () => {
    const answer = await api('/api/kpi/oee?by=line');
    assert.ok(answer.rows.length >= 2, 'the factory has lines');
    await page.goto(`${served.url}/`);
    const table = await tableOf('oee-by-line');
    assert.equal(table.value.length, answer.rows.length);
    answer.rows.forEach((row, index) => {
      assert.equal(table.value[index]?.line_id, row.line_id);
      // The raw value is the API's number, unchanged; the cell shows it as a percent.
      assert.equal(Number(table.value[index]?.oee), row.oee, `OEE of ${String(row.line_id)}`);
      assert.equal(table.text[index]?.oee, percent(row.oee as number));
      assert.equal(Number(table.value[index]?.availability), row.availability);
    });
    const whole = await api('/api/kpi/oee');
    const tile = page.locator('[data-kpi="oee"] .tile-value');
    assert.equal(await tile.textContent(), percent(whole.rows[0]?.oee as number));
  });

  test('a filter goes into the URL and changes the numbers', async () => {
    await page.goto(`${served.url}/`);
    const tile = page.locator('[data-kpi="oee"] .tile-value');
    const all = await api('/api/kpi/oee');
    await page.waitForFunction(() =>
      document.querySelector('[data-kpi="oee"] .tile-value')?.getAttribute('data-value'),
    );
    assert.equal(Number(await tile.getAttribute('data-value')), all.rows[0]?.oee);

    await page.selectOption('#filter-plant', 'P2');
    await page.waitForURL(/[?&]plant=P2(&|$)/);
    const p2 = await api('/api/kpi/oee?where=plant:P2');
    const expected = String(p2.rows[0]?.oee);
    await page.waitForFunction(
      (value) => document.querySelector('[data-kpi="oee"] .tile-value')?.getAttribute('data-value') === value,
      expected,
    );
    assert.notEqual(p2.rows[0]?.oee, all.rows[0]?.oee);
    assert.equal(await tile.textContent(), percent(p2.rows[0]?.oee as number));

    // The URL alone restores the view (shareable): a fresh load shows plant P2's lines only.
    await page.goto(`${served.url}/?plant=P2&from=2026-03-24&to=2026-03-26`);
    const lines = await tableOf('oee-by-line');
    const answer = await api('/api/kpi/oee?by=line&where=plant:P2&from=2026-03-24&to=2026-03-26');
    assert.deepEqual(
      lines.value.map((row) => [row.line_id, Number(row.oee)]),
      answer.rows.map((row) => [row.line_id, row.oee]),
    );
    assert.ok(lines.value.every((row) => String(row.line_id).startsWith('P2-')));
    assert.equal(await page.inputValue('#filter-from'), '2026-03-24');
  });

  test('the drill-down goes plant -> line -> machine -> shift', async () => {
    await page.goto(`${served.url}/`);
    await tableOf('drill-oee-by-plant');
    await page.getByRole('button', { name: 'Open P1', exact: true }).click();
    await page.waitForURL(/[?&]plant=P1/);
    const lines = await tableOf('drill-oee-by-line');
    assert.ok(lines.value.length > 0 && lines.value.every((row) => String(row.line_id).startsWith('P1-')));

    await page.getByRole('button', { name: 'Open P1-L1', exact: true }).click();
    await page.waitForURL(/[?&]line=P1-L1/);
    const machines = await tableOf('drill-oee-by-machine');
    const machineAnswer = await api('/api/kpi/oee?by=machine&where=plant:P1,line:P1-L1');
    assert.deepEqual(
      machines.value.map((row) => [row.machine_id, Number(row.oee)]),
      machineAnswer.rows.map((row) => [row.machine_id, row.oee]),
    );

    await page.getByRole('button', { name: 'Open P1-L1-M1', exact: true }).click();
    await page.waitForURL(/[?&]machine=P1-L1-M1/);
    const shifts = await tableOf('drill-oee-by-shift');
    const shiftAnswer = await api('/api/kpi/oee?by=shift&where=plant:P1,line:P1-L1,machine:P1-L1-M1');
    assert.equal(shifts.value.length, shiftAnswer.rows.length);
    assert.equal(shifts.value[0]?.shift_id, shiftAnswer.rows[0]?.shift_id);
    assert.equal(Number(shifts.value[0]?.oee), shiftAnswer.rows[0]?.oee);

    // Back up the path with the breadcrumb.
    await page
      .getByRole('navigation', { name: 'Drill-down path' })
      .getByRole('link', { name: 'All plants' })
      .click();
    await page.waitForURL((url) => !url.search.includes('plant='));
  });

  test('CSV export downloads the numbers of the table', async () => {
    await page.goto(`${served.url}/losses`);
    const table = await tableOf('six-big-losses-by-line');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .locator('section[data-panel="six-big-losses-by-line"]')
        .getByRole('button', { name: 'CSV' })
        .click(),
    ]);
    assert.equal(download.suggestedFilename(), 'six-big-losses-by-line.csv');
    const csv = parseCsv(await readFile((await download.path()) as string, 'utf8'));
    assert.equal(csv.length, table.value.length);
    assert.deepEqual(csv, table.value);
    const answer = await api('/api/kpi/waterfall?by=line');
    answer.rows.forEach((row, index) => {
      assert.equal(Number(csv[index]?.breakdown_s), row.breakdown_s);
      assert.equal(Number(csv[index]?.speed_loss_s), row.speed_loss_s);
    });
  });

  test('the Process page marks a violation the generator injected', async () => {
    const anomalies = parseCsv(await readFile(path.join(truth, 'anomalies.csv'), 'utf8'));
    let found:
      | { machine: string; sensor: string; ts: string; from: string; to: string; count: number }
      | undefined;
    for (const anomaly of anomalies) {
      if (anomaly.kind !== 'spike') continue;
      const start = Date.parse(String(anomaly.start_ts));
      const end = Date.parse(String(anomaly.end_ts));
      // Plant-local production days around the spike (UTC ± a day covers any time zone).
      const from = new Date(start - 86_400_000).toISOString().slice(0, 10);
      const to = new Date(start + 86_400_000).toISOString().slice(0, 10);
      const spc = await api<{ violations: { ts: string; rule: number }[] }>(
        `/api/spc/${anomaly.machine_id}/${anomaly.sensor}?from=${from}&to=${to}`,
      );
      const hit = spc.violations.find(
        (v) => v.rule === 1 && Date.parse(v.ts) >= start && Date.parse(v.ts) <= end,
      );
      if (hit && spc.violations.length <= 1000) {
        found = {
          machine: String(anomaly.machine_id),
          sensor: String(anomaly.sensor),
          ts: hit.ts,
          from,
          to,
          count: spc.violations.length,
        };
        break;
      }
    }
    assert.ok(found, 'an injected spike raised a beyond-3σ violation');
    await page.goto(
      `${served.url}/process?machine=${found.machine}&sensor=${found.sensor}&from=${found.from}&to=${found.to}`,
    );
    const marked = page.locator('[data-violations]');
    await marked.waitFor();
    assert.equal(Number(await marked.getAttribute('data-violations')), found.count);
    const violations = await tableOf(`violations-${found.machine}-${found.sensor}`);
    const row = violations.value.find((one) => one.ts === found.ts && one.rule === '1');
    assert.ok(row, `the violation at ${found.ts} is listed`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'process-injected-spike.png') });
  });

  test('every page loads without console errors (screenshots in artifacts/screenshots)', async () => {
    consoleErrors.length = 0;
    for (const route of PAGES) {
      await page.goto(`${served.url}${route}`);
      await page.waitForLoadState('networkidle');
      await page.locator('h1').waitFor();
      assert.equal(await page.locator('[aria-busy="true"]').count(), 0, `${route} finished loading`);
      assert.equal(await page.locator('[role="alert"]').count(), 0, `${route} shows no error`);
      const name = route === '/' ? 'overview' : route.slice(1);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    }
    assert.deepEqual(consoleErrors, []);
  });

  test('the keyboard reaches the pages and the filters, with a visible focus', async () => {
    await page.goto(`${served.url}/`);
    // Tab before React has rendered moves focus nowhere: wait for the page, as a person would.
    await page.getByText('Skip to the page').waitFor({ state: 'attached' });
    await page.locator('h1', { hasText: 'Overview' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the page');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Overview');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/losses$/);
    await page.locator('h1', { hasText: 'Losses' }).waitFor();
  });
});

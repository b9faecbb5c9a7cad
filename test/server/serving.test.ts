/**
 * The server around the data: a lake with no build (or nothing at all) says what to run, the
 * dashboard's files are served with a fallback for client routes and never outside their
 * folder, alerts are listed and streamed as they are appended, and `lathe serve` is a real
 * command (help with examples, bad flags exit 2, a process that answers on loopback).
 */
import assert from 'node:assert/strict';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { factorySource } from '../../src/contract/factory.js';
import { ingestDrop } from '../../src/ingest/load.js';
import type { LatheServer } from '../../src/server/app.js';
import { runCli, startCli } from '../support/cli.js';
import { Scratch, validDrop } from '../support/drop.js';
import { assertError, get, serverOn } from './support.js';

describe('a lake without a build', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(async () => scratch?.dispose());

  test('no load at all: 503 lake_empty; health says no_lake; loads is an empty list', async () => {
    const server = await serverOn(scratch.path('empty-lake'));
    try {
      assertError(await get(server, '/api/kpi/oee'), 503, 'lake_empty', /no load/);
      assert.match((await get(server, '/api/kpi/oee')).json.error.fix, /lathe ingest/);
      assert.equal((await get(server, '/api/health')).json.status, 'no_lake');
      const loads = await get(server, '/api/loads');
      assert.equal(loads.status, 200);
      assert.deepEqual(loads.json.items, []);
      assert.equal((await get(server, '/api/quarantine')).json.total, 0);
    } finally {
      await server.close();
    }
  });

  test('loads but no build: 503 warehouse_not_built that says to run lathe build, on every warehouse route', async () => {
    const lake = scratch.path('lake');
    const drop = await scratch.drop('drop', validDrop());
    const ingest = await ingestDrop({ lake, drop, source: factorySource() });
    assert.equal(ingest.status, 'committed');
    const server = await serverOn(lake);
    try {
      for (const url of [
        '/api/kpi/oee?by=line',
        '/api/plants',
        '/api/machines',
        '/api/spc/M1/temp',
        '/api/pareto',
        '/api/reliability',
        '/api/delivery',
        '/api/capability',
      ]) {
        const answer = await get(server, url);
        assertError(answer, 503, 'warehouse_not_built', /no warehouse build/);
        assert.match(answer.json.error.fix, /lathe build/);
      }
      assert.equal((await get(server, '/api/health')).json.status, 'no_build');
      assert.equal((await get(server, '/api/loads')).json.items.length, 1);
      // Bad input is still a 400 first: it is wrong whatever the lake holds.
      assertError(await get(server, '/api/kpi/oe'), 400, 'unknown_kpi');
    } finally {
      await server.close();
    }
  });
});

describe('the dashboard files', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(async () => scratch?.dispose());

  test('without a build of the dashboard, / says how to build it; /api/ paths stay JSON', async () => {
    const server = await serverOn(scratch.path('lake'), { webDir: scratch.path('no-web') });
    try {
      const page = await get(server, '/');
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(page.body, /npm run build/);
      assertError(await get(server, '/api/nope'), 404, 'not_found');
    } finally {
      await server.close();
    }
  });

  test('files, SPA fallback to index.html, cache headers, nothing outside the folder', async () => {
    const web = scratch.path('web');
    await mkdir(`${web}/assets`, { recursive: true });
    await writeFile(`${web}/index.html`, '<!doctype html><title>Lathe dashboard</title>');
    await writeFile(`${web}/assets/index-B4x9Qk2a.js`, 'console.log("app")');
    await writeFile(scratch.path('secret.txt'), 'not for the web');
    const server = await serverOn(scratch.path('lake'), { webDir: web });
    try {
      const root = await get(server, '/');
      assert.match(root.body, /Lathe dashboard/);
      assert.equal(root.headers['cache-control'], 'no-cache');
      const asset = await get(server, '/assets/index-B4x9Qk2a.js');
      assert.equal(asset.body, 'console.log("app")');
      assert.match(String(asset.headers['content-type']), /javascript/);
      assert.match(String(asset.headers['cache-control']), /immutable/);
      const route = await get(server, '/quality?plant=P1&from=2026-03-01');
      assert.match(route.body, /Lathe dashboard/, 'client routes get index.html');
      for (const traversal of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
        const answer = await get(server, traversal);
        assert.doesNotMatch(answer.body, /not for the web/, traversal);
      }
    } finally {
      await server.close();
    }
  });
});

describe('alerts', () => {
  let scratch: Scratch;
  let server: LatheServer;
  let base: string;
  before(async () => {
    scratch = await Scratch.create();
    server = await serverOn(scratch.path('lake'));
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await server?.close();
    await scratch?.dispose();
  });

  const alert = (id: string, event: string, value: number) =>
    `${JSON.stringify({ alert_id: id, machine_id: 'M1', sensor: 'temp', rule: 'beyond_3_sigma', value, event, raised_at: '2026-11-23T10:00:00Z' })}\n`;

  test('no alerts yet: an empty list', async () => {
    const answer = await get(server, '/api/alerts');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json.items, []);
    assert.equal(answer.headers['cache-control'], 'no-store');
  });

  test('the stream sends each appended alert event; the list shows each alert as it stands', async () => {
    const dir = scratch.path('lake/_meta/alerts');
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/2026-11-22.ndjson`, alert('A-old', 'open', 1));
    const received: { id: string; data: Record<string, unknown> }[] = [];
    const request = http.get(`${base}/api/alerts/stream`);
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/event-stream/);
    let text = '';
    const twoEvents = new Promise<void>((resolve) => {
      response.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        for (const block of text.split('\n\n').slice(0, -1)) {
          const id = /^id: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (id && data && !received.some((event) => event.id === id))
            received.push({ id, data: JSON.parse(data) });
        }
        if (received.length >= 2) resolve();
      });
    });
    // Give the stream a moment to take its starting point, then append.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await appendFile(`${dir}/2026-11-23.ndjson`, alert('A1', 'open', 5));
    await appendFile(`${dir}/2026-11-23.ndjson`, alert('A1', 'update', 7));
    await Promise.race([
      twoEvents,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no events: ${text}`)), 5000)),
    ]);
    request.destroy();
    assert.deepEqual(
      received.map((event) => [event.id, event.data.alert_id, event.data.event]),
      [
        ['2026-11-23:1', 'A1', 'open'],
        ['2026-11-23:2', 'A1', 'update'],
      ],
      'only events after connecting, each once, in order',
    );
    const list = await get(server, '/api/alerts');
    assert.deepEqual(
      list.json.items.map((item: { alert_id: string; event: string }) => [item.alert_id, item.event]),
      [
        ['A1', 'update'],
        ['A-old', 'open'],
      ],
    );
    assert.equal(list.json.events, 3);
  });
});

describe('lathe serve', () => {
  test('--help shows the options and examples', async () => {
    const result = await runCli(['serve', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--port <port>/);
    assert.match(result.stdout, /--host <host>/);
    assert.match(result.stdout, /Examples:\n\s+\$ lathe serve/);
  });

  test('bad flags exit 2 with the fix', async () => {
    for (const args of [['--port', 'abc'], ['--port', '70000'], ['--log-level', 'loud'], ['--bogus']]) {
      const result = await runCli(['serve', ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /error/i);
    }
    const port = await runCli(['serve', '--port', 'abc']);
    assert.match(port.stderr, /--port `abc` is not a port number/);
  });

  test('a real process answers on loopback and stops on SIGTERM', async () => {
    const scratch = await Scratch.create();
    const { child, done } = startCli(['--lake', scratch.path('lake'), 'serve', '--port', '0']);
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /lathe serve: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        setTimeout(() => reject(new Error(`no address: ${out}`)), 30_000);
      });
      const health = (await (await fetch(`${address}/api/health`)).json()) as { status: string };
      assert.equal(health.status, 'no_lake');
      const kpi = await fetch(`${address}/api/kpi/oee`);
      assert.equal(kpi.status, 503);
      child.kill('SIGTERM');
      const result = await done;
      assert.equal(result.code, 0, result.stderr);
    } finally {
      child.kill('SIGKILL');
      await scratch.dispose();
    }
  });
});

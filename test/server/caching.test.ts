/**
 * Answers are cacheable per build: a refresh with the ETag is a 304 that runs no query, and a
 * new build (published by another writer while the server runs) changes every ETag and is
 * what the next answer reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildWarehouse } from '../../src/models/index.js';
import type { LatheServer } from '../../src/server/app.js';
import { builtLake, get, MODELS_DIR, serverOn, type TestLake } from './support.js';

describe('ETags per build', () => {
  let lake: TestLake;
  let server: LatheServer;
  let readerUses = 0;
  before(async () => {
    lake = await builtLake({ badRows: 0, seed: 3 });
    server = await serverOn(lake.lake);
    const withReader = server.state.withReader.bind(server.state);
    server.state.withReader = (asOf, work) => {
      readerUses++;
      return withReader(asOf, work);
    };
  });
  after(async () => {
    await server?.close();
    await lake?.scratch.dispose();
  });

  const url = '/api/kpi/oee?by=line,day&where=plant:P1';

  test('an answer carries an ETag of its build and request, and no-cache', async () => {
    const first = await get(server, url);
    assert.equal(first.status, 200);
    const etag = String(first.headers.etag);
    assert.match(etag, new RegExp(`^"${lake.buildId}-[0-9a-f]{20}"$`));
    assert.equal(first.headers['cache-control'], 'no-cache');
    const other = await get(server, '/api/kpi/oee?by=line');
    assert.notEqual(other.headers.etag, etag, 'another request, another ETag');
  });

  test('If-None-Match with the current ETag is a 304 with no body and no query', async () => {
    const first = await get(server, url);
    const uses = readerUses;
    const again = await get(server, url, { 'if-none-match': String(first.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, first.headers.etag);
    const listed = await get(server, url, { 'if-none-match': `"x", W/${first.headers.etag}` });
    assert.equal(listed.status, 304, 'a list of tags, weak or not');
    // A repeated request without the header is answered from memory: no query either.
    const repeated = await get(server, url);
    assert.equal(repeated.status, 200);
    assert.equal(repeated.body, first.body);
    assert.equal(readerUses, uses, 'no reader was touched');
    const stale = await get(server, url, { 'if-none-match': '"something-else"' });
    assert.equal(stale.status, 200);
  });

  test('errors are not cached and carry no ETag', async () => {
    const bad = await get(server, '/api/kpi/oe');
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.etag, undefined);
    assert.equal(bad.headers['cache-control'], 'no-store');
  });

  test('a new build changes the ETag; the old one gets the new answer, read from the new build', async () => {
    const before = await get(server, url);
    const builds = await get(server, '/api/builds');
    assert.equal(builds.json.items.length, 1);
    const rebuilt = await buildWarehouse({ lake: lake.lake, modelsDir: MODELS_DIR, fullRefresh: true });
    assert.equal(rebuilt.status, 'published');
    assert.notEqual(rebuilt.build_id, lake.buildId);
    const after = await get(server, url, { 'if-none-match': String(before.headers.etag) });
    assert.equal(after.status, 200);
    assert.equal(after.json.build_id, rebuilt.build_id);
    assert.match(String(after.headers.etag), new RegExp(`^"${rebuilt.build_id}-`));
    assert.deepEqual(after.json.rows, before.json.rows, 'same load, same figures');
    const listed = await get(server, '/api/builds', { 'if-none-match': String(builds.headers.etag) });
    assert.equal(listed.status, 200, 'the build list changed too');
    assert.equal(listed.json.items.length, 2);
    assert.equal(listed.json.current_build_id, rebuilt.build_id);
  });
});

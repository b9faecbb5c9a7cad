/**
 * API tests run the real pipeline once per file: a generated factory ingested and built into a
 * scratch lake, then the server's routes called through Fastify's inject (no socket) or a
 * real listener on 127.0.0.1, port 0.
 */
import assert from 'node:assert/strict';
import { factorySource } from '../../src/contract/factory.js';
import { generateFactory } from '../../src/generate/index.js';
import { ingestDrop } from '../../src/ingest/load.js';
import { buildWarehouse } from '../../src/models/index.js';
import { createServer, type LatheServer, type ServerOptions } from '../../src/server/app.js';
import { Scratch } from '../support/drop.js';
import { MODELS_DIR } from '../warehouse/support.js';

export { MODELS_DIR };

export interface TestLake {
  scratch: Scratch;
  lake: string;
  loadId: string;
  buildId: string;
}

/** A tiny generated factory (one plant, two lines), with some bad rows so the quarantine has rows. */
export async function builtLake(options: { badRows?: number; seed?: number } = {}): Promise<TestLake> {
  const scratch = await Scratch.create();
  const drop = scratch.path('drop');
  await generateFactory({
    out: drop,
    seed: options.seed ?? 7,
    scale: 'tiny',
    badRows: options.badRows ?? 0.01,
  });
  const lake = scratch.path('lake');
  const ingest = await ingestDrop({ lake, drop, source: factorySource() });
  assert.equal(ingest.status, 'committed');
  const build = await buildWarehouse({ lake, modelsDir: MODELS_DIR });
  assert.equal(build.status, 'published');
  return { scratch, lake, loadId: ingest.load.load_id, buildId: build.build_id };
}

export function serverOn(lake: string, options: Partial<ServerOptions> = {}): Promise<LatheServer> {
  return createServer({ lake, modelsDir: MODELS_DIR, webDir: '/nonexistent-web', ...options });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read field by field
  json: any;
}

export async function get(
  server: LatheServer,
  url: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await server.app.inject({ method: 'GET', url, headers });
  let json: unknown;
  try {
    json = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, body: response.body, json };
}

/** An error answer: status, JSON error with code and a fix, and never a stack trace. */
export function assertError(
  answer: Answer,
  status: number,
  code: string,
  message?: RegExp,
  field?: string,
): void {
  assert.equal(
    answer.status,
    status,
    `expected ${status} ${code}, got ${answer.status}: ${answer.body.slice(0, 300)}`,
  );
  assert.equal(answer.json?.error?.code, code, answer.body.slice(0, 300));
  assert.ok(answer.json.error.message, 'a message');
  assert.doesNotMatch(answer.body, /\bat .+\.(ts|js):\d+/, 'no stack trace');
  if (message) assert.match(answer.json.error.message, message);
  if (field !== undefined) assert.equal(answer.json.error.field, field);
}

/**
 * Answers are cacheable per build: the ETag is the current build id plus a hash of the
 * request (and, for the metadata routes, of the load and build records' state). A matching
 * If-None-Match is a 304 before any validation or query; an answer already computed for the
 * same ETag is sent again from memory. A build's data never changes, so neither can go stale.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LakeState } from './lake-state.js';

/** `build`: depends on the warehouse build only; `meta`: also on loads and build records; `none`: never cached. */
export type CacheMode = 'build' | 'meta' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    cache?: CacheMode;
  }
  interface FastifyRequest {
    etag?: string;
  }
}

/** A least-recently-used map of answers, bounded in bytes. */
class AnswerCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): string | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: string): void {
    if (value.length > this.maxBytes / 8 || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.length;
    }
  }
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

const INSTANT = /"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)\+00"/g;

const JSON_TYPE = 'application/json; charset=utf-8';

export function installCaching(
  app: FastifyInstance,
  state: LakeState,
  options: { maxBytes?: number } = {},
): void {
  const answers = new AnswerCache(options.maxBytes ?? 64 * 1024 * 1024);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const mode = request.routeOptions.config?.cache ?? 'none';
    if (mode === 'none' || request.method !== 'GET') return;
    // Read side by side: these are file reads on every request.
    const [build = 'none', token] = await Promise.all([
      state.currentBuildId(),
      mode === 'meta' ? state.metaToken() : state.currentLoadId().then((load) => load ?? '-'),
    ]);
    // The principal will be part of the key once answers depend on roles.
    const hash = createHash('sha1').update(token).update('\n').update(request.url).digest('hex').slice(0, 20);
    const etag = `"${build}-${hash}"`;
    request.etag = etag;
    if (matches(request.headers['if-none-match'], etag)) {
      reply.code(304).header('ETag', etag).header('Cache-Control', 'no-cache');
      return reply.send();
    }
    const cached = answers.get(etag);
    if (cached !== undefined) {
      reply.header('ETag', etag).header('Cache-Control', 'no-cache').type(JSON_TYPE);
      return reply.send(cached);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/api/')) return payload;
    // DuckDB writes instants as `2026-03-02 05:00:00+00`; the API's are ISO 8601 in UTC.
    if (typeof payload === 'string' && payload.includes('+00"'))
      payload = payload.replace(INSTANT, '"$1T$2Z"');
    if (!request.etag || reply.statusCode !== 200) {
      if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
      return payload;
    }
    reply.header('ETag', request.etag).header('Cache-Control', 'no-cache');
    if (typeof payload === 'string') answers.set(request.etag, payload);
    return payload;
  });
}

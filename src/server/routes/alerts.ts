/**
 * Alerts: read from `<lake>/_alerts/alerts.ndjson`, one JSON object per line, appended by
 * whoever raises alerts (the stream). The list is newest first; the event stream tails the
 * file and sends each new line as an `alert` event whose id is its line number, so a client
 * that reconnects with Last-Event-ID misses nothing.
 */
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { limit, query } from '../schemas.js';

export function alertsFile(lake: string): string {
  return path.join(lake, '_alerts', 'alerts.ndjson');
}

/** Complete lines only: a line still being appended (no newline yet) waits for the next read. */
function parseLines(text: string): { alerts: unknown[]; consumed: number } {
  const alerts: unknown[] = [];
  let start = 0;
  for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line) continue;
    try {
      alerts.push(JSON.parse(line));
    } catch {
      alerts.push({ malformed: line.slice(0, 500) });
    }
  }
  return { alerts, consumed: Buffer.byteLength(text.slice(0, start)) };
}

async function readAll(file: string): Promise<unknown[]> {
  try {
    return parseLines(await readFile(file, 'utf8')).alerts;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

const POLL_MS = 250;
const KEEP_ALIVE_MS = 15_000;

export function registerAlertRoutes(app: FastifyInstance, context: ServerContext): void {
  const file = alertsFile(context.state.lake);

  app.get<{ Querystring: { limit: number } }>(
    '/api/alerts',
    {
      config: { cache: 'none' },
      schema: {
        summary: `Alerts, newest first (read from <lake>/_alerts/alerts.ndjson)`,
        tags: ['alerts'],
        querystring: query({ limit: limit(100, 10_000) }),
      },
    },
    async (request) => {
      const alerts = await readAll(file);
      return { items: alerts.reverse().slice(0, request.query.limit), total: alerts.length };
    },
  );

  app.get(
    '/api/alerts/stream',
    {
      config: { cache: 'none' },
      schema: {
        summary: 'Server-sent events: every new alert as `event: alert` (id = line number)',
        tags: ['alerts'],
        querystring: query({}),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const lastId = Number(request.headers['last-event-id']);
      // Without Last-Event-ID only alerts raised from now on are sent.
      let line = 0;
      let offset = 0;
      if (Number.isInteger(lastId) && lastId >= 0) {
        line = 0;
      } else {
        const text = await readFile(file, 'utf8').catch(() => '');
        const { alerts, consumed } = parseLines(text);
        line = alerts.length;
        offset = consumed;
      }
      const skipUntil = Number.isInteger(lastId) && lastId >= 0 ? lastId : 0;
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      out.write(': lathe alerts\n\n');
      let reading = false;
      const poll = async () => {
        if (reading) return;
        reading = true;
        try {
          const size = await stat(file).then(
            (info) => info.size,
            () => 0,
          );
          if (size < offset) {
            // The file was replaced by a shorter one: start over.
            offset = 0;
            line = 0;
          }
          if (size === offset) return;
          const handle = await open(file, 'r');
          try {
            const buffer = Buffer.alloc(size - offset);
            await handle.read(buffer, 0, buffer.length, offset);
            const { alerts, consumed } = parseLines(buffer.toString('utf8'));
            offset += consumed;
            for (const alert of alerts) {
              line++;
              if (line <= skipUntil) continue;
              out.write(`id: ${line}\nevent: alert\ndata: ${JSON.stringify(alert)}\n\n`);
            }
          } finally {
            await handle.close();
          }
        } catch (error) {
          request.log.warn({ err: error }, 'reading alerts failed');
        } finally {
          reading = false;
        }
      };
      await poll();
      const timer = setInterval(poll, POLL_MS);
      const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      const stop = () => {
        clearInterval(timer);
        clearInterval(keepAlive);
      };
      request.raw.on('close', stop);
      out.on('close', stop);
    },
  );
}

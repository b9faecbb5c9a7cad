/**
 * Alerts, as the stream stores them: JSON lines in one file per UTC day,
 * `<lake>/_meta/alerts/<YYYY-MM-DD>.ndjson`, each an alert event (`alert_id`, machine,
 * sensor, rule, …, `event`: open | update | close, `raised_at`); a later line with the same
 * `alert_id` supersedes an earlier one. The list shows each alert as it stands now, newest
 * first; the event stream tails the files and sends every new line as an `alert` event whose
 * id is `<day>:<line>`, so a client reconnecting with Last-Event-ID misses nothing.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { limit, query } from '../schemas.js';

export function alertsDir(lake: string): string {
  return path.join(lake, '_meta', 'alerts');
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;

async function dayFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[]))
    .map((name) => DAY_FILE.exec(name)?.[1])
    .filter((day): day is string => day !== undefined)
    .sort();
}

/** Complete lines only: a line still being appended (no newline yet) waits for the next read. */
function completeLines(buffer: Buffer): { lines: string[]; consumed: number } {
  const end = buffer.lastIndexOf(0x0a);
  if (end < 0) return { lines: [], consumed: 0 };
  return { lines: buffer.subarray(0, end).toString('utf8').split('\n'), consumed: end + 1 };
}

function parse(line: string): Record<string, unknown> | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const POLL_MS = 250;
const KEEP_ALIVE_MS = 15_000;

export function registerAlertRoutes(app: FastifyInstance, context: ServerContext): void {
  const dir = alertsDir(context.state.lake);

  app.get<{ Querystring: { limit: number } }>(
    '/api/alerts',
    {
      config: { cache: 'none' },
      schema: {
        summary: 'Alerts as they stand now (latest event per alert), newest first',
        tags: ['alerts'],
        querystring: query({ limit: limit(100, 10_000) }),
      },
    },
    async (request) => {
      const latest = new Map<string, Record<string, unknown>>();
      let events = 0;
      for (const day of await dayFiles(dir)) {
        const text = await readFile(path.join(dir, `${day}.ndjson`), 'utf8').catch(() => '');
        for (const line of completeLines(Buffer.from(text)).lines) {
          const alert = parse(line);
          if (!alert) continue;
          events++;
          const key = String(alert.alert_id ?? `${day}:${events}`);
          latest.delete(key);
          latest.set(key, alert);
        }
      }
      const items = [...latest.values()].reverse();
      return { items: items.slice(0, request.query.limit), total: items.length, events };
    },
  );

  app.get(
    '/api/alerts/stream',
    {
      config: { cache: 'none' },
      schema: {
        summary: 'Server-sent events: every new alert event as `event: alert` (id = <day>:<line>)',
        tags: ['alerts'],
        querystring: query({}),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      // Where each day file has been read to: bytes and lines.
      const read = new Map<string, { offset: number; line: number }>();
      const last = /^(\d{4}-\d{2}-\d{2}):(\d+)$/.exec(String(request.headers['last-event-id'] ?? ''));
      const resumeDay = last?.[1];
      const resumeLine = Number(last?.[2] ?? 0);
      // Without Last-Event-ID, only events raised from now on are sent.
      for (const day of await dayFiles(dir)) {
        if (resumeDay && day > resumeDay) continue;
        if (resumeDay && day === resumeDay) {
          read.set(day, { offset: 0, line: 0 });
          continue;
        }
        const text = await readFile(path.join(dir, `${day}.ndjson`)).catch(() => Buffer.alloc(0));
        const { lines, consumed } = completeLines(text);
        read.set(day, { offset: consumed, line: lines.length });
      }
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      out.write(': lathe alerts\n\n');
      let polling = false;
      const poll = async () => {
        if (polling) return;
        polling = true;
        try {
          for (const day of await dayFiles(dir)) {
            const file = path.join(dir, `${day}.ndjson`);
            const at = read.get(day) ?? { offset: 0, line: 0 };
            const size = await stat(file).then(
              (info) => info.size,
              () => 0,
            );
            if (size <= at.offset) continue;
            const handle = await open(file, 'r');
            try {
              const buffer = Buffer.alloc(size - at.offset);
              await handle.read(buffer, 0, buffer.length, at.offset);
              const { lines, consumed } = completeLines(buffer);
              at.offset += consumed;
              for (const line of lines) {
                at.line++;
                const alert = parse(line);
                if (!alert || (day === resumeDay && at.line <= resumeLine)) continue;
                out.write(`id: ${day}:${at.line}\nevent: alert\ndata: ${JSON.stringify(alert)}\n\n`);
              }
            } finally {
              await handle.close();
            }
            read.set(day, at);
          }
        } catch (error) {
          request.log.warn({ err: error }, 'reading alerts failed');
        } finally {
          polling = false;
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

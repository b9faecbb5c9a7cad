/**
 * The dashboard's built files (dist/web/) at `/`, with index.html for any other path that is
 * not under /api/ (client-side routes). Hashed assets are cached for good; index.html is
 * revalidated. Without a build, `/` says how to make one.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export const NO_DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lathe</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>Lathe API is running</h1>
<p>The dashboard has not been built, so there is nothing to show here yet. Build it with</p>
<pre>npm run build</pre>
<p>(it writes <code>dist/web/</code>), then reload this page. The API answers meanwhile:
<a href="/api/health">/api/health</a>, <a href="/api/kpis">/api/kpis</a>,
<a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;

/** Serves `request.url` from `webDir`; returns false when the request is not for the dashboard. */
export async function serveStatic(
  webDir: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  } catch {
    return false;
  }
  if (pathname.includes('\0')) return false;
  const root = path.resolve(webDir);
  const index = path.join(root, 'index.html');
  const wanted = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  const inside = wanted === root || wanted.startsWith(root + path.sep);
  let file: string | undefined;
  if (inside && wanted !== root && (await isFile(wanted))) file = wanted;
  else if (await isFile(index)) file = index;
  if (!file) {
    reply
      .code(200)
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .send(NO_DASHBOARD_PAGE);
    return true;
  }
  const hashedAsset = file !== index && /[.-][0-9A-Za-z_-]{8,}\.\w+$/.test(file);
  reply
    .code(200)
    .type(TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
    .header('Cache-Control', hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.method === 'HEAD') {
    reply.header('Content-Length', (await stat(file)).size).send();
  } else {
    reply.send(createReadStream(file));
  }
  return true;
}

/**
 * The HTTP server of `lathe serve`: a Fastify app over one lake. Routes validate their
 * parameters with JSON schemas (unknown parameters are errors, not ignored), answer from the
 * metrics layer and the warehouse, and are cacheable per build (ETag, 304).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { installCaching } from './cache.js';
import { installPrincipal, type ServerContext } from './context.js';
import { errorBody, installErrorHandlers } from './errors.js';
import { LakeState } from './lake-state.js';
import { OpenApiCollector } from './openapi.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerDowntimeRoutes } from './routes/downtime.js';
import { registerKpiRoutes } from './routes/kpi.js';
import { registerMasterRoutes } from './routes/master.js';
import { registerMetaRoutes } from './routes/meta.js';
import { registerProcessRoutes } from './routes/process.js';
import { registerQualityRoutes } from './routes/quality.js';
import { query } from './schemas.js';
import { serveStatic } from './static.js';

/** The package root: src/server/ and dist/server/ are both two levels below it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DEFAULT_WEB_DIR = path.join(PACKAGE_ROOT, 'dist', 'web');

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

export interface ServerOptions {
  lake: string;
  /** The models folder, for the lineage graph (default: ./models). */
  modelsDir?: string;
  /** The dashboard's built files (default: dist/web of the package). */
  webDir?: string;
  logger?: FastifyServerOptions['logger'];
  /** Open the current build's reader before the first request. */
  warm?: boolean;
}

export interface LatheServer {
  app: FastifyInstance;
  state: LakeState;
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions): Promise<LatheServer> {
  const app = Fastify({
    logger: options.logger ?? false,
    routerOptions: { maxParamLength: 2000 },
    forceCloseConnections: true,
    // Errors the router raises before any route (a malformed URL, an overlong path parameter).
    frameworkErrors: (error, _request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      reply
        .code(status)
        .send(
          errorBody(
            'bad_request',
            error.code === 'FST_ERR_MAX_PARAM_LENGTH'
              ? 'a path parameter is too long'
              : 'the URL is malformed',
            'check the request against /api/openapi.json',
          ),
        );
    },
    ajv: {
      customOptions: {
        // An unknown parameter is an error (a typo must not silently widen an answer).
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: false,
        // The failing schema travels with the error, so a 400 can show an example.
        verbose: true,
      },
    },
  });
  const state = new LakeState(path.resolve(options.lake));
  const version = packageVersion();
  const context: ServerContext = {
    state,
    modelsDir: path.resolve(options.modelsDir ?? 'models'),
    webDir: path.resolve(options.webDir ?? DEFAULT_WEB_DIR),
    version,
    startedAt: Date.now(),
  };
  const openapi = new OpenApiCollector(version);
  openapi.install(app);
  installPrincipal(app);
  installErrorHandlers(app);
  installCaching(app, state);

  app.get(
    '/api/health',
    {
      config: { cache: 'none' },
      schema: {
        summary: 'Liveness and what the server reads: lake, current build and load',
        tags: ['server'],
        querystring: query({}),
      },
    },
    async () => {
      const [build, load] = await Promise.all([state.currentBuildId(), state.currentLoadId()]);
      return {
        status: build ? 'ok' : load ? 'no_build' : 'no_lake',
        lake: state.lake,
        current_build_id: build ?? null,
        current_load_id: load ?? null,
        version,
        uptime_s: (Date.now() - context.startedAt) / 1000,
      };
    },
  );
  registerKpiRoutes(app, context);
  registerMasterRoutes(app, context);
  registerMetaRoutes(app, context);
  registerProcessRoutes(app, context);
  registerQualityRoutes(app, context);
  registerDowntimeRoutes(app, context);
  registerAlertRoutes(app, context);
  app.get(
    '/api/openapi.json',
    {
      config: { cache: 'none' },
      schema: { summary: 'This document', tags: ['server'], querystring: query({}) },
    },
    async () => openapi.document(),
  );

  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      return reply
        .code(404)
        .send(
          errorBody(
            'not_found',
            `no route ${request.method} ${pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname}`,
            'see /api/openapi.json for the routes',
          ),
        );
    }
    if (await serveStatic(context.webDir, request, reply)) return reply;
    return reply.code(404).send(errorBody('not_found', `no route ${request.method} ${pathname}`));
  });

  await app.ready();
  if (options.warm) await state.warm();
  return {
    app,
    state,
    close: async () => {
      await app.close();
      await state.closeAll();
    },
  };
}

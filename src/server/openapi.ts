/**
 * The OpenAPI 3.1 document, generated from the route schemas that validate the requests
 * (collected as routes are added), so the document cannot drift from what the server checks.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERROR_RESPONSE } from './schemas.js';

declare module 'fastify' {
  /** Documentation of a route, read only by the OpenAPI document. */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    produces?: string[];
  }
}

interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  params?: { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  querystring?: { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  response?: Record<string, unknown>;
  produces?: string[];
}

function parameters(
  where: 'path' | 'query',
  schema: RouteSchema['params'] | RouteSchema['querystring'],
): Record<string, unknown>[] {
  const properties = schema?.properties ?? {};
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    const parameter: Record<string, unknown> = {
      name,
      in: where,
      required: where === 'path' || Boolean(schema?.required?.includes(name)),
      schema: rest,
    };
    if (description) parameter.description = description;
    // A repeatable parameter (`where=…&where=…`).
    if (rest.type === 'array') Object.assign(parameter, { style: 'form', explode: true });
    return parameter;
  });
}

function operation(schema: RouteSchema, path: string): Record<string, unknown> {
  const ok = (schema.response?.['200'] ?? schema.response?.[200]) as Record<string, unknown> | undefined;
  const type = schema.produces?.[0] ?? 'application/json';
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: ERROR_RESPONSE } },
  });
  const responses: Record<string, unknown> = {
    200: {
      description: 'OK',
      content: { [type]: { schema: ok ?? { type: 'object', additionalProperties: true } } },
    },
    400: error('a parameter is malformed or names nothing declared'),
    404: error('no such resource'),
    500: error('a bug'),
  };
  if (type === 'application/json') {
    responses[304] = { description: 'Not modified: the ETag in If-None-Match is still current' };
    responses[503] = error('the lake has no warehouse build (or no load) yet: run lathe build');
  }
  return {
    operationId:
      path
        .replace(/^\/api\//, '')
        .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')) || 'root',
    summary: schema.summary,
    ...(schema.description ? { description: schema.description } : {}),
    tags: schema.tags ?? [],
    parameters: [...parameters('path', schema.params), ...parameters('query', schema.querystring)],
    responses,
  };
}

export class OpenApiCollector {
  private readonly paths: Record<string, Record<string, unknown>> = {};

  constructor(private readonly version: string) {}

  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (!route.url.startsWith('/api/')) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.includes('GET')) return;
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      this.paths[path] = { get: operation((route.schema ?? {}) as RouteSchema, path) };
    });
  }

  document(): Record<string, unknown> {
    return {
      openapi: '3.1.0',
      info: {
        title: 'Lathe API',
        version: this.version,
        description:
          'Read-only manufacturing KPIs, marts and lake records of a Lathe lake (docs/api.md). Every answer carries an ETag per build; errors are { error: { code, message, fix, field? } }.',
      },
      servers: [{ url: '/' }],
      paths: Object.fromEntries(Object.entries(this.paths).sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

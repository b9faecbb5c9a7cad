/**
 * Every error the API answers is `{ error: { code, message, fix, field? } }`: LatheErrors by
 * their code and exit code (2 = the request was wrong), schema failures as 400s naming the
 * parameter, and anything else as a 500 that says it is a bug, never with a stack trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LatheError } from '../util/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; fix?: string; field?: string };
}

const NOT_FOUND_CODES = new Set([
  'not_found',
  'unknown_load',
  'unknown_build',
  'unknown_machine',
  'unknown_sensor',
]);
const UNAVAILABLE_CODES = new Set(['warehouse_not_built', 'lake_empty', 'warehouse_incomplete']);

export function statusOf(error: LatheError): number {
  if (NOT_FOUND_CODES.has(error.code)) return 404;
  if (UNAVAILABLE_CODES.has(error.code)) return 503;
  if (error.exitCode === 2) return 400;
  return 500;
}

/** The metrics layer words its messages for the CLI (`--from`); the API's parameters are `from`, `as_of`. */
function apiWords(text: string | undefined): string | undefined {
  return text?.replace(/--(by|where|from|to|as-of)\b/g, (_match, flag: string) => flag.replace('-', '_'));
}

export function errorBody(code: string, message: string, fix?: string, field?: string): ErrorBody {
  return { error: { code, message, ...(fix ? { fix } : {}), ...(field ? { field } : {}) } };
}

/** Shown instead of a long value in a message: the first 80 characters. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

interface SchemaIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
  parentSchema?: { examples?: unknown[]; description?: string; enum?: unknown[] };
}

const PLACES: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
  body: 'body field',
};

/** A schema failure in words a person can act on, with the parameter it is about. */
export function schemaError(issue: SchemaIssue, context: string | undefined): ErrorBody {
  const place = PLACES[context ?? ''] ?? 'parameter';
  const path = issue.instancePath.replace(/^\//, '').split('/')[0] ?? '';
  if (issue.keyword === 'additionalProperties') {
    const name = String(issue.params.additionalProperty);
    return errorBody(
      'unknown_parameter',
      `unknown ${place} \`${shown(name)}\``,
      'leave it out; /api/openapi.json lists the parameters of every route',
      name,
    );
  }
  if (issue.keyword === 'required') {
    const name = String(issue.params.missingProperty);
    return errorBody('bad_request', `${place} \`${name}\` is required`, `give ${name}`, name);
  }
  const example = issue.parentSchema?.examples?.[0];
  const allowed = issue.parentSchema?.enum ?? (issue.params.allowedValues as unknown[] | undefined);
  const value = issue.data === undefined ? '' : ` \`${shown(issue.data)}\``;
  let what: string;
  switch (issue.keyword) {
    case 'pattern':
      what = `is not ${issue.parentSchema?.description ?? 'in the expected form'}`;
      break;
    case 'maxLength':
      what = `is longer than ${issue.params.limit} characters`;
      break;
    case 'minLength':
      what = 'is empty';
      break;
    case 'enum':
      what = `is not one of ${(allowed ?? []).join(', ')}`;
      break;
    case 'maxItems':
      what = `is given more than ${issue.params.limit} times`;
      break;
    default:
      what = issue.message ?? 'is not valid';
  }
  const fix = allowed
    ? `use one of: ${allowed.join(', ')}`
    : example !== undefined
      ? `write it like ${path}=${String(example)}`
      : `check ${path}; /api/openapi.json describes it`;
  return errorBody('bad_request', `${place} \`${path}\`${value} ${what}`, fix, path || undefined);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | LatheError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof LatheError) {
      const status = statusOf(error);
      if (status >= 500) request.log.error({ err: error }, error.message);
      return reply
        .code(status)
        .send(errorBody(error.code, apiWords(error.message)!, apiWords(error.fix), error.location.field));
    }
    const fastifyError = error as FastifyError & { validation?: SchemaIssue[]; validationContext?: string };
    if (fastifyError.validation?.length) {
      return reply.code(400).send(schemaError(fastifyError.validation[0]!, fastifyError.validationContext));
    }
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send(errorBody('bad_request', fastifyError.message, 'check the request against /api/openapi.json'));
    }
    request.log.error({ err: error }, 'internal error');
    return reply
      .code(500)
      .send(
        errorBody(
          'internal',
          'internal error (a bug): the server log has the details',
          'report it with the request that caused it',
        ),
      );
  });
}

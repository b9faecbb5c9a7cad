/**
 * JSON schemas of the request parameters, shared by the routes. They validate every
 * parameter before a handler runs (unknown parameters included) and feed the OpenAPI
 * document. `description` completes the sentence "… is not …" of a 400.
 */

export const DAY = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  maxLength: 10,
  description: 'a production day YYYY-MM-DD',
  examples: ['2026-03-01'],
} as const;

export const MONTH = {
  type: 'string',
  pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
  maxLength: 7,
  description: 'a month YYYY-MM',
  examples: ['2026-03'],
} as const;

/** Ids of plants, lines, machines, sensors, loads and builds as the exports write them. */
export function id(example: string, what: string): Record<string, unknown> {
  return {
    type: 'string',
    minLength: 1,
    maxLength: 128,
    pattern: '^[^\\u0000-\\u001f]+$',
    description: `a ${what} id (printable text)`,
    examples: [example],
  };
}

/** The place filters of the plant-level routes: each an id checked against the warehouse. */
export const PLACE = {
  plant: id('P1', 'plant'),
  line: id('P1-L1', 'line'),
  machine: id('P1-L1-M1', 'machine'),
} as const;

/** The place filters and a production-day range, as the handlers receive them. */
export interface PlaceQuery {
  plant?: string;
  line?: string;
  machine?: string;
  from?: string;
  to?: string;
}

export const AS_OF = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[0-9A-Za-z._-]+$',
  description: 'a load id or build id',
  examples: ['20261123T104512345Z-7f3a'],
} as const;

export function limit(defaultValue: number, maximum: number): Record<string, unknown> {
  return { type: 'integer', minimum: 1, maximum, default: defaultValue, examples: [defaultValue] };
}

export const OFFSET = {
  type: 'integer',
  minimum: 0,
  maximum: 100_000_000,
  default: 0,
  examples: [0],
} as const;

/** A querystring schema: these properties and no others. */
export function query(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return {
    type: 'object',
    properties,
    additionalProperties: false,
    ...(required.length ? { required } : {}),
  };
}

export const ERROR_RESPONSE = {
  type: 'object',
  description: 'what went wrong and how to fix it',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fix: { type: 'string' },
        field: { type: 'string' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** Rows whose columns are those of a warehouse model (documented in docs/marts.md). */
export const ROWS = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;

export function list(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'object',
    properties: { build_id: { type: ['string', 'null'] }, items: ROWS, ...extra },
    additionalProperties: true,
  };
}

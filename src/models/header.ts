/**
 * The YAML header of a model or singular test (the leading block comment), validated.
 * Data-quality tests declared in it are normalized into `DataTest`s, one per check.
 */
import { z } from 'zod';

export const MATERIALIZATIONS = ['view', 'table', 'incremental'] as const;
export const SEVERITIES = ['warn', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a name of letters, digits and _');
const names = z.union([name.transform((one) => [one]), z.array(name).min(1)]);

const columnSchema = z
  .object({
    description: z.string().optional(),
    pii: z.boolean().optional(),
    tests: z.array(z.unknown()).optional(),
  })
  .strict();

export const modelHeaderSchema = z
  .object({
    materialized: z.enum(MATERIALIZATIONS).default('view'),
    description: z.string().optional(),
    grain: names.optional(),
    tags: z.array(name).default([]),
    unique_key: names.optional(),
    full_refresh_if: z.string().min(1).optional(),
    replaces: z.string().min(1).optional(),
    changes_handled: names.optional(),
    columns: z
      .record(
        name,
        columnSchema.nullable().transform((column) => column ?? {}),
      )
      .default({}),
    tests: z.array(z.unknown()).default([]),
  })
  .strict();

export type ModelHeader = z.infer<typeof modelHeaderSchema>;

export const singularHeaderSchema = z
  .object({
    description: z.string().optional(),
    severity: z.enum(SEVERITIES).default('error'),
    tags: z.array(name).default([]),
  })
  .strict();

export type SingularHeader = z.infer<typeof singularHeaderSchema>;

const severity = z.enum(SEVERITIES).default('error');
const value = z.union([z.string(), z.number(), z.boolean()]);

/** Arguments of each generic test kind. `column` may come from the column the test is declared on. */
export const testArgSchemas = {
  unique: z.union([
    names.transform((columns) => ({ columns, severity: 'error' as Severity })),
    z.object({ columns: names, severity }).strict(),
  ]),
  not_null: z.union([
    names.transform((columns) => ({ columns, severity: 'error' as Severity })),
    z.object({ columns: names, severity }).strict(),
  ]),
  relationships: z.object({ column: name.optional(), to: name, field: name, severity }).strict(),
  accepted_values: z.object({ column: name.optional(), values: z.array(value).min(1), severity }).strict(),
  expression: z.object({ name, sql: z.string().min(1), severity }).strict(),
  row_count: z
    .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().optional(), severity })
    .strict(),
  recency: z.object({ column: name.optional(), max_age_hours: z.number().positive(), severity }).strict(),
} as const;

export type TestKind = keyof typeof testArgSchemas;
export const TEST_KINDS = Object.keys(testArgSchemas) as TestKind[];

/** One check of one model, ready to compile. */
export type DataTest = {
  /** Readable and stable within a model, e.g. `unique(machine_id, shift_id)`. */
  name: string;
  model: string;
  severity: Severity;
  /** The header line that declares it. */
  line: number;
} & (
  | { kind: 'unique' | 'not_null'; columns: string[] }
  | { kind: 'relationships'; column: string; to: string; field: string }
  | { kind: 'accepted_values'; column: string; values: (string | number | boolean)[] }
  | { kind: 'expression'; sql: string }
  | { kind: 'row_count'; min?: number; max?: number }
  | { kind: 'recency'; column: string; max_age_hours: number }
);

/**
 * Source declarations: the one form in which both the factory contract and a user's own
 * sources are written (YAML). This module turns the YAML into checked, normalized objects.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { LatheError } from '../util/errors.js';

export const COLUMN_TYPES = ['text', 'int', 'decimal', 'bool', 'date', 'ts'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnDeclaration {
  name: string;
  /** The column's name in the files when it differs from `name` (e.g. `Air temperature [K]`). */
  from?: string;
  /** Filled with the record's number in its file (1-based) rather than read from a field. */
  recordNumber: boolean;
  type: ColumnType;
  nullable: boolean;
  pii: boolean;
  enum?: string[];
  min?: number;
  max?: number;
  minExclusive: boolean;
  pattern?: string;
  /** Human words for what `pattern` wants, used in the reason text. */
  hint?: string;
  /** A named check beyond the type: `timezone` = an IANA timezone name. */
  check?: 'timezone';
  /** Value used when the column is absent from a file or the field is empty. */
  default?: string;
  description?: string;
}

export interface ReferenceDeclaration {
  code: string;
  columns: string[];
  entity: string;
  /** Columns of the referenced entity; defaults to its key. */
  referencedColumns: string[];
  message?: string;
  fix?: string;
}

export interface RuleDeclaration {
  code: string;
  /** A SQL boolean over the typed row; `row.<column>` refers to the row checked. */
  check: string;
  fields: string[];
  message: string;
  fix: string;
}

export interface NoOverlapDeclaration {
  by: string[];
  start: string;
  end: string;
}

/** How a file of the source is read; CSV defaults follow RFC 4180 with a header row. */
export interface CsvFormat {
  delimiter: string;
  header: boolean;
  /** A run of delimiters counts as one (space-aligned text files such as C-MAPSS). */
  collapseDelimiters: boolean;
}

export interface EntityDeclaration {
  name: string;
  description?: string;
  /** snapshot: the latest load that carried it defines it; append: loads accumulate, upsert by key. */
  kind: 'snapshot' | 'append';
  key: string[];
  columns: ColumnDeclaration[];
  references: ReferenceDeclaration[];
  rules: RuleDeclaration[];
  noOverlap?: NoOverlapDeclaration;
  /** File name patterns in a drop (globs on the base name); default `<entity>*.{csv,ndjson,parquet}` or a folder `<entity>/`. */
  files?: string[];
  csv: CsvFormat;
}

export interface SourceDeclaration {
  source: string;
  description?: string;
  /** `plant_local` lets `ts` values without an offset be read in the plant's timezone. */
  naiveTimestamps: 'reject' | 'plant_local';
  /** For `plant_local`: the IANA timezone to read naive values in. */
  timezone?: string;
  /** A load whose quarantined share of any entity exceeds this fails as a whole. */
  quarantineLimit: number;
  entities: EntityDeclaration[];
  /** Where the declaration came from, for messages. */
  origin: string;
}

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case snake_case name');

const columnSchema = z.union([
  z.enum(COLUMN_TYPES),
  z
    .object({
      type: z.enum(COLUMN_TYPES),
      from: z.string().min(1).optional(),
      record_number: z.boolean().optional(),
      nullable: z.boolean().optional(),
      pii: z.boolean().optional(),
      enum: z.array(z.string()).min(1).optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      min_exclusive: z.boolean().optional(),
      pattern: z.string().optional(),
      hint: z.string().optional(),
      check: z.literal('timezone').optional(),
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      description: z.string().optional(),
    })
    .strict(),
]);

const referenceSchema = z
  .object({
    code: identifier.optional(),
    columns: z.array(identifier).min(1),
    entity: identifier,
    referenced_columns: z.array(identifier).min(1).optional(),
    message: z.string().optional(),
    fix: z.string().optional(),
  })
  .strict();

const ruleSchema = z
  .object({
    code: identifier,
    check: z.string().min(1),
    fields: z.array(identifier).min(1),
    message: z.string(),
    fix: z.string(),
  })
  .strict();

const csvSchema = z
  .object({
    delimiter: z.string().min(1).optional(),
    header: z.boolean().optional(),
    collapse_delimiters: z.boolean().optional(),
  })
  .strict();

const entitySchema = z
  .object({
    kind: z.enum(['snapshot', 'append']),
    description: z.string().optional(),
    key: z.array(identifier).min(1),
    columns: z.record(identifier, columnSchema),
    references: z.array(referenceSchema).optional(),
    rules: z.array(ruleSchema).optional(),
    no_overlap: z
      .object({ by: z.array(identifier), start: identifier, end: identifier })
      .strict()
      .optional(),
    files: z.array(z.string()).min(1).optional(),
    csv: csvSchema.optional(),
  })
  .strict();

const sourceSchema = z
  .object({
    source: identifier,
    description: z.string().optional(),
    naive_timestamps: z.enum(['reject', 'plant_local']).optional(),
    timezone: z.string().optional(),
    quarantine_limit: z.number().min(0).max(1).optional(),
    csv: csvSchema.optional(),
    entities: z.record(identifier, entitySchema),
  })
  .strict();

export const DEFAULT_QUARANTINE_LIMIT = 0.05;

/** Reads and checks a declaration file; every problem names the file, line and fix. */
export function loadSourceDeclaration(file: string): SourceDeclaration {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LatheError(
      'declaration_unreadable',
      `cannot read the source declaration: ${(error as Error).message}`,
      {
        location: { file },
        fix: 'check the path of the declaration file',
        exitCode: 2,
      },
    );
  }
  return parseSourceDeclaration(text, file);
}

export function parseSourceDeclaration(text: string, origin: string): SourceDeclaration {
  const document = parseDocument(text, { prettyErrors: false });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
  const firstError = document.errors[0];
  if (firstError) {
    throw new LatheError('declaration_invalid', `not valid YAML: ${firstError.message.split('\n')[0]}`, {
      location: { file: origin, line: lineOf(firstError.pos[0]) },
      fix: 'correct the YAML syntax at that line',
      exitCode: 2,
    });
  }
  const parsed = sourceSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = document.getIn(issue.path as (string | number)[], true) as
      | { range?: [number, number, number] }
      | undefined;
    throw new LatheError(
      'declaration_invalid',
      `${issue.path.join('.') || 'the document'}: ${issue.message}`,
      {
        location: { file: origin, line: lineOf(node?.range?.[0]) },
        fix: 'see docs/declaring-a-source.md for the form of a declaration',
        exitCode: 2,
      },
    );
  }
  return normalize(parsed.data, origin);
}

function normalize(raw: z.infer<typeof sourceSchema>, origin: string): SourceDeclaration {
  const sourceCsv = raw.csv ?? {};
  const entities: EntityDeclaration[] = Object.entries(raw.entities).map(([name, entity]) => {
    const columns: ColumnDeclaration[] = Object.entries(entity.columns).map(([columnName, spec]) => {
      if (typeof spec === 'string')
        return {
          name: columnName,
          type: spec,
          nullable: false,
          pii: false,
          minExclusive: false,
          recordNumber: false,
        };
      return {
        name: columnName,
        from: spec.from,
        recordNumber: spec.record_number ?? false,
        type: spec.type,
        nullable: spec.nullable ?? false,
        pii: spec.pii ?? false,
        enum: spec.enum,
        min: spec.min,
        max: spec.max,
        minExclusive: spec.min_exclusive ?? false,
        pattern: spec.pattern,
        hint: spec.hint,
        check: spec.check,
        default: spec.default === undefined ? undefined : String(spec.default),
        description: spec.description,
      };
    });
    const csv = { ...sourceCsv, ...entity.csv };
    return {
      name,
      description: entity.description,
      kind: entity.kind,
      key: entity.key,
      columns,
      references: (entity.references ?? []).map((reference) => ({
        code: reference.code ?? 'unknown_reference',
        columns: reference.columns,
        entity: reference.entity,
        referencedColumns: reference.referenced_columns ?? [],
        message: reference.message,
        fix: reference.fix,
      })),
      rules: entity.rules ?? [],
      noOverlap: entity.no_overlap,
      files: entity.files,
      csv: {
        delimiter: csv.delimiter ?? ',',
        header: csv.header ?? true,
        collapseDelimiters: csv.collapse_delimiters ?? false,
      },
    };
  });
  const declaration: SourceDeclaration = {
    source: raw.source,
    description: raw.description,
    naiveTimestamps: raw.naive_timestamps ?? 'reject',
    timezone: raw.timezone,
    quarantineLimit: raw.quarantine_limit ?? DEFAULT_QUARANTINE_LIMIT,
    entities,
    origin,
  };
  checkConsistency(declaration);
  return declaration;
}

/** Cross-checks that a schema cannot express: names that must exist, referenced keys. */
function checkConsistency(source: SourceDeclaration): void {
  const byName = new Map(source.entities.map((entity) => [entity.name, entity]));
  const fail = (message: string, fix: string) => {
    throw new LatheError('declaration_invalid', message, {
      location: { file: source.origin },
      fix,
      exitCode: 2,
    });
  };
  if (source.naiveTimestamps === 'plant_local' && !source.timezone) {
    fail(
      '`naive_timestamps: plant_local` needs `timezone`',
      'add `timezone: Europe/Berlin` (the plant’s IANA zone) to the source',
    );
  }
  for (const entity of source.entities) {
    const columnNames = new Set(entity.columns.map((column) => column.name));
    for (const column of entity.columns) {
      if (column.from && !entity.csv.header) {
        fail(
          `entity \`${entity.name}\`: column \`${column.name}\` has \`from\`, but its files have no header to take names from`,
          'remove `from`: columns of headerless files are named by their position',
        );
      }
      if (column.recordNumber && !entity.csv.collapseDelimiters) {
        fail(
          `entity \`${entity.name}\`: column \`${column.name}\` is a \`record_number\`, which only space-aligned text files (collapse_delimiters) support`,
          'remove `record_number`, or read the file as space-aligned text',
        );
      }
    }
    const need = (column: string, what: string) => {
      if (!columnNames.has(column))
        fail(
          `entity \`${entity.name}\`: ${what} \`${column}\` is not a declared column`,
          `declare \`${column}\` under columns or correct the name`,
        );
    };
    entity.key.forEach((column) => need(column, 'key column'));
    for (const rule of entity.rules) rule.fields.forEach((column) => need(column, `rule ${rule.code} field`));
    if (entity.noOverlap)
      [...entity.noOverlap.by, entity.noOverlap.start, entity.noOverlap.end].forEach((c) =>
        need(c, 'no_overlap column'),
      );
    for (const reference of entity.references) {
      reference.columns.forEach((column) => need(column, 'reference column'));
      const parent = byName.get(reference.entity);
      if (!parent) {
        fail(
          `entity \`${entity.name}\` references \`${reference.entity}\`, which is not declared`,
          'declare that entity or correct the name',
        );
        continue;
      }
      if (reference.referencedColumns.length === 0) {
        reference.referencedColumns =
          reference.columns.length === parent.key.length ? parent.key : reference.columns;
      }
      if (reference.referencedColumns.length !== reference.columns.length) {
        fail(
          `entity \`${entity.name}\`: reference to \`${parent.name}\` has ${reference.columns.length} columns but ${reference.referencedColumns.length} referenced columns`,
          'list as many referenced_columns as columns',
        );
      }
    }
  }
  entityLoadOrder(source);
}

/** Entities in an order where every referenced entity comes before the ones referring to it. */
export function entityLoadOrder(source: SourceDeclaration): EntityDeclaration[] {
  const byName = new Map(source.entities.map((entity) => [entity.name, entity]));
  const order: EntityDeclaration[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (entity: EntityDeclaration, path: string[]) => {
    const seen = state.get(entity.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new LatheError(
        'declaration_cycle',
        `references form a cycle: ${[...path, entity.name].join(' -> ')}`,
        {
          location: { file: source.origin },
          fix: 'remove one of the references; a parent must be loadable before its children',
          exitCode: 2,
        },
      );
    }
    state.set(entity.name, 'visiting');
    for (const reference of entity.references) {
      if (reference.entity !== entity.name) visit(byName.get(reference.entity)!, [...path, entity.name]);
    }
    state.set(entity.name, 'done');
    order.push(entity);
  };
  source.entities.forEach((entity) => visit(entity, []));
  return order;
}

/**
 * Parsing a models folder: the YAML headers checked against their schemas, the references in
 * the SQL, the graph checks. Loaded only when the parsed-project cache misses (project.ts),
 * because the YAML and schema libraries alone cost a build start-up about 0.2 s.
 */
import path from 'node:path';
import { type Document, parseDocument } from 'yaml';
import type { z } from 'zod';
import { LatheError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';
import {
  type DataTest,
  type ModelHeader,
  modelHeaderSchema,
  singularHeaderSchema,
  TEST_KINDS,
  type TestKind,
  testArgSchemas,
} from './header.js';
import {
  type HeaderSql,
  isModelReference,
  MODEL_LAYERS,
  type Model,
  type Project,
  type Reference,
  type SingularTest,
  type SqlFile,
  shown,
  TESTS_FOLDER,
} from './project.js';

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * One left-to-right scan: comments and string literals are skipped whole, so a `ref(...)`
 * written inside them is no reference.
 */
const TOKEN =
  /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|\b(ref|new_rows|previous|replaced|source_history|source)\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*\)/g;

function findReferences(text: string, bodyStart: number): Reference[] {
  const references: Reference[] = [];
  TOKEN.lastIndex = bodyStart;
  for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
    if (!match[1]) continue;
    references.push({
      kind: match[1] as Reference['kind'],
      name: match[2] ?? match[3] ?? '',
      line: lineAt(text, match.index),
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  return references;
}

interface Header {
  doc: Document | undefined;
  /** Offset in the file where the YAML text starts. */
  yamlStart: number;
  yamlText: string;
  bodyStart: number;
}

function splitHeader(text: string): Header {
  const match = /^\s*\/\*/.exec(text);
  if (!match) return { doc: undefined, yamlStart: 0, yamlText: '', bodyStart: 0 };
  const yamlStart = match[0].length;
  const close = text.indexOf('*/', yamlStart);
  if (close < 0) return { doc: undefined, yamlStart, yamlText: '', bodyStart: -1 };
  const yamlText = text.slice(yamlStart, close);
  return { doc: parseDocument(yamlText), yamlStart, yamlText, bodyStart: close + 2 };
}

function headerError(file: string, line: number, message: string, fix: string): LatheError {
  return new LatheError('bad_model_header', message, { location: { file, line }, fix, exitCode: 1 });
}

/** The file line of a YAML node at `keys` (or of the nearest enclosing node that exists). */
function headerLine(text: string, header: Header, keys: readonly PropertyKey[]): number {
  for (let depth = keys.length; depth >= 0 && header.doc; depth--) {
    const node = header.doc.getIn(keys.slice(0, depth) as unknown[], true) as
      | { range?: [number, number] }
      | undefined;
    if (node?.range) return lineAt(text, header.yamlStart + node.range[0]);
  }
  return lineAt(text, header.yamlStart);
}

function parseHeader<S extends z.ZodType>(text: string, header: Header, schema: S, file: string): z.infer<S> {
  if (header.bodyStart < 0)
    throw headerError(
      file,
      lineAt(text, header.yamlStart),
      'the header comment is never closed',
      'end it with */',
    );
  const yamlError = header.doc?.errors[0];
  if (yamlError) {
    const line = lineAt(text, header.yamlStart + (yamlError.pos[0] ?? 0));
    throw headerError(
      file,
      line,
      `the header is not valid YAML: ${yamlError.message.split('\n')[0]}`,
      'the leading /* … */ comment must be YAML, e.g. "materialized: table"',
    );
  }
  const value = header.doc?.toJS() ?? {};
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? `\`${issue.path.join('.')}\`: ` : '';
  throw headerError(
    file,
    headerLine(text, header, issue.path),
    `bad header: ${where}${issue.message}`,
    'see docs/models.md for the header reference (materialized, description, grain, tags, unique_key, columns, tests)',
  );
}

function testName(kind: TestKind, args: Record<string, unknown>): string {
  switch (kind) {
    case 'unique':
    case 'not_null':
      return `${kind}(${(args.columns as string[]).join(', ')})`;
    case 'relationships':
      return `relationships(${args.column} -> ${args.to}.${args.field})`;
    case 'accepted_values':
    case 'recency':
      return `${kind}(${args.column})`;
    case 'expression':
      return String(args.name);
    case 'row_count':
      return `row_count(${args.min ?? ''}..${args.max ?? ''})`;
  }
}

/** Normalizes one `tests:` entry (model level, or on `column`) into a DataTest. */
function readTest(
  entry: unknown,
  model: string,
  column: string | undefined,
  at: { text: string; header: Header; file: string; keys: PropertyKey[] },
): DataTest {
  const line = headerLine(at.text, at.header, at.keys);
  const fail = (message: string) =>
    headerError(
      at.file,
      line,
      message,
      `a test is one of ${TEST_KINDS.join(', ')}, e.g. "- not_null: [machine_id]" (see docs/data-quality.md)`,
    );
  let kind: string;
  let raw: unknown;
  if (typeof entry === 'string') {
    kind = entry;
    raw = column ? [column] : undefined;
  } else if (entry && typeof entry === 'object' && !Array.isArray(entry) && Object.keys(entry).length === 1) {
    [kind, raw] = Object.entries(entry)[0]!;
  } else {
    throw fail('a test must be a kind name or a one-key mapping { kind: arguments }');
  }
  if (!(TEST_KINDS as string[]).includes(kind)) {
    const suggestion = closestName(kind, TEST_KINDS);
    throw fail(`unknown test \`${kind}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
  }
  if (
    column &&
    raw &&
    typeof raw === 'object' &&
    !Array.isArray(raw) &&
    ['unique', 'not_null'].includes(kind)
  )
    raw = { columns: [column], ...raw };
  if (column && raw && typeof raw === 'object' && !Array.isArray(raw) && !('column' in raw))
    raw = { ...raw, column };
  if (raw === undefined || raw === null) {
    if (kind === 'row_count') raw = {};
    else throw fail(`test \`${kind}\` needs arguments${column ? '' : ' (or declare it under a column)'}`);
  }
  const parsed = testArgSchemas[kind as TestKind].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fail(
      `test \`${kind}\`: ${issue.path.length ? `\`${issue.path.join('.')}\`: ` : ''}${issue.message}`,
    );
  }
  const args = parsed.data as Record<string, unknown> & { severity: DataTest['severity'] };
  if (['relationships', 'accepted_values', 'recency'].includes(kind) && !args.column)
    throw fail(`test \`${kind}\` needs a column: declare it under columns.<name>.tests or give "column:"`);
  if (kind === 'row_count' && args.min === undefined && args.max === undefined) args.min = 1;
  return { ...args, kind, name: testName(kind as TestKind, args), model, line } as DataTest;
}

function readTests(
  model: string,
  header: ModelHeader,
  text: string,
  parsed: Header,
  file: string,
): DataTest[] {
  const tests: DataTest[] = [];
  header.tests.forEach((entry, index) => {
    tests.push(readTest(entry, model, undefined, { text, header: parsed, file, keys: ['tests', index] }));
  });
  for (const [column, spec] of Object.entries(header.columns)) {
    (spec.tests ?? []).forEach((entry, index) => {
      tests.push(
        readTest(entry, model, column, {
          text,
          header: parsed,
          file,
          keys: ['columns', column, 'tests', index],
        }),
      );
    });
  }
  const seen = new Set<string>();
  for (const test of tests) {
    if (seen.has(test.name))
      throw headerError(
        file,
        test.line,
        `model \`${model}\` declares test \`${test.name}\` twice`,
        'remove one of them',
      );
    seen.add(test.name);
  }
  return tests;
}
const MODEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseProject(dir: string, sources: { absolute: string; text: string }[]): Project {
  const models: Model[] = [];
  const singularTests: SingularTest[] = [];
  const byName = new Map<string, Model>();
  for (const { absolute, text } of sources) {
    const file = shown(absolute);
    const parts = path.relative(dir, absolute).split(path.sep);
    const name = path.basename(absolute, '.sql');
    const folder = parts.length > 1 ? parts[0]! : '';
    if (!MODEL_NAME.test(name))
      throw new LatheError('bad_model_name', `\`${name}\` is not a model name`, {
        location: { file },
        fix: 'name model files with letters, digits and _ only (the name is used as a table name)',
      });
    const header = splitHeader(text);
    if (folder === TESTS_FOLDER) {
      const parsed = parseHeader(text, header, singularHeaderSchema, file);
      singularTests.push({ ...sqlFile(name, absolute, file, text, header), header: parsed });
      continue;
    }
    if (!(MODEL_LAYERS as readonly string[]).includes(folder))
      throw new LatheError('unknown_layer', `model \`${name}\` is not in a layer folder`, {
        location: { file },
        fix: `put it under ${MODEL_LAYERS.map((layer) => `${shown(dir)}/${layer}/`).join(', ')} (or ${TESTS_FOLDER}/ for a singular test)`,
      });
    const parsed = parseHeader(text, header, modelHeaderSchema, file);
    const other = byName.get(name);
    if (other)
      throw new LatheError('duplicate_model', `two models are named \`${name}\`: ${other.file} and ${file}`, {
        location: { file },
        fix: 'model names are table names and must be unique over all layers: rename one file',
      });
    if (parsed.materialized === 'incremental' && !parsed.unique_key)
      throw headerError(
        file,
        headerLine(text, header, ['materialized']),
        `incremental model \`${name}\` has no unique_key`,
        'add "unique_key: [col, …]": a later build supersedes rows with the same key',
      );
    const unit = sqlFile(name, absolute, file, text, header);
    const condition = parsed.full_refresh_if
      ? headerSql(parsed.full_refresh_if, headerLine(text, header, ['full_refresh_if']))
      : undefined;
    const replaces = parsed.replaces
      ? headerSql(parsed.replaces, headerLine(text, header, ['replaces']))
      : undefined;
    const everyReference = [
      ...unit.references,
      ...(condition?.references ?? []),
      ...(replaces?.references ?? []),
    ];
    const model: Model = {
      ...unit,
      // What the condition reads is read too (ordered before, and guarded unless by previous()).
      refs: [...new Set([...unit.refs, ...everyReference.filter(isModelReference).map((r) => r.name)])],
      layer: folder,
      header: parsed,
      deltas: namesOf(everyReference, 'new_rows'),
      previous: namesOf(everyReference, 'previous'),
      ...(condition ? { fullRefreshIf: condition } : {}),
      ...(replaces ? { replaces } : {}),
      sources: namesOf(unit.references, 'source'),
      histories: namesOf(unit.references, 'source_history'),
      tests: readTests(name, parsed, text, header, file),
    };
    models.push(model);
    byName.set(name, model);
  }
  for (const unit of [...models, ...singularTests]) checkRefs(unit, byName);
  for (const model of models) checkIncremental(model, byName);
  for (const model of models) {
    for (const test of model.tests)
      if (test.kind === 'relationships' && !byName.has(test.to)) {
        const suggestion = closestName(test.to, [...byName.keys()]);
        throw new LatheError(
          'unknown_ref',
          `test \`${test.name}\` of \`${model.name}\` points to unknown model \`${test.to}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
          {
            location: { file: model.file, line: test.line },
            fix: 'relationships.to names a model of this project',
          },
        );
      }
  }
  return { dir, models: topoOrder(models), byName, singularTests };
}

function namesOf(references: Reference[], kind: Reference['kind']): string[] {
  return [...new Set(references.filter((r) => r.kind === kind).map((r) => r.name))];
}

function sqlFile(
  name: string,
  absolute: string,
  file: string,
  text: string,
  header: Header,
): SqlFile & { refs: string[] } {
  const references = findReferences(text, header.bodyStart);
  return {
    name,
    path: absolute,
    file,
    text,
    bodyStart: header.bodyStart,
    references,
    refs: [...new Set(references.filter(isModelReference).map((r) => r.name))],
  };
}

/** `full_refresh_if` or `replaces`: SQL of the header; its references keep the header's line. */
function headerSql(text: string, line: number): HeaderSql {
  return { text, bodyStart: 0, references: findReferences(text, 0).map((r) => ({ ...r, line })), line };
}

/**
 * new_rows() and previous() are read by incremental models: new_rows() of an incremental model
 * or of a view of sources only, previous() of a stored (table or incremental) model or of a
 * view of sources only; replaced() of the model itself, in its SQL, when its header has
 * `replaces`; full_refresh_if and replaces only in incremental models.
 */
function checkIncremental(model: Model, byName: Map<string, Model>): void {
  const incremental = model.header.materialized === 'incremental';
  const headerReferences = [
    ...(model.fullRefreshIf?.references ?? []),
    ...(model.replaces?.references ?? []),
  ];
  for (const reference of [...model.references, ...headerReferences]) {
    if (reference.kind === 'replaced') {
      if (reference.name === model.name && model.replaces && !headerReferences.includes(reference)) continue;
      throw new LatheError(
        'bad_new_rows',
        `\`${model.name}\` reads replaced('${reference.name}'), which only a model's own SQL may read, of itself, when its header has replaces`,
        {
          location: { file: model.file, line: reference.line },
          fix: `write replaced('${model.name}') in the SQL after the header, and declare what it replaces with "replaces:"`,
        },
      );
    }
    if (reference.kind !== 'new_rows' && reference.kind !== 'previous') continue;
    const call = `${reference.kind}('${reference.name}')`;
    const location = { file: model.file, line: reference.line };
    if (!incremental)
      throw new LatheError('bad_new_rows', `\`${model.name}\` reads ${call} but is not incremental`, {
        location,
        fix: `make it "materialized: incremental" with a unique_key, or read ref('${reference.name}')`,
      });
    const target = byName.get(reference.name)!;
    const materialized = target.header.materialized;
    const sourceView = materialized === 'view' && target.references.every((r) => r.kind === 'source');
    if (reference.kind === 'previous' && materialized === 'view' && !sourceView)
      throw new LatheError(
        'bad_new_rows',
        `\`${model.name}\` reads ${call}, but \`${target.name}\` is a view that reads models: nothing of it is kept`,
        {
          location,
          fix: `make \`${target.name}\` a table, or compare something stored (a view of sources only is read as of that load)`,
        },
      );
    if (reference.kind === 'new_rows' && materialized !== 'incremental' && !sourceView)
      throw new LatheError(
        'bad_new_rows',
        `\`${model.name}\` reads ${call}, but \`${target.name}\` is neither incremental nor a view of sources only: it has no new rows, only a new whole`,
        { location, fix: `read ref('${target.name}'), or make \`${target.name}\` incremental` },
      );
  }
  if (model.replaces && !incremental)
    throw new LatheError('bad_model_header', `\`${model.name}\` has replaces but is not incremental`, {
      location: { file: model.file, line: model.replaces.line },
      fix: 'replaces names the earlier rows a new incremental part takes out: make the model incremental, or remove it',
    });
  for (const name of model.header.changes_handled ?? [])
    if (!incremental || !model.refs.includes(name))
      throw new LatheError(
        'bad_model_header',
        `changes_handled of \`${model.name}\` names \`${name}\`, ${incremental ? 'which it does not read' : 'but the model is not incremental'}`,
        {
          location: { file: model.file },
          fix: 'list models this incremental model reads by ref() whose changes its SQL takes into account',
        },
      );
  const condition = model.fullRefreshIf;
  if (!condition) return;
  if (!incremental)
    throw new LatheError('bad_model_header', `\`${model.name}\` has full_refresh_if but is not incremental`, {
      location: { file: model.file, line: condition.line },
      fix: 'remove full_refresh_if: a table is rebuilt in full every time',
    });
}

function checkRefs(
  unit: SqlFile & Partial<Pick<Model, 'fullRefreshIf' | 'replaces'>>,
  byName: Map<string, Model>,
): void {
  const references = [
    ...unit.references,
    ...(unit.fullRefreshIf?.references ?? []),
    ...(unit.replaces?.references ?? []),
  ];
  for (const reference of references) {
    if (!isModelReference(reference) || byName.has(reference.name)) continue;
    const suggestion = closestName(reference.name, [...byName.keys()]);
    throw new LatheError(
      'unknown_ref',
      `\`${unit.name}\` refs unknown model \`${reference.name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
      {
        location: { file: unit.file, line: reference.line },
        fix: suggestion
          ? `write ref('${suggestion}')`
          : `ref() names a model file of this project (models/<layer>/${reference.name}.sql does not exist)`,
      },
    );
  }
}

/** Models ordered so that each comes after its refs; a cycle is an error naming its path. */
function topoOrder(models: Model[]): Model[] {
  const byName = new Map(models.map((model) => [model.name, model]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: Model[] = [];
  const stack: Model[] = [];
  const visit = (model: Model): void => {
    const seen = state.get(model.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(model)), model];
      const first = cycle[0]!;
      const reference = first.references.find((r) => r.kind === 'ref' && r.name === cycle[1]!.name);
      throw new LatheError(
        'model_cycle',
        `models ref each other in a cycle: ${cycle.map((m) => m.name).join(' -> ')}`,
        {
          location: { file: first.file, line: reference?.line },
          fix: 'a model cannot depend on itself, even through others: move the shared logic into a model both can ref',
        },
      );
    }
    state.set(model.name, 'visiting');
    stack.push(model);
    for (const ref of [...model.refs].sort()) visit(byName.get(ref)!);
    stack.pop();
    state.set(model.name, 'done');
    ordered.push(model);
  };
  for (const model of [...models].sort((a, b) => a.name.localeCompare(b.name))) visit(model);
  return ordered;
}

/**
 * Compiling a model: its header is dropped and every `ref('m')`, `source('e')` and
 * `source_history('e')` becomes a relation name. Names come from the project's checked graph
 * and the manifest, and are always quoted identifiers, never pasted text.
 */
import { ident } from '../lake/duckdb.js';
import type { Reference } from './project.js';

/** Schemas of a build or reader session: raw entities as of the build's load, their history, new rows only. */
export const RAW_SCHEMA = 'raw';
export const HISTORY_SCHEMA = 'raw_history';
export const NEW_ROWS_SCHEMA = 'raw_new';

export type Resolve = (reference: Reference) => string;

/** `source('e')` → raw."e", `source_history('e')` → raw_history."e", `ref('m')` and (a full build's) `new_rows('m')` → "m", `previous('m')` → no rows, `replaced('m')` → the build's `replaces` rows. */
export const defaultResolve: Resolve = (reference) => {
  switch (reference.kind) {
    case 'ref':
    case 'new_rows':
      return ident(reference.name);
    case 'previous':
      // Nothing came before a full build.
      return `(SELECT * FROM ${ident(reference.name)} WHERE false)`;
    case 'replaced':
      return ident(replacedRelation(reference.name));
    case 'source':
      return `${ident(RAW_SCHEMA)}.${ident(reference.name)}`;
    case 'source_history':
      return `${ident(HISTORY_SCHEMA)}.${ident(reference.name)}`;
  }
};

/** The relation a build makes of a model's `replaces` rows, read as replaced('<model>'). */
export function replacedRelation(model: string): string {
  return `replaced__${model}`;
}

/**
 * A model's SQL as a full build runs it, and as `lathe query` can run it: `replaced('<itself>')`
 * is its header's `replaces` query inline (a full build's replaced rows), not the relation a
 * build makes of them.
 */
export function compileModelSql(model: {
  text: string;
  bodyStart: number;
  references: Reference[];
  replaces?: { text: string; bodyStart: number; references: Reference[] };
}): string {
  const replaces = model.replaces;
  if (!replaces) return compileSql(model);
  return compileSql(model, (reference) =>
    reference.kind === 'replaced' ? `(${compileSql(replaces)})` : defaultResolve(reference),
  );
}

/** The SQL after the header with references replaced; trailing `;` removed so it can be nested. */
export function compileSql(
  unit: { text: string; bodyStart: number; references: Reference[] },
  resolve: Resolve = defaultResolve,
): string {
  let sql = '';
  let at = unit.bodyStart;
  for (const reference of unit.references) {
    sql += unit.text.slice(at, reference.start) + resolve(reference);
    at = reference.end;
  }
  sql += unit.text.slice(at);
  return sql.trim().replace(/;\s*$/, '');
}

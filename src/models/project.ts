/**
 * A models folder read into a checked graph: `models/<layer>/<name>.sql`, each one SELECT with
 * a YAML header in its leading block comment, and singular tests under `models/tests/`.
 * Every problem is a LatheError naming the file and line, so a modeller can go straight there.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LatheError } from '../util/errors.js';
import type { DataTest, ModelHeader, SingularHeader } from './header.js';
import { projectCacheKey, readProjectCache, writeProjectCache } from './project-cache.js';

export const MODEL_LAYERS = ['staging', 'core', 'marts'] as const;
export const TESTS_FOLDER = 'tests';

/**
 * A call in a model's SQL: `ref('m')`, `source('e')`, `source_history('e')`, and in
 * incremental models `new_rows('m')` (the rows `m` gained since this model last ran) and
 * `previous('m')` (`m` as it was then), and `replaced('<itself>')` (the rows of its header's
 * `replaces`: what this build recomputes and takes out of earlier parts).
 */
export interface Reference {
  kind: 'ref' | 'new_rows' | 'previous' | 'replaced' | 'source' | 'source_history';
  name: string;
  line: number;
  /** Offsets of the whole call in `Model.text`. */
  start: number;
  end: number;
}

/** SQL given in a header key, with its references (they keep the key's line). */
export interface HeaderSql {
  text: string;
  bodyStart: number;
  references: Reference[];
  /** The header line of its key. */
  line: number;
}

export interface SqlFile {
  name: string;
  /** Absolute path. */
  path: string;
  /** Path as shown in messages (relative to the working folder when inside it). */
  file: string;
  /** The whole file. */
  text: string;
  /** Where the SQL after the header starts in `text`. */
  bodyStart: number;
  references: Reference[];
}

export interface Model extends SqlFile {
  layer: string;
  header: ModelHeader;
  /** Every model it reads, by ref(), new_rows() or previous(). */
  refs: string[];
  /** The models it reads by new_rows(). */
  deltas: string[];
  /** The models it reads by previous(). */
  previous: string[];
  /** `full_refresh_if` of the header with its references, when it has one. */
  fullRefreshIf?: HeaderSql;
  /** `replaces` of the header (the earlier rows a new part takes out), when it has one. */
  replaces?: HeaderSql;
  sources: string[];
  histories: string[];
  tests: DataTest[];
}

export interface SingularTest extends SqlFile {
  header: SingularHeader;
  refs: string[];
}

export interface Project {
  dir: string;
  /** Dependency order: every model after the models it refs. */
  models: Model[];
  byName: Map<string, Model>;
  singularTests: SingularTest[];
}

export function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

async function sqlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Reads and checks every model and singular test under `modelsDir`; with `cacheFile`, reuses
 * the result of an earlier call on the very same files (project-cache.ts).
 */
export async function loadProject(
  modelsDir = 'models',
  options: { cacheFile?: string } = {},
): Promise<Project> {
  const dir = path.resolve(modelsDir);
  let files: string[];
  try {
    files = await sqlFiles(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new LatheError('no_models', `no models folder at ${shown(dir)}`, {
      fix: 'run from the project folder, or pass --models DIR (models/<layer>/<name>.sql)',
      exitCode: 2,
    });
  }
  const sources = await Promise.all(
    files.map(async (absolute) => ({ absolute, text: await readFile(absolute, 'utf8') })),
  );
  const key = options.cacheFile ? projectCacheKey(dir, sources) : '';
  if (options.cacheFile) {
    const cached = await readProjectCache<Pick<Project, 'models' | 'singularTests'>>(options.cacheFile, key);
    if (cached) return { dir, ...cached, byName: new Map(cached.models.map((model) => [model.name, model])) };
  }
  // The parser and its libraries load only here, on a cache miss.
  const { parseProject } = await import('./project-parse.js');
  const project = parseProject(dir, sources);
  if (options.cacheFile)
    await writeProjectCache(options.cacheFile, key, {
      models: project.models,
      singularTests: project.singularTests,
    });
  return project;
}

/** A reference to a model (not to a raw entity). */
export function isModelReference(reference: Reference): boolean {
  return reference.kind === 'ref' || reference.kind === 'new_rows' || reference.kind === 'previous';
}

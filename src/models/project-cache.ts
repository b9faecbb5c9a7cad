/**
 * The parsed project, kept between builds (like dbt's partial parsing): parsing and checking
 * the YAML headers of a medium project takes 0.2-0.4 s of a daily build that is seconds long.
 * The key is every model file's path and text, the working folder (messages show paths
 * relative to it), this parser's own source and its YAML and schema libraries' versions, so
 * any edit, a new Lathe or an upgraded library parses afresh.
 * A missing, unreadable or stale cache is simply parsed again; writing it is best effort.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Parser modules whose source is part of the key (in dist or, under tsx, in src). */
const PARSER_MODULES = ['project', 'project-parse', 'header'];
/** Libraries the parse depends on, by their installed version. */
const PARSER_LIBRARIES = ['yaml', 'zod'];

let parserSource: string | undefined;
function parserVersion(): string {
  if (parserSource === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const extension = path.extname(fileURLToPath(import.meta.url));
    const require = createRequire(import.meta.url);
    parserSource = [
      ...PARSER_MODULES.map((name) => readFileSync(path.join(here, `${name}${extension}`), 'utf8')),
      ...PARSER_LIBRARIES.map((name) => `${name}@${installedVersion(require.resolve(name))}`),
    ].join('\0');
  }
  return parserSource;
}

/** The version in the nearest package.json above a library's entry file. */
function installedVersion(entry: string): string {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        version?: string;
      };
      if (manifest.version) return manifest.version;
    } catch {
      // no package.json in this folder
    }
  }
  return '?';
}

export function projectCacheKey(dir: string, files: readonly { absolute: string; text: string }[]): string {
  const hash = createHash('sha256').update(parserVersion()).update(`\0${process.cwd()}\0${dir}`);
  for (const file of files) hash.update(`\0${file.absolute}\0${file.text}`);
  return hash.digest('hex');
}

export async function readProjectCache<T>(file: string, key: string): Promise<T | undefined> {
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as { key: string; project: T };
    return cached.key === key ? cached.project : undefined;
  } catch {
    return undefined;
  }
}

export async function writeProjectCache(file: string, key: string, project: unknown): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ key, project }));
    await rename(temporary, file);
  } catch {
    // A cache that cannot be written is parsed again next time.
  }
}

/**
 * `lathe docs` as a library: gathers the catalog and writes the site, one folder opened
 * straight from disk (index.html with everything inline, plus catalog.json for tools).
 * A folder is only ever replaced when it holds a site this function wrote before.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceDeclaration } from '../contract/declaration.js';
import { factorySource } from '../contract/factory.js';
import { writeFileAtomic } from '../lake/atomic.js';
import { LatheError } from '../util/errors.js';
import { type DocsCatalog, gatherCatalog } from './catalog.js';
import { renderPage } from './page.js';

/** Marks a folder as a docs site, so a later run may overwrite it and nothing else. */
export const SITE_MARKER = '.lathe-docs';

export interface DocsSiteOptions {
  lake: string;
  modelsDir?: string;
  /** Default: `<lake>/_docs`. */
  out?: string;
  /** Default: the newest finished build. */
  buildId?: string;
  /** Default: the factory contract. */
  declarations?: SourceDeclaration[];
}

export interface DocsSiteResult {
  out: string;
  /** Absolute paths of the files written. */
  files: string[];
  /** file:// address of index.html. */
  url: string;
  build_id: string | null;
  sources: number;
  models: number;
  tests: number;
  failing_tests: number;
  catalog: DocsCatalog;
}

export async function writeDocsSite(options: DocsSiteOptions): Promise<DocsSiteResult> {
  const out = path.resolve(options.out ?? path.join(options.lake, '_docs'));
  await checkOut(out);
  const catalog = await gatherCatalog({
    lake: options.lake,
    modelsDir: options.modelsDir ?? 'models',
    buildId: options.buildId,
    declarations: options.declarations ?? [factorySource()],
  });
  const files = [path.join(out, 'index.html'), path.join(out, 'catalog.json'), path.join(out, SITE_MARKER)];
  try {
    await mkdir(out, { recursive: true });
    await writeFileAtomic(files[0]!, renderPage(catalog));
    await writeFileAtomic(files[1]!, `${JSON.stringify(catalog, null, 2)}\n`);
    await writeFileAtomic(files[2]!, 'Written by lathe docs: a later lathe docs may replace this folder.\n');
  } catch (error) {
    throw outError(out, error);
  }
  return {
    out,
    files,
    url: pathToFileURL(files[0]!).href,
    build_id: catalog.build?.build_id ?? null,
    sources: catalog.sources.length,
    models: catalog.models.length,
    tests: catalog.tests.length,
    failing_tests: catalog.tests.filter((test) => test.status === 'fail' || test.status === 'error').length,
    catalog,
  };
}

/** The output folder must be new, empty, or an earlier docs site: never someone's other files. */
async function checkOut(out: string): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(out)).isDirectory())
      throw new LatheError('docs_out_not_folder', `--out ${out} is a file, not a folder`, {
        fix: 'give a folder for the site (it is created if missing), e.g. --out lake-docs',
        exitCode: 2,
      });
    entries = await readdir(out);
  } catch (error) {
    if (error instanceof LatheError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw outError(out, error);
  }
  if (entries.length > 0 && !entries.includes(SITE_MARKER))
    throw new LatheError(
      'docs_out_occupied',
      `--out ${out} already holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}), not a site written by lathe docs`,
      {
        fix: 'give a new or empty folder, e.g. --out lake-docs; lathe docs replaces only a folder it wrote itself',
        exitCode: 2,
      },
    );
}

function outError(out: string, error: unknown): LatheError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOTDIR'
        ? 'a part of the path is a file'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : (error as Error).message;
  return new LatheError('docs_out_unwritable', `cannot write the docs site to ${out}: ${why}`, {
    fix: 'give a folder you can write to with --out DIR',
    exitCode: 2,
    cause: error,
  });
}

/**
 * Which files of a drop belong to which entity (CONTRACT §1): `<entity>.csv`, several
 * `<entity>*.csv`, or a folder `<entity>/`; `.ndjson` and `.parquet` likewise. A declared
 * entity may name its own file patterns instead (e.g. `train_FD*.txt`).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EntityDeclaration, SourceDeclaration } from '../contract/declaration.js';
import { LatheError } from '../util/errors.js';

export type FileFormat = 'csv' | 'ndjson' | 'parquet';

export interface DropFile {
  entity: string;
  /** Absolute path. */
  path: string;
  /** Relative to the drop folder, with forward slashes: how messages name it. */
  name: string;
  format: FileFormat;
  bytes: number;
}

export interface DropPlan {
  files: DropFile[];
  ignored: string[];
}

const EXTENSIONS: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
};

function formatOf(file: string, entity: EntityDeclaration): FileFormat | undefined {
  const byExtension = EXTENSIONS[path.extname(file).toLowerCase()];
  if (byExtension) return byExtension;
  // Declared patterns may match other extensions (.txt); those are read as the entity's CSV dialect.
  return entity.files ? 'csv' : undefined;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function matches(entity: EntityDeclaration, baseName: string): boolean {
  if (entity.files) return entity.files.some((glob) => globToRegExp(glob).test(baseName));
  const lower = baseName.toLowerCase();
  const extension = path.extname(lower);
  if (!(extension in EXTENSIONS)) return false;
  const stem = lower.slice(0, -extension.length);
  // `<entity>` or `<entity>` followed by a separator or digit: `defects_2026-03.csv` is defects, `defect_codes.csv` is not.
  return (
    stem === entity.name || (stem.startsWith(entity.name) && /^[-_.0-9]/.test(stem.slice(entity.name.length)))
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
    const full = path.join(dir, entry.name);
    // A linked file or folder counts as what it links to (drops are often assembled from links).
    const kind = entry.isSymbolicLink() ? await stat(full).catch(() => undefined) : entry;
    if (kind?.isDirectory()) files.push(...(await listFiles(full)));
    else if (kind?.isFile()) files.push(full);
  }
  return files;
}

export async function planDrop(drop: string, source: SourceDeclaration): Promise<DropPlan> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(drop);
  } catch {
    throw new LatheError('drop_missing', `drop folder ${drop} does not exist`, {
      fix: 'pass the folder that holds the export files',
      exitCode: 2,
    });
  }
  if (!info.isDirectory()) {
    throw new LatheError('drop_not_folder', `${drop} is a file, not a folder`, {
      fix: 'a drop is a folder of files; pass its folder',
      exitCode: 2,
    });
  }
  const files: DropFile[] = [];
  const ignored: string[] = [];
  for (const full of await listFiles(drop)) {
    const name = path.relative(drop, full).split(path.sep).join('/');
    const [topLevel] = name.split('/');
    const entity = source.entities.find((candidate) =>
      name.includes('/')
        ? topLevel!.toLowerCase() === candidate.name && formatOf(full, candidate) !== undefined
        : matches(candidate, name),
    );
    const format = entity && formatOf(full, entity);
    if (!entity || !format) {
      ignored.push(name);
      continue;
    }
    files.push({ entity: entity.name, path: full, name, format, bytes: (await stat(full)).size });
  }
  if (files.length === 0) {
    throw new LatheError(
      'drop_empty',
      `drop folder ${drop} has no file of any declared entity (${source.entities.map((e) => e.name).join(', ')})`,
      {
        fix: 'name each file after its entity, e.g. machines.csv or production_counts_2026-03.csv',
        exitCode: 2,
      },
    );
  }
  return { files, ignored };
}

/** Identifies a drop's content: the same files with the same bytes give the same hash. */
export async function hashDrop(files: DropFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${file.entity}\0${file.name}\0${file.bytes}\0`);
    for await (const chunk of createReadStream(file.path, { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * Manifests say what is current. One immutable manifest per committed load describes the
 * whole raw layer right after it; a one-line CURRENT pointer names the latest. Readers read
 * CURRENT then the manifest it names; a writer publishes by writing a new manifest and
 * replacing CURRENT atomically. Old manifests stay, which is what time travel reads.
 * Warehouse builds follow the same pattern in their own series (`_manifests/build/`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { LatheError } from '../util/errors.js';
import { readJson, writeFileAtomic } from './atomic.js';
import type { LakeLayout, Layer } from './layout.js';

export interface ManifestPartition {
  loadId: string;
  /** Lake-relative Parquet files of this partition. */
  files: string[];
  rows: number;
  /** Append entities: rows that re-state a key an earlier partition has (0: it only adds; absent: not known). */
  replaces?: number;
}

export interface ManifestEntity {
  kind: 'snapshot' | 'append';
  /** Key columns: an append entity's later partitions supersede earlier rows with the same key. */
  key: string[];
  /** The declared columns readers see (raw files may carry extra, undeclared ones). */
  columns: string[];
  /** Oldest first. A snapshot entity has exactly one. */
  partitions: ManifestPartition[];
}

export interface RawManifest {
  layer: 'raw';
  id: string;
  previous: string | null;
  committedAt: string;
  /** Which source declaration the entities come from, per entity. */
  entities: Record<string, ManifestEntity & { source: string }>;
}

export async function readCurrentId(layout: LakeLayout, layer: Layer): Promise<string | undefined> {
  try {
    const id = (await readFile(layout.currentPointer(layer), 'utf8')).trim();
    return id || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The manifest in force: the current one, or the one right after `asOf`. */
export async function readManifest(
  layout: LakeLayout,
  options: { asOf?: string } = {},
): Promise<RawManifest | undefined> {
  const id = options.asOf ?? (await readCurrentId(layout, 'raw'));
  if (!id) return undefined;
  try {
    return await readJson<RawManifest>(layout.manifestFile('raw', id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!options.asOf) throw error;
    const known = await listManifestIds(layout);
    throw new LatheError('unknown_load', `no committed load \`${options.asOf}\` in this lake`, {
      fix: known.length
        ? `use one of the committed loads (lathe loads), e.g. --as-of ${known[known.length - 1]}`
        : 'this lake has no committed load yet: run lathe ingest first',
      exitCode: 2,
    });
  }
}

export async function listManifestIds(layout: LakeLayout, layer: Layer = 'raw'): Promise<string[]> {
  try {
    const names = await readdir(layout.manifestsDir(layer));
    return names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -5))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Writes the manifest, then makes it current. Call only under the writer lock. */
export async function publishManifest(layout: LakeLayout, manifest: RawManifest): Promise<void> {
  await writeFileAtomic(layout.manifestFile('raw', manifest.id), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFileAtomic(layout.currentPointer('raw'), `${manifest.id}\n`);
}

/** One build's output for a table or incremental model. */
export interface BuildPart {
  buildId: string;
  /** The raw load this part's rows were computed from (an incremental part covers loads after the previous part's). */
  loadId: string;
  /** Lake-relative Parquet files. */
  files: string[];
  rows: number;
  /**
   * Incremental parts: how many of its rows have a key an earlier part has (0: it only adds
   * rows, so readers need not take any earlier row out for it). Absent: not known.
   */
  replaces?: number;
  /**
   * Earlier rows this part takes out beyond its keys (the model's `replaces`): every earlier row
   * equal to a row of `file` on all `columns` but the last and at or after it on the last.
   */
  replacedRanges?: { file: string; columns: string[] };
  /** Incremental parts whose key has a time column: its key ranges per scope (models/key-ranges.ts), lake-relative. */
  keyRanges?: string;
}

export type Materialization = 'view' | 'table' | 'incremental';

export interface BuildModel {
  /** Folder layer of the model: staging, core or marts. */
  layer: string;
  materialized: Materialization;
  /** Table: exactly one part. Incremental: oldest first; later parts supersede by `uniqueKey`. View: none. */
  parts: BuildPart[];
  uniqueKey: string[];
  /** View: its compiled SELECT over the schemas `raw`, `raw_history` and the other models. */
  sql?: string;
  columns: string[];
  /** Row count at build time (views: null, they are computed when read). */
  rows: number | null;
  dependsOn: string[];
  sources: string[];
  /** The view reads `source_history(...)`: a reader must provide schema `raw_history`. */
  usesHistory: boolean;
  /** The build that last ran the model (a later build may have reused it). */
  builtAt?: string;
  /** Incremental: content fingerprints of the inputs it reads only by ref(), when it last ran. */
  inputs?: Record<string, string>;
  /** Incremental: its header's `replaces` SQL when it last ran (a change rebuilds it in full). */
  replaces?: string;
}

export interface BuildManifest {
  layer: 'build';
  id: string;
  previous: string | null;
  committedAt: string;
  /** The raw manifest (load id) this build read. */
  loadId: string;
  /** Models in dependency order (a model comes after everything it reads). */
  order: string[];
  models: Record<string, BuildModel>;
}

export async function readBuildManifest(layout: LakeLayout, id: string): Promise<BuildManifest | undefined> {
  try {
    return await readJson<BuildManifest>(layout.manifestFile('build', id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function readCurrentBuild(layout: LakeLayout): Promise<BuildManifest | undefined> {
  const id = await readCurrentId(layout, 'build');
  return id ? readBuildManifest(layout, id) : undefined;
}

/** Writes the build manifest, then makes it current. Call only under the writer lock. */
export async function publishBuildManifest(layout: LakeLayout, manifest: BuildManifest): Promise<void> {
  await writeFileAtomic(layout.manifestFile('build', manifest.id), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFileAtomic(layout.currentPointer('build'), `${manifest.id}\n`);
}

/**
 * What the server knows about its lake: which build and load are current (read from the
 * CURRENT pointers on each request, a few microseconds), and one open reader per build.
 * A new build makes the next request open a new reader; the old one is closed once the
 * requests using it have finished. Readers only read Parquet files, so a build running in
 * another process is never blocked by the server.
 */
import { readFile, stat } from 'node:fs/promises';
import { LakeLayout } from '../lake/layout.js';
import { listManifestIds } from '../lake/manifest.js';
import { type LakeReader, openLakeReader } from '../lake/reader.js';
import { LatheError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';

interface OpenReader {
  key: string;
  reader: Promise<LakeReader>;
  users: number;
  retired: boolean;
}

async function readPointer(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function mtimeOf(dir: string): Promise<number> {
  try {
    return (await stat(dir)).mtimeMs;
  } catch {
    return 0;
  }
}

export function noBuild(): LatheError {
  return new LatheError('warehouse_not_built', 'the lake has no warehouse build yet', {
    fix: 'run `lathe build` (after `lathe ingest DIR`); the API answers as soon as a build is published',
  });
}

export function noLoad(): LatheError {
  return new LatheError('lake_empty', 'the lake has no load yet', {
    fix: 'run `lathe ingest DIR`, then `lathe build`',
  });
}

/** How many as-of readers stay open besides the current one. */
const AS_OF_READERS = 2;

export class LakeState {
  readonly layout: LakeLayout;
  private current: OpenReader | undefined;
  private asOf: OpenReader[] = [];

  constructor(readonly lake: string) {
    this.layout = new LakeLayout(lake);
  }

  currentBuildId(): Promise<string | undefined> {
    return readPointer(this.layout.currentPointer('build'));
  }

  currentLoadId(): Promise<string | undefined> {
    return readPointer(this.layout.currentPointer('raw'));
  }

  /**
   * A token that changes whenever anything the metadata routes show changes: a new build or
   * load, or a new or rewritten load or build record (records are replaced by rename, which
   * changes their folder's mtime).
   */
  async metaToken(): Promise<string> {
    const [build, load, loads, builds] = await Promise.all([
      this.currentBuildId(),
      this.currentLoadId(),
      mtimeOf(this.layout.loadsDir()),
      mtimeOf(this.layout.buildsDir()),
    ]);
    return `${build ?? '-'}|${load ?? '-'}|${loads}|${builds}`;
  }

  /** Runs `work` with the reader of the current build (or of `asOf`), which stays open meanwhile. */
  async withReader<T>(asOf: string | undefined, work: (reader: LakeReader) => Promise<T>): Promise<T> {
    const open = asOf ? await this.asOfReader(asOf) : await this.currentReader();
    open.users++;
    try {
      const reader = await open.reader;
      return await work(reader);
    } finally {
      open.users--;
      if (open.retired && open.users === 0) this.close(open);
    }
  }

  /** The reader of the current build; a request with no build yet gets a 503 that says to build. */
  async withBuild<T>(asOf: string | undefined, work: (reader: LakeReader) => Promise<T>): Promise<T> {
    return this.withReader(asOf, async (reader) => {
      if (!reader.build) throw reader.manifest || asOf ? noBuild() : noLoad();
      return work(reader);
    });
  }

  private async currentReader(): Promise<OpenReader> {
    const [build, load] = await Promise.all([this.currentBuildId(), this.currentLoadId()]);
    const key = `${build ?? '-'}|${load ?? '-'}`;
    if (this.current?.key === key) return this.current;
    const previous = this.current;
    const reader = openLakeReader(this.lake);
    const open: OpenReader = { key, reader, users: 0, retired: false };
    // A reader that failed to open is not kept: the next request tries again.
    reader.catch(() => {
      if (this.current === open) this.current = undefined;
    });
    this.current = open;
    if (previous) this.retire(previous);
    return open;
  }

  private async asOfReader(asOf: string): Promise<OpenReader> {
    await this.checkAsOf(asOf);
    const key = `${asOf}|${(await this.currentBuildId()) ?? '-'}`;
    const found = this.asOf.find((open) => open.key === key);
    if (found) return found;
    const open: OpenReader = { key, reader: openLakeReader(this.lake, { asOf }), users: 0, retired: false };
    open.reader.catch(() => {
      this.asOf = this.asOf.filter((other) => other !== open);
    });
    this.asOf.unshift(open);
    for (const old of this.asOf.splice(AS_OF_READERS)) this.retire(old);
    return open;
  }

  /** An as-of id must name a load or a build of this lake. */
  private async checkAsOf(asOf: string): Promise<void> {
    const [loads, builds] = await Promise.all([
      listManifestIds(this.layout, 'raw'),
      listManifestIds(this.layout, 'build'),
    ]);
    if (builds.includes(asOf) || loads.includes(asOf)) return;
    // A time between loads is fine too: the state as of then.
    if (loads.length && /^\d{8}T\d{9}Z(-[0-9a-f]{4})?$/.test(asOf) && asOf >= loads[0]!) return;
    const suggestion = closestName(asOf, [...loads, ...builds]);
    throw new LatheError(
      'unknown_as_of',
      `as_of \`${asOf}\` is neither a load nor a build of this lake${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
      {
        fix: 'use a load id from /api/loads or a build id from /api/builds, or leave as_of out for the current build',
        exitCode: 2,
        location: { field: 'as_of' },
      },
    );
  }

  private retire(open: OpenReader): void {
    open.retired = true;
    if (open.users === 0) this.close(open);
  }

  private close(open: OpenReader): void {
    open.reader.then(
      (reader) => reader.close(),
      () => {},
    );
  }

  /** Opens the current reader ahead of the first request (errors are left for that request). */
  async warm(): Promise<void> {
    try {
      await (await this.currentReader()).reader;
    } catch {
      // no lake yet: requests will say so
    }
  }

  async closeAll(): Promise<void> {
    const all = [...(this.current ? [this.current] : []), ...this.asOf];
    this.current = undefined;
    this.asOf = [];
    for (const open of all) {
      try {
        (await open.reader).close();
      } catch {
        // failed to open: nothing to close
      }
    }
  }
}

/**
 * A folder of JSON records, one file per id, each replaced atomically: the embedded backend
 * of the metadata stores (loads, builds). Several processes may read while one writes.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readJsonIfExists, writeFileAtomic } from '../lake/atomic.js';

export class JsonRecordFolder<T> {
  constructor(
    private readonly dir: string,
    private readonly idOf: (record: T) => string,
  ) {}

  async save(record: T): Promise<void> {
    await writeFileAtomic(
      path.join(this.dir, `${this.idOf(record)}.json`),
      `${JSON.stringify(record, null, 2)}\n`,
    );
  }

  /** Undefined for an unknown id, and for anything that is not an id (no path escapes). */
  get(id: string): Promise<T | undefined> {
    if (!/^[\w.-]+$/.test(id)) return Promise.resolve(undefined);
    return readJsonIfExists<T>(path.join(this.dir, `${id}.json`));
  }

  /** Every record's id, oldest first (ids sort in time order), without reading the records. */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -5))
      .sort();
  }

  /** Oldest first: ids sort in time order. */
  async list(): Promise<T[]> {
    const records: (T | undefined)[] = await Promise.all((await this.ids()).map((id) => this.get(id)));
    return records.filter((record): record is T => record !== undefined);
  }
}

/**
 * Where load audit records are kept. The embedded backend is a folder of JSON files in the
 * lake (one per load, replaced atomically), which several processes can read while one
 * writes. A shared PostgreSQL backend implements the same interface.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readJsonIfExists, writeFileAtomic } from '../lake/atomic.js';
import type { LoadRecord } from './records.js';

export interface LoadStore {
  save(record: LoadRecord): Promise<void>;
  get(loadId: string): Promise<LoadRecord | undefined>;
  /** Oldest first. */
  list(): Promise<LoadRecord[]>;
}

export class FileLoadStore implements LoadStore {
  constructor(private readonly dir: string) {}

  async save(record: LoadRecord): Promise<void> {
    await writeFileAtomic(
      path.join(this.dir, `${record.load_id}.json`),
      `${JSON.stringify(record, null, 2)}\n`,
    );
  }

  get(loadId: string): Promise<LoadRecord | undefined> {
    if (!/^[\w.-]+$/.test(loadId)) return Promise.resolve(undefined);
    return readJsonIfExists<LoadRecord>(path.join(this.dir, `${loadId}.json`));
  }

  async list(): Promise<LoadRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids = names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -5))
      .sort();
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record): record is LoadRecord => record !== undefined);
  }
}

/**
 * Where load audit records are kept. The embedded backend is a folder of JSON files in the
 * lake (one per load, replaced atomically), which several processes can read while one
 * writes. A shared PostgreSQL backend implements the same interface.
 */
import { JsonRecordFolder } from './record-folder.js';
import type { LoadRecord } from './records.js';

export interface LoadStore {
  save(record: LoadRecord): Promise<void>;
  get(loadId: string): Promise<LoadRecord | undefined>;
  /** Oldest first. */
  list(): Promise<LoadRecord[]>;
}

/** Load records as JSON files, one per load, in the lake's `_meta/loads/`. */
export class FileLoadStore extends JsonRecordFolder<LoadRecord> implements LoadStore {
  constructor(dir: string) {
    super(dir, (record) => record.load_id);
  }
}

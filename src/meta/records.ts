/** The audit records Lathe keeps about its work. Field names are the ones `--json` prints. */

export type LoadStatus = 'running' | 'committed' | 'failed' | 'abandoned';

export interface ProblemRecord {
  code: string;
  message: string;
  fix?: string;
  file?: string;
  line?: number;
  field?: string;
}

/** One file of a drop: how many rows it had and where each went. rows_read = rows_loaded + rows_quarantined. */
export interface FileAudit {
  entity: string;
  /** Path relative to the drop folder. */
  file: string;
  format: 'csv' | 'ndjson' | 'parquet';
  bytes: number;
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  status: 'loaded' | 'failed';
  error?: ProblemRecord;
}

export interface EntityAudit {
  entity: string;
  kind: 'snapshot' | 'append';
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  quarantined_share: number;
  /** How many times each quarantine reason code was given in this entity (a row may have several). */
  reasons: Record<string, number>;
  /** Append entities after their first load: loaded rows that re-state a key an earlier load had (they supersede it). */
  rows_replaced?: number;
}

export interface LoadRecord {
  load_id: string;
  status: LoadStatus;
  source: string;
  /** The drop folder as given (absolute). */
  drop: string;
  content_hash: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  pid: number;
  quarantine_limit: number;
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  bytes: number;
  files: FileAudit[];
  entities: EntityAudit[];
  /** Files in the drop that belong to no declared entity. */
  ignored_files: string[];
  error: ProblemRecord | null;
}

/**
 * The record of every build, published or not: which load it read, each model's rows and
 * time, and every data-quality result (pass and fail, with failing count and a sample).
 * Kept as one JSON file per build in `_meta/builds/`; field names are what `--json` prints.
 */
import type { LakeLayout } from '../lake/layout.js';
import type { Materialization } from '../lake/manifest.js';
import { JsonRecordFolder } from '../meta/record-folder.js';
import type { ProblemRecord } from '../meta/records.js';
import type { Severity, TestKind } from './header.js';

export type BuildStatus = 'running' | 'published' | 'failed' | 'abandoned';

export interface ModelResult {
  name: string;
  layer: string;
  materialized: Materialization;
  /** built: ran in this build; reused: taken from the previous build (not selected); failed; skipped: an upstream model failed. */
  status: 'built' | 'reused' | 'failed' | 'skipped';
  /** Rows written by this build (incremental: the new rows); null for views. */
  rows: number | null;
  seconds: number;
  /** Incremental: `full` when every load was read, `incremental` when only loads after `since_load_id`. */
  mode?: 'full' | 'incremental';
  since_load_id?: string;
  /** Incremental model built in full: why (first build, --full-refresh, an input changed, …). */
  full_reason?: string;
  error?: ProblemRecord;
}

export interface TestResult {
  name: string;
  model: string;
  /** Generic test kind, `singular` for models/tests/*.sql, `rows_vanished` for the 0-row check. */
  kind: TestKind | 'singular' | 'rows_vanished';
  severity: Severity;
  /** pass; fail: rows broke it; error: the test itself could not run. */
  status: 'pass' | 'fail' | 'error';
  failing_rows: number;
  /** Up to 10 failing rows. */
  sample: Record<string, unknown>[];
  message?: string;
  seconds: number;
  /**
   * `new_rows`: judged on the rows an incremental build added only, because the test judges
   * rows one by one (or uniqueness within the key later rows replace by) and passed on the
   * rest when the model last ran.
   */
  scope?: 'new_rows';
  /**
   * A relationships test of an incremental model: the content fingerprint of the model it
   * points to when it ran. While that stays the same, the earlier rows' references still hold
   * and the next build judges the new rows only.
   */
  target_fingerprint?: string;
}

export interface BuildRecord {
  build_id: string;
  load_id: string;
  status: BuildStatus;
  /** The --select expression, if any. */
  select: string[] | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  pid: number;
  models: ModelResult[];
  tests: TestResult[];
  error: ProblemRecord | null;
}

export class FileBuildStore extends JsonRecordFolder<BuildRecord> {
  constructor(layout: LakeLayout) {
    super(layout.buildsDir(), (record) => record.build_id);
  }
}

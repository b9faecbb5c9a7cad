/**
 * A load: one drop folder in, one audited, all-or-nothing change of the raw layer out.
 *
 *   lock -> plan files -> hash (skip a drop already loaded) -> per entity, parents first:
 *   read -> check -> write loaded and quarantined Parquet to staging -> audit counts
 *   -> commit (move partitions in, publish manifest, CURRENT swap) or fail (nothing current changes)
 *
 * Every row read ends in exactly one place, and the audit proves it per file.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type ColumnDeclaration,
  type EntityDeclaration,
  entityLoadOrder,
  type SourceDeclaration,
} from '../contract/declaration.js';
import { DuckSession, ident, sqlList, sqlString } from '../lake/duckdb.js';
import { LakeLayout } from '../lake/layout.js';
import { newLoadId } from '../lake/load-id.js';
import { listManifestIds, publishManifest, type RawManifest, readManifest } from '../lake/manifest.js';
import { entityStateSql } from '../lake/views.js';
import { acquireWriterLock } from '../lake/writer-lock.js';
import { FileLoadStore } from '../meta/load-store.js';
import type { EntityAudit, FileAudit, LoadRecord, ProblemRecord } from '../meta/records.js';
import { LatheError } from '../util/errors.js';
import { type Progress, silentProgress } from '../util/progress.js';
import { timed } from '../util/timing.js';
import { type DropFile, hashDrop, planDrop } from './discover.js';
import { readRawRecords, splitCsvRecord } from './raw-records.js';
import { type FileScan, type MalformedRecord, prepareFileScan } from './read-file.js';
import {
  type CheckedRows,
  type CheckedShape,
  checkFields,
  checkKeys,
  checkOverlaps,
  checkRulesAndReferences,
  finalRowsSql,
  installValidationMacros,
  REASON_TYPE,
  ROW_BITS,
} from './validate.js';

export interface IngestOptions {
  lake: string;
  drop: string;
  source: SourceDeclaration;
  /** Overrides the source's quarantine limit (share 0..1). */
  quarantineLimit?: number;
  /** How long to queue behind another writer before giving up. */
  waitSeconds?: number;
  /** Load even if the same content was loaded before. */
  force?: boolean;
  progress?: Progress;
  /** Told when the lake is busy and this load waits. */
  onWait?: (message: string) => void;
}

export interface IngestResult {
  /** `unchanged`: the same drop content is already loaded (`load` is that earlier load). */
  status: 'committed' | 'failed' | 'unchanged';
  load: LoadRecord;
}

const SQL_TYPES: Record<ColumnDeclaration['type'], string> = {
  text: 'VARCHAR',
  int: 'BIGINT',
  decimal: 'DOUBLE',
  bool: 'BOOLEAN',
  date: 'DATE',
  ts: 'TIMESTAMPTZ',
};

/** Thrown inside a load to stop it; becomes the load's error. */
class LoadFailure extends Error {
  constructor(readonly problem: ProblemRecord) {
    super(problem.message);
  }
}

export async function ingestDrop(options: IngestOptions): Promise<IngestResult> {
  const layout = new LakeLayout(path.resolve(options.lake));
  const drop = path.resolve(options.drop);
  const progress = options.progress ?? silentProgress;
  const plan = await planDrop(drop, options.source);
  await mkdir(layout.root, { recursive: true });
  const lock = await acquireWriterLock(layout.writerLock(), {
    command: `lathe ingest ${options.drop}`,
    waitSeconds: options.waitSeconds ?? 0,
    onWait: (holder) =>
      options.onWait?.(`waiting for another writer to finish: ${holder.command} (pid ${holder.pid})`),
  });
  try {
    const store = new FileLoadStore(layout.loadsDir());
    const history = await recoverAbandonedLoads(layout, store);
    // Same content means same file names and sizes; only then can the drop be one already
    // loaded, and only then is it hashed before any work. Otherwise it is hashed while it loads.
    const sameFiles = (load: LoadRecord) =>
      load.status === 'committed' &&
      load.source === options.source.source &&
      fileShape(load.files) ===
        fileShape(plan.files.map((file) => ({ entity: file.entity, file: file.name, bytes: file.bytes })));
    let hashing: Promise<string>;
    if (history.some(sameFiles)) {
      const contentHash = await timed('hash drop', () => hashDrop(plan.files));
      const same = history.find((load) => sameFiles(load) && load.content_hash === contentHash);
      if (same && !options.force) return { status: 'unchanged', load: same };
      hashing = Promise.resolve(contentHash);
    } else {
      hashing = hashDrop(plan.files);
      hashing.catch(() => undefined); // awaited before commit; this only keeps an early failure from going unhandled
    }

    const loadId = newLoadId(history[history.length - 1]?.load_id);
    const record: LoadRecord = {
      load_id: loadId,
      status: 'running',
      source: options.source.source,
      drop,
      content_hash: '',
      started_at: new Date().toISOString(),
      finished_at: null,
      duration_ms: null,
      pid: process.pid,
      quarantine_limit: options.quarantineLimit ?? options.source.quarantineLimit,
      rows_read: 0,
      rows_loaded: 0,
      rows_quarantined: 0,
      bytes: plan.files.reduce((sum, file) => sum + file.bytes, 0),
      files: [],
      entities: [],
      ignored_files: plan.ignored,
      error: null,
    };
    await store.save(record);
    const started = Date.now();
    const previous = await readManifest(layout);
    const staging = layout.stagingDir(loadId);
    const db = await DuckSession.open({ tempDirectory: path.join(staging, '_spill') });
    try {
      await runLoad(db, layout, staging, record, plan.files, options, previous, progress);
      record.content_hash = await hashing;
      await commit(layout, staging, record, previous, options.source);
      record.status = 'committed';
    } catch (error) {
      record.status = 'failed';
      if (!(error instanceof LoadFailure)) {
        // A bug, not bad input: the load still fails (and says so in its audit), then the error surfaces.
        record.error = {
          code: 'internal_error',
          message: error instanceof Error ? error.message : String(error),
          fix: 'this is a bug in Lathe: please report it with the load id',
        };
        throw error;
      }
      record.error = error.problem;
      // The quarantine of a failed load is kept: it is how the user sees what to fix.
      await moveQuarantineIn(layout, staging, record.load_id);
    } finally {
      db.close();
      progress.stop();
      await rm(staging, { recursive: true, force: true });
      if (!record.content_hash) record.content_hash = await hashing.catch(() => '');
      record.finished_at = new Date().toISOString();
      record.duration_ms = Date.now() - started;
      await store.save(record);
    }
    return { status: record.status as 'committed' | 'failed', load: record };
  } finally {
    await lock.release();
  }
}

/** The files of a drop as names and sizes, for recognising a drop sent again. */
function fileShape(files: { entity: string; file: string; bytes: number }[]): string {
  return files
    .map((file) => `${file.entity}\0${file.file}\0${file.bytes}`)
    .sort()
    .join('\n');
}

/**
 * A load left `running` by a killed process: if its manifest was published it did commit
 * (the process died while writing the audit); otherwise it never became current, so its
 * leftovers are removed and it is marked abandoned.
 */
async function recoverAbandonedLoads(layout: LakeLayout, store: FileLoadStore): Promise<LoadRecord[]> {
  const history = await store.list();
  const published = new Set(await listManifestIds(layout));
  for (const load of history) {
    if (load.status !== 'running') continue;
    await rm(layout.stagingDir(load.load_id), { recursive: true, force: true });
    if (published.has(load.load_id)) {
      load.status = 'committed';
    } else {
      load.status = 'abandoned';
      load.error = {
        code: 'abandoned',
        message: 'the loading process stopped before the load committed; nothing of it became current',
        fix: 'ingest the drop again',
      };
      const entities = await readdir(path.join(layout.root, 'raw')).catch(() => [] as string[]);
      for (const entity of entities)
        await rm(layout.rawPartition(entity, load.load_id), { recursive: true, force: true });
    }
    await store.save(load);
  }
  return history;
}

/**
 * How many DuckDB connections load entities at once. Most entities are small and their time is
 * the latency of a dozen short statements; on a second connection they run while the largest
 * entity's long scans keep the cores busy.
 */
const LOAD_CONNECTIONS = 2;

async function runLoad(
  db: DuckSession,
  layout: LakeLayout,
  staging: string,
  record: LoadRecord,
  files: DropFile[],
  options: IngestOptions,
  previous: RawManifest | undefined,
  progress: Progress,
): Promise<void> {
  await installValidationMacros(db);
  await db.run('CREATE SCHEMA post');
  progress.start(`load ${record.load_id}`, files.length);
  const quarantinedKeys = new Map<string, string>();
  const limit = record.quarantine_limit;
  const order = entityLoadOrder(options.source);
  const filesOf = (entity: EntityDeclaration) => files.filter((file) => file.entity === entity.name);
  const carried = order.filter((entity) => filesOf(entity).length > 0);
  // Entities this load does not carry are, for their children, what is current now.
  for (const entity of order) {
    if (!carried.includes(entity)) await attachPriorState(db, layout, entity, previous);
  }

  const results = new Map<string, { audit?: EntityAudit; files: FileAudit[] }>();
  const sessions = [db];
  try {
    for (let i = 1; i < LOAD_CONNECTIONS; i++) sessions.push(await db.connect());
    const bytes = (entity: EntityDeclaration) => filesOf(entity).reduce((sum, file) => sum + file.bytes, 0);
    await loadInParallel(sessions, carried, bytes, async (session, entity) => {
      const result: { audit?: EntityAudit; files: FileAudit[] } = { files: [] };
      results.set(entity.name, result);
      result.audit = await loadEntity(
        session,
        staging,
        record.load_id,
        entity,
        filesOf(entity),
        options.source,
        quarantinedKeys,
        progress,
        result.files,
      );
      result.audit.rows_replaced = await attachPostState(session, layout, staging, entity, previous);
    });
  } finally {
    for (const session of sessions.slice(1)) session.close();
    // The audit lists entities and files in load order, however the connections took them.
    for (const entity of carried) {
      const result = results.get(entity.name);
      if (!result) continue;
      record.files.push(...result.files);
      if (!result.audit) continue;
      record.entities.push(result.audit);
      record.rows_read += result.audit.rows_read;
      record.rows_loaded += result.audit.rows_loaded;
      record.rows_quarantined += result.audit.rows_quarantined;
    }
  }

  const over = record.entities.find((audit) => audit.quarantined_share > limit);
  if (over) {
    const example = await firstQuarantined(db, staging, over.entity);
    throw new LoadFailure({
      code: 'quarantine_limit',
      message: `${(over.quarantined_share * 100).toFixed(1)}% of ${over.entity} rows were quarantined (${over.rows_quarantined} of ${over.rows_read}), above the limit of ${(limit * 100).toFixed(1)}%${example ? `; the first: ${example.message}` : ''}`,
      fix: `see every row and reason with \`lathe quarantine --load ${record.load_id} --entity ${over.entity}\`, correct the export and ingest again (or raise the limit with --quarantine-limit)`,
      file: example?.file,
      line: example?.line,
      field: example?.field,
    });
  }
}

/**
 * Loads entities on several connections at once. An entity starts once the entities it needs
 * (its references, and entities earlier in load order that its rules name) are loaded; of the
 * ready ones the largest goes first, so the biggest entity starts as soon as its parents are
 * in and the small ones fill the other connection meanwhile. After a failure no entity starts,
 * those running finish, and the failure of the entity first in load order is thrown.
 */
async function loadInParallel(
  sessions: DuckSession[],
  /** In load order (parents first). */
  entities: EntityDeclaration[],
  size: (entity: EntityDeclaration) => number,
  load: (session: DuckSession, entity: EntityDeclaration) => Promise<void>,
): Promise<void> {
  const needs = new Map(
    entities.map((entity, index) => [entity.name, loadNeeds(entity, entities.slice(0, index))]),
  );
  const waiting = [...entities];
  const loaded = new Set<string>();
  const failures = new Map<string, unknown>();
  let wake = () => {};
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const worker = async (session: DuckSession) => {
    while (failures.size === 0) {
      const ready = waiting.filter((entity) =>
        [...needs.get(entity.name)!].every((name) => loaded.has(name)),
      );
      if (ready.length === 0) {
        if (waiting.length === 0) return;
        await changed;
        continue;
      }
      const next = ready.reduce((largest, entity) => (size(entity) > size(largest) ? entity : largest));
      waiting.splice(waiting.indexOf(next), 1);
      try {
        await load(session, next);
        loaded.add(next.name);
      } catch (error) {
        failures.set(next.name, error);
      } finally {
        const woken = wake;
        changed = new Promise<void>((resolve) => (wake = resolve));
        woken();
      }
    }
  };
  await Promise.all(sessions.map(worker));
  const first = entities.find((entity) => failures.has(entity.name));
  if (first) throw failures.get(first.name);
}

/**
 * The entities, among those loaded before it, that an entity's checks read: the parents of its
 * references, and any whose name its rules mention (a rule may query another entity).
 */
function loadNeeds(entity: EntityDeclaration, earlier: EntityDeclaration[]): Set<string> {
  const referenced = new Set(entity.references.map((reference) => reference.entity));
  const mentions = (name: string) =>
    entity.rules.some((rule) =>
      new RegExp(`\\b${name.replace(/[^a-z0-9_]/gi, '\\$&')}\\b`, 'i').test(rule.check),
    );
  return new Set(
    earlier.filter((other) => referenced.has(other.name) || mentions(other.name)).map((other) => other.name),
  );
}

/** Reads, checks and writes one entity's files; returns its audit and fills `fileAudits`. */
async function loadEntity(
  db: DuckSession,
  staging: string,
  loadId: string,
  entity: EntityDeclaration,
  files: DropFile[],
  source: SourceDeclaration,
  quarantinedKeys: Map<string, string>,
  progress: Progress,
  fileAudits: FileAudit[],
): Promise<EntityAudit> {
  const checkedView = `checked_${entity.name}`;
  const scans: FileScan[] = [];
  const failFile = (file: DropFile, error: LatheError): never => {
    const problem = { code: error.code, message: error.message, fix: error.fix, ...error.location };
    fileAudits.push({
      entity: entity.name,
      file: file.name,
      format: file.format,
      bytes: file.bytes,
      rows_read: 0,
      rows_loaded: 0,
      rows_quarantined: 0,
      status: 'failed',
      error: problem,
    });
    throw new LoadFailure(problem);
  };
  let rowsPerFile: number[] = [];
  let stagedFiles: string[] = [];
  let shape: CheckedShape = { extra: false, formatError: false, line: false };
  let checked: CheckedRows = { table: checkedView, reasons: 0 };
  const stageDir = path.join(staging, 'typed', entity.name);
  await mkdir(stageDir, { recursive: true });
  const malformed = new Map<number, MalformedRecord[]>();
  try {
    for (const [fileId, file] of files.entries()) {
      try {
        scans.push(await prepareFileScan(db, file, fileId, entity));
      } catch (error) {
        if (error instanceof LatheError) failFile(file, error);
        throw error;
      }
    }
    try {
      ({
        rowsPerFile,
        shape,
        files: stagedFiles,
        checked,
      } = await timed(`read and check fields ${entity.name}`, () =>
        checkFields(db, source, entity, scans, checkedView, { dir: stageDir, loadId }),
      ));
    } catch (error) {
      if (error instanceof LatheError)
        failFile(files.find((file) => file.name === error.location.file) ?? files[0]!, error);
      throw error;
    }
    for (const scan of scans) malformed.set(scan.fileId, await scan.rejects());
  } finally {
    for (const scan of scans) await scan.dispose();
  }
  progress.advance(files.length);
  const plan = { parentSchema: 'post', quarantinedKeys };
  await timed(`check rules and references ${entity.name}`, () =>
    checkRulesAndReferences(db, entity, checked, plan),
  );
  await timed(`check keys ${entity.name}`, () => checkKeys(db, entity, checked));
  await timed(`check overlaps ${entity.name}`, () => checkOverlaps(db, entity, checked));

  const rows = finalRowsSql(checked);
  const fileNames = sqlList(files.map((file) => file.name));
  const rawFile = path.join(staging, 'raw', entity.name, 'part-0.parquet');
  const quarantineFile = path.join(staging, 'quarantine', entity.name, 'part-0.parquet');
  await mkdir(path.dirname(rawFile), { recursive: true });

  // Loaded rows: typed declared columns, undeclared ones as JSON, and their lineage. When no
  // row failed (the common case) the staged files already are exactly that, so they move in.
  const anyFailed = checked.reasons > 0;
  if (anyFailed) {
    await timed(`write loaded ${entity.name}`, () =>
      db.run(`COPY (
        SELECT ${entity.columns.map((column) => ident(column.name)).join(', ')}, _extra, _load_id, _file
        FROM ${rows} WHERE _reasons IS NULL
      ) TO ${sqlString(rawFile)} (FORMAT parquet)`),
    );
  }
  // Most entities of most loads quarantine nothing: then there is no quarantine file to write or read.
  const anyQuarantined = anyFailed || [...malformed.values()].some((rejects) => rejects.length > 0);
  if (anyQuarantined) {
    await mkdir(path.dirname(quarantineFile), { recursive: true });
    await timed(`write quarantine ${entity.name}`, () =>
      writeQuarantine(db, loadId, entity, files, rows, shape, malformed, quarantineFile),
    );
  }

  // Keys quarantined in this load, so a child's unknown-reference reason can say why its parent is
  // missing. Not temporary: the child may be checked on another connection.
  if (entity.key.length === 1 && anyQuarantined) {
    const table = `quarantined_keys_${entity.name}`;
    const key = ident(entity.key[0]!);
    await db.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT DISTINCT ${key} AS key FROM ${rows} WHERE _reasons IS NOT NULL AND ${key} IS NOT NULL`,
    );
    quarantinedKeys.set(entity.name, table);
  }
  await db.run(`DROP VIEW ${checkedView}`);
  if (!anyFailed) {
    for (const staged of stagedFiles)
      await rename(staged, path.join(path.dirname(rawFile), path.basename(staged)));
  }

  // The proof that nothing was lost: per file, read = loaded + quarantined, counted from what was written.
  const written = await db.all<{ file: string; loaded: bigint; quarantined: bigint }>(`
    SELECT f.file, coalesce(l.n, 0) AS loaded, coalesce(q.n, 0) AS quarantined
    FROM (SELECT unnest(${fileNames}) AS file) f
    LEFT JOIN (SELECT _file AS file, count(*) AS n FROM read_parquet(${sqlString(path.join(path.dirname(rawFile), '*.parquet'))}) GROUP BY ALL) l USING (file)
    LEFT JOIN (${anyQuarantined ? `SELECT file, count(*) AS n FROM read_parquet(${sqlString(quarantineFile)}) GROUP BY ALL` : 'SELECT NULL AS file, 0 AS n WHERE false'}) q USING (file)`);
  const audit: EntityAudit = {
    entity: entity.name,
    kind: entity.kind,
    rows_read: 0,
    rows_loaded: 0,
    rows_quarantined: 0,
    quarantined_share: 0,
    reasons: {},
  };
  for (const [fileId, file] of files.entries()) {
    const counts = written.find((row) => row.file === file.name);
    const rowsRead = rowsPerFile[fileId]! + (malformed.get(fileId)?.length ?? 0);
    const loaded = Number(counts?.loaded ?? 0n);
    const quarantined = Number(counts?.quarantined ?? 0n);
    if (rowsRead !== loaded + quarantined) {
      throw new Error(
        `internal: ${file.name} read ${rowsRead} rows but wrote ${loaded} loaded + ${quarantined} quarantined`,
      );
    }
    fileAudits.push({
      entity: entity.name,
      file: file.name,
      format: file.format,
      bytes: file.bytes,
      rows_read: rowsRead,
      rows_loaded: loaded,
      rows_quarantined: quarantined,
      status: 'loaded',
    } satisfies FileAudit);
    audit.rows_read += rowsRead;
    audit.rows_loaded += loaded;
    audit.rows_quarantined += quarantined;
  }
  audit.quarantined_share = audit.rows_read === 0 ? 0 : audit.rows_quarantined / audit.rows_read;
  const reasons = anyQuarantined
    ? await db.all<{ code: string; n: bigint }>(
        `SELECT code, count(*) AS n FROM (SELECT unnest(reasons).code AS code FROM read_parquet(${sqlString(quarantineFile)})) GROUP BY ALL ORDER BY code`,
      )
    : [];
  audit.reasons = Object.fromEntries(reasons.map((row) => [row.code, Number(row.n)]));

  await rm(stageDir, { recursive: true, force: true });
  return audit;
}

/**
 * Quarantined rows with their load, file, physical line, the raw record exactly as written
 * (read back from the file) and all reasons: rows that failed checks, and records the reader
 * could not split into fields.
 */
async function writeQuarantine(
  db: DuckSession,
  loadId: string,
  entity: EntityDeclaration,
  files: DropFile[],
  /** SQL of the checked rows with all their reasons (`finalRowsSql`). */
  rows: string,
  shape: CheckedShape,
  malformed: Map<number, MalformedRecord[]>,
  target: string,
): Promise<void> {
  await db.run(
    'CREATE OR REPLACE TEMP TABLE record_lines (_file_id INTEGER, _row BIGINT, line BIGINT, record VARCHAR, message VARCHAR)',
  );
  const bad = await db.all<{ file_id: number; row: bigint; line: bigint | null }>(
    `SELECT _file_id AS file_id, _row AS row, ${shape.line ? '_line' : 'NULL'} AS line FROM ${rows} WHERE _reasons IS NOT NULL ORDER BY _row`,
  );
  const appender = await db.connection.createAppender('record_lines');
  for (const [fileId, file] of files.entries()) {
    const rejects = malformed.get(fileId) ?? [];
    const fileRows = bad.filter((row) => row.file_id === fileId);
    if (fileRows.length === 0 && rejects.length === 0) continue;
    const located = await locateRecords(file, entity, fileRows, rejects);
    fileRows.forEach((row, i) => {
      const found = located.rows[i]!;
      appender.appendInteger(fileId);
      appender.appendBigInt(row.row);
      appender.appendBigInt(BigInt(found.line));
      if (found.record === undefined) appender.appendNull();
      else appender.appendVarchar(found.record);
      appender.appendNull();
      appender.endRow();
    });
    rejects.forEach((reject, i) => {
      appender.appendInteger(fileId);
      appender.appendNull();
      appender.appendBigInt(BigInt(located.rejects[i]!.line));
      appender.appendVarchar(located.rejects[i]!.record ?? reject.text);
      appender.appendVarchar(reject.message);
      appender.endRow();
    });
  }
  appender.closeSync();
  const fileNames = sqlList(files.map((file) => file.name));
  // Parquet has no text form: its record is the row's typed values.
  const typedRecord = `json_object(${entity.columns
    .map(
      (column) =>
        `${sqlString(column.from ?? column.name)}, ${column.type === 'ts' ? `strftime(c.${ident(column.name)}, '%Y-%m-%dT%H:%M:%S.%gZ')` : `CAST(c.${ident(column.name)} AS VARCHAR)`}`,
    )
    .join(', ')})`;
  await db.run(`COPY (
      SELECT ${sqlString(loadId)} AS load_id, ${sqlString(entity.name)} AS entity, ${fileNames}[c._file_id + 1] AS file, l.line,
             coalesce(l.record, CAST(${typedRecord} AS VARCHAR)) AS record, c._reasons AS reasons
      FROM ${rows} c JOIN record_lines l ON l._row = c._row
      UNION ALL
      SELECT ${sqlString(loadId)}, ${sqlString(entity.name)}, ${fileNames}[_file_id + 1], line, record,
             [{'code': 'malformed_row', 'field': NULL, 'message': message, 'fix': 'check the row: quote fields that contain the separator or line breaks, and give it as many fields as the header'}]::${REASON_TYPE}[]
      FROM record_lines WHERE _row IS NULL
      ORDER BY file, line
    ) TO ${sqlString(target)} (FORMAT parquet)`);
}

interface Located {
  line: number;
  /** The raw record: a JSON object of the fields as written (CSV, text), or the line itself (NDJSON). */
  record?: string;
}

/**
 * Finds where quarantined rows stand in their file and reads their text back. The reader
 * numbers the records it accepted; records it rejected sit between them in the file.
 */
async function locateRecords(
  file: DropFile,
  entity: EntityDeclaration,
  rows: { row: bigint; line: bigint | null }[],
  rejects: MalformedRecord[],
): Promise<{ rows: Located[]; rejects: Located[] }> {
  if (file.format === 'parquet')
    return { rows: rows.map((row) => ({ line: Number(row.line) })), rejects: [] };
  if (file.format === 'ndjson' || entity.csv.collapseDelimiters) {
    // The scan knows each row's physical line.
    const lines = rows.map((row) => Number(row.line));
    const { records } = await readRawRecords(file.path, { by: 'line', wanted: lines, header: false });
    const toRecord = (text: string) =>
      file.format === 'ndjson'
        ? text
        : JSON.stringify(
            namedFields(
              entity.columns.filter((c) => !c.recordNumber).map((c) => c.name),
              text.trim().split(/\s+/),
            ),
          );
    return {
      rows: lines.map((line) => ({
        line,
        record: records.has(line) ? toRecord(records.get(line)!.text) : undefined,
      })),
      rejects: [],
    };
  }
  const rejected = rejects.map((reject) => reject.record).sort((a, b) => a - b);
  const toFileRecord = (accepted: number) => {
    let record = accepted;
    for (const r of rejected) {
      if (r <= record) record++;
      else break;
    }
    return record;
  };
  // `_row` is the file's id above ROW_BITS and the row's place in the file below: its record number.
  const fileRecords = rows.map((row) => toFileRecord(Number(row.row & ((1n << BigInt(ROW_BITS)) - 1n)) + 1));
  const { header, records } = await readRawRecords(file.path, {
    by: 'record',
    wanted: [...fileRecords, ...rejected],
    header: entity.csv.header,
  });
  const names =
    header === undefined
      ? entity.columns.map((column) => column.name)
      : splitCsvRecord(header, entity.csv.delimiter);
  const locate = (record: number, asJson: boolean): Located => {
    const found = records.get(record);
    if (!found) return { line: record + (entity.csv.header ? 1 : 0) };
    return {
      line: found.line,
      record: asJson
        ? JSON.stringify(namedFields(names, splitCsvRecord(found.text, entity.csv.delimiter)))
        : found.text,
    };
  };
  return {
    rows: fileRecords.map((record) => locate(record, true)),
    rejects: rejects.map((reject) => locate(reject.record, false)),
  };
}

/** Field values by column name, in file order; fields beyond the names are kept by position. */
function namedFields(names: string[], values: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  values.forEach((value, i) => {
    record[names[i] ?? `field_${i + 1}`] = value;
  });
  return record;
}

async function firstQuarantined(
  db: DuckSession,
  staging: string,
  entity: string,
): Promise<(ProblemRecord & { message: string }) | undefined> {
  const rows = await db.json<{ file: string; line: number; field: string | null; message: string }>(
    `SELECT file, line, reasons[1].field AS field, reasons[1].message AS message FROM read_parquet(${sqlString(path.join(staging, 'quarantine', entity, 'part-0.parquet'))}) ORDER BY file, line LIMIT 1`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    code: 'quarantined',
    file: row.file,
    line: Number(row.line),
    field: row.field ?? undefined,
    message: `file ${row.file} line ${row.line}: ${row.message}`,
  };
}

function emptyTableSql(entity: EntityDeclaration): string {
  return `SELECT ${entity.columns.map((column) => `CAST(NULL AS ${SQL_TYPES[column.type]}) AS ${ident(column.name)}`).join(', ')} WHERE false`;
}

/** An entity this load does not carry: its parents-to-be state is what is current now. */
async function attachPriorState(
  db: DuckSession,
  layout: LakeLayout,
  entity: EntityDeclaration,
  previous: RawManifest | undefined,
): Promise<void> {
  const prior = previous?.entities[entity.name];
  const sql = prior ? entityStateSql(layout, prior) : null;
  await db.run(`CREATE OR REPLACE VIEW post.${ident(entity.name)} AS ${sql ?? emptyTableSql(entity)}`);
}

/**
 * An entity this load carries: the state it will have once the load commits. Returns, for an
 * append entity loaded before, how many loaded rows re-state an earlier key: when none do, the
 * entity's readers need not look for superseded rows (a plain scan instead of a window).
 */
async function attachPostState(
  db: DuckSession,
  layout: LakeLayout,
  staging: string,
  entity: EntityDeclaration,
  previous: RawManifest | undefined,
): Promise<number | undefined> {
  const loaded = path.join(staging, 'raw', entity.name, '*.parquet');
  const prior = previous?.entities[entity.name];
  const columns = [...entity.columns.map((column) => ident(column.name))].join(', ');
  const current = `SELECT ${columns}, '~' AS _load_id FROM read_parquet(${sqlString(loaded)})`;
  const priorSql = prior ? entityStateSql(layout, prior) : null;
  if (entity.kind === 'snapshot' || !priorSql) {
    await db.run(`CREATE OR REPLACE VIEW post.${ident(entity.name)} AS ${current}`);
    return undefined;
  }
  const key = entity.key.map(ident).join(', ');
  const on = entity.key.map((column) => `n.${ident(column)} = o.${ident(column)}`).join(' AND ');
  const replaced = Number(
    await db.scalar(
      `SELECT count(*) FROM read_parquet(${sqlString(loaded)}) n SEMI JOIN (SELECT ${key} FROM (${priorSql})) o ON ${on}`,
    ),
  );
  // '~' sorts after every load id, so this load's rows supersede earlier ones with the same key.
  await db.run(`CREATE OR REPLACE VIEW post.${ident(entity.name)} AS
    SELECT ${columns} FROM (${priorSql} UNION ALL ${current})
    ${replaced > 0 ? `QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _load_id DESC) = 1` : ''}`);
  return replaced;
}

/** Moves the staged partitions into the lake and makes the new manifest current. */
async function commit(
  layout: LakeLayout,
  staging: string,
  record: LoadRecord,
  previous: RawManifest | undefined,
  source: SourceDeclaration,
): Promise<void> {
  const manifest: RawManifest = {
    layer: 'raw',
    id: record.load_id,
    previous: previous?.id ?? null,
    committedAt: new Date().toISOString(),
    entities: structuredClone(previous?.entities ?? {}),
  };
  for (const audit of record.entities) {
    const entity = source.entities.find((candidate) => candidate.name === audit.entity)!;
    const target = layout.rawPartition(entity.name, record.load_id);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(path.join(staging, 'raw', entity.name), target);
    const parts = (await readdir(target)).filter((name) => name.endsWith('.parquet')).sort();
    const partition = {
      loadId: record.load_id,
      files: parts.map((name) => layout.relative(path.join(target, name))),
      rows: audit.rows_loaded,
      ...(audit.rows_replaced !== undefined ? { replaces: audit.rows_replaced } : {}),
    };
    const prior = manifest.entities[entity.name];
    manifest.entities[entity.name] = {
      source: source.source,
      kind: entity.kind,
      key: entity.key,
      columns: entity.columns.map((column) => column.name),
      partitions: entity.kind === 'append' && prior ? [...prior.partitions, partition] : [partition],
    };
  }
  await moveQuarantineIn(layout, staging, record.load_id);
  await publishManifest(layout, manifest);
}

async function moveQuarantineIn(layout: LakeLayout, staging: string, loadId: string): Promise<void> {
  const dir = path.join(staging, 'quarantine');
  const entities = await readdir(dir).catch(() => [] as string[]);
  for (const entity of entities) {
    const target = layout.quarantinePartition(entity, loadId);
    await mkdir(path.dirname(target), { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(path.join(dir, entity), target);
  }
}

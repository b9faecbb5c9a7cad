/**
 * A warehouse build: reads one raw manifest, runs the models in dependency order (independent
 * ones at the same time), writes table models as Parquet into a staging folder, runs the
 * data-quality tests, and only if no error-severity test failed moves the files into the lake
 * and publishes the build manifest. Readers see the previous build until that moment.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, sqlString } from '../lake/duckdb.js';
import { LakeLayout } from '../lake/layout.js';
import { newLoadId } from '../lake/load-id.js';
import {
  type BuildManifest,
  type BuildModel,
  type BuildPart,
  listManifestIds,
  publishBuildManifest,
  type RawManifest,
  readBuildManifest,
  readCurrentBuild,
  readManifest,
} from '../lake/manifest.js';
import { acquireWriterLock } from '../lake/writer-lock.js';
import type { ProblemRecord } from '../meta/records.js';
import { LatheError } from '../util/errors.js';
import { closestName } from '../util/suggest.js';
import { compileSql, defaultResolve, type Resolve, replacedRelation } from './compile.js';
import { type CompiledTest, compileGenericTest, compileSingularTest, runTests } from './dq.js';
import { mayReplace, writeKeyRanges } from './key-ranges.js';
import { ConnectionPool } from './pool.js';
import { isModelReference, loadProject, type Model, type Project, type SingularTest } from './project.js';
import type { BuildRecord, ModelResult, TestResult } from './records.js';
import { FileBuildStore } from './records.js';
import { createHistoryViews, createRawViews, modelStateSql, partScan, rangeJoin } from './relations.js';
import { selectModels } from './select.js';

export interface BuildProgressEvent {
  kind: 'model' | 'test';
  name: string;
  status: ModelResult['status'] | TestResult['status'] | 'running';
  /** Models and tests finished so far, of `total`. */
  done: number;
  total: number;
}

export interface BuildOptions {
  lake: string;
  modelsDir?: string;
  /** Selectors: `m`, `m+`, `+m`, `tag:x` (see select.ts). Unselected models are taken from the current build. */
  select?: string | string[];
  /** Build from the raw lake as it was right after this load (default: the current load). */
  asOfLoad?: string;
  /** Rebuild incremental models from every load instead of only the new ones. */
  fullRefresh?: boolean;
  onProgress?: (event: BuildProgressEvent) => void;
  /** Wait this long for another writer (ingest or build) to finish. */
  waitSeconds?: number;
  onWait?: (message: string) => void;
  /** Models run at the same time (default: cores, at most 4). */
  parallelism?: number;
}

export type BuildResult = BuildRecord & { status: 'published' | 'failed' };

/**
 * DuckDB's buffer limit for a build (it spills sorts and joins to the staging folder beyond it).
 * Not every operator can spill: with 1.5 GB, three of a medium factory's heaviest models at
 * once ran out of memory ("failed to pin block"). A quarter of the machine's memory, at least
 * 1.5 GB and at most 8 GB, leaves the rest to the OS and the dashboard.
 */
const BUILD_MEMORY_LIMIT = () =>
  process.env.LATHE_BUILD_MEMORY_LIMIT ??
  process.env.LATHE_MEMORY_LIMIT ??
  `${Math.round(Math.min(8192, Math.max(1536, totalmem() / 4 / 2 ** 20)))}MB`;

export async function buildWarehouse(options: BuildOptions): Promise<BuildResult> {
  const layout = new LakeLayout(path.resolve(options.lake));
  const project = await loadProject(options.modelsDir ?? 'models', { cacheFile: layout.projectCache() });
  const selected = selectModels(project, options.select);
  await mkdir(layout.root, { recursive: true });
  const lock = await acquireWriterLock(layout.writerLock(), {
    command: 'lathe build',
    waitSeconds: options.waitSeconds ?? 0,
    onWait: (holder) =>
      options.onWait?.(`waiting for another writer to finish: ${holder.command} (pid ${holder.pid})`),
  });
  try {
    const store = new FileBuildStore(layout);
    const latestBuildId = await recoverAbandonedBuilds(layout, store);
    const raw = await readManifest(layout, { asOf: options.asOfLoad });
    if (!raw)
      throw new LatheError('no_loads', 'the lake has no committed load yet: there is nothing to build from', {
        fix: 'load a drop first: lathe ingest DIR',
      });
    checkNames(project, raw);
    const previous = await readCurrentBuild(layout);
    const record: BuildRecord = {
      build_id: newLoadId(latestBuildId),
      load_id: raw.id,
      status: 'running',
      select: options.select ? [options.select].flat() : null,
      started_at: new Date().toISOString(),
      finished_at: null,
      duration_ms: null,
      pid: process.pid,
      models: [],
      tests: [],
      error: null,
    };
    await store.save(record);
    const started = Date.now();
    const staging = layout.buildStagingDir(record.build_id);
    const pool = await ConnectionPool.open({
      size: options.parallelism ?? Math.min(4, availableParallelism()),
      memoryLimit: BUILD_MEMORY_LIMIT(),
      tempDirectory: path.join(staging, '_spill'),
    });
    try {
      const run = new BuildRun(layout, project, selected, raw, previous, record, pool, options);
      const manifest = await run.execute();
      if (manifest) {
        await publish(layout, staging, manifest, record.build_id);
        record.status = 'published';
      } else {
        record.status = 'failed';
      }
    } catch (error) {
      record.status = 'failed';
      record.error = {
        code: 'internal_error',
        message: error instanceof Error ? error.message : String(error),
        fix: 'this is a bug in Lathe: please report it with the build id',
      };
      throw error;
    } finally {
      pool.close();
      await rm(staging, { recursive: true, force: true });
      record.finished_at = new Date().toISOString();
      record.duration_ms = Date.now() - started;
      await store.save(record);
    }
    return record as BuildResult;
  } finally {
    await lock.release();
  }
}

/**
 * A build left running by a killed process never published (or did, and only its record is
 * stale). Every build settles the records before it, so only the newest can still say running:
 * they are read newest first up to the first settled one, not a year of daily records each
 * time. Returns the latest build id (new ids sort after it).
 */
async function recoverAbandonedBuilds(
  layout: LakeLayout,
  store: FileBuildStore,
): Promise<string | undefined> {
  const ids = await store.ids();
  const published = new Set(await listManifestIds(layout, 'build'));
  for (const id of [...ids].reverse()) {
    const build = await store.get(id);
    if (!build) continue;
    if (build.status !== 'running') break;
    await rm(layout.buildStagingDir(build.build_id), { recursive: true, force: true });
    build.status = published.has(build.build_id) ? 'published' : 'abandoned';
    if (build.status === 'abandoned')
      build.error = {
        code: 'abandoned',
        message: 'the building process stopped before the build published; nothing of it became current',
      };
    await store.save(build);
  }
  return ids.at(-1);
}

/** Sources must be entities of the lake, and a model may not shadow an entity's name. */
function checkNames(project: Project, raw: RawManifest): void {
  const entities = Object.keys(raw.entities);
  for (const unit of [...project.models, ...project.singularTests]) {
    // SQL in a model's header reads sources too.
    const header = 'layer' in unit ? [unit.fullRefreshIf, unit.replaces] : [];
    for (const reference of [...unit.references, ...header.flatMap((sql) => sql?.references ?? [])]) {
      if (isModelReference(reference) || reference.kind === 'replaced' || raw.entities[reference.name])
        continue;
      const suggestion = closestName(reference.name, entities);
      throw new LatheError(
        'unknown_source',
        `\`${unit.name}\` reads unknown source \`${reference.name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
        {
          location: { file: unit.file, line: reference.line },
          fix: `${reference.kind}() names an entity of the lake: ${entities.join(', ') || 'none loaded yet'}`,
        },
      );
    }
  }
  for (const model of project.models)
    if (raw.entities[model.name])
      throw new LatheError('model_name_taken', `model \`${model.name}\` has the name of a raw entity`, {
        location: { file: model.file },
        fix: 'rename the model file (e.g. stg_…, dim_…, fact_…): both would be a table of that name',
      });
}

type Outcome = 'ok' | 'absent' | 'failed';

/** An incremental model's build: from new rows (`since`, `resolve`) or in full (`fullReason`). */
type IncrementalPlan =
  | { since?: undefined; resolve?: undefined; fullReason: string }
  | { since: string; resolve: Resolve; fullReason?: undefined };

class BuildRun {
  private done = 0;
  private readonly total: number;
  private readonly models: Record<string, BuildModel> = {};
  /** Schemas of raw views made for new_rows() and previous() (rawResolve), by name. */
  private readonly rawSchemas = new Map<string, Promise<void>>();
  /** Content fingerprints of models computed in this build (an input of several incremental models is hashed once). */
  private readonly fingerprints = new Map<string, Promise<string>>();
  private readonly staging: string;
  private historyViews: Promise<void> | undefined;

  constructor(
    private readonly layout: LakeLayout,
    private readonly project: Project,
    private readonly selected: Set<string>,
    private readonly raw: RawManifest,
    private readonly previous: BuildManifest | undefined,
    private readonly record: BuildRecord,
    private readonly pool: ConnectionPool,
    private readonly options: BuildOptions,
  ) {
    this.staging = layout.buildStagingDir(record.build_id);
    this.total = project.models.length;
  }

  private progress(
    kind: BuildProgressEvent['kind'],
    name: string,
    status: BuildProgressEvent['status'],
  ): void {
    if (status !== 'running') this.done++;
    this.options.onProgress?.({ kind, name, status, done: this.done, total: this.total });
  }

  /** Runs models and tests; the manifest to publish, or undefined when the build must not publish. */
  async execute(): Promise<BuildManifest | undefined> {
    const run = (sql: string) => this.pool.first.run(sql);
    await createRawViews(run, this.layout, this.raw);
    const outcomes = new Map<string, Promise<Outcome>>();
    const results = new Map<string, ModelResult>();
    // An unexpected error (a bug, a disk failing) ends the build once everything running has
    // stopped, so no test is left using a closed connection and no rejection goes unheard.
    const crashes: unknown[] = [];
    for (const model of this.project.models) {
      outcomes.set(
        model.name,
        (async () => {
          const upstream = await Promise.all(model.refs.map((ref) => outcomes.get(ref)!));
          return this.runModel(model, upstream, results);
        })().catch((error: unknown) => {
          crashes.push(error);
          return 'failed' as const;
        }),
      );
    }
    // Each model's tests start once it and what they read are built, while later models still
    // run: they fill the connections the critical path leaves idle (models go first in the queue).
    const testRuns = new Map<string, Promise<TestResult[]>>();
    for (const model of this.project.models)
      testRuns.set(
        model.name,
        (async () => {
          const reads = [
            model.name,
            ...model.tests.flatMap((t) => (t.kind === 'relationships' ? [t.to] : [])),
          ];
          await Promise.all(reads.map((name) => outcomes.get(name)));
          return this.testModel(model, results.get(model.name));
        })().catch((error: unknown) => {
          crashes.push(error);
          return [];
        }),
      );
    for (const test of this.project.singularTests)
      testRuns.set(
        `singular:${test.name}`,
        (async () => {
          await Promise.all(test.refs.map((name) => outcomes.get(name)));
          return this.singularTest(test);
        })().catch((error: unknown) => {
          crashes.push(error);
          return [];
        }),
      );
    await Promise.all(outcomes.values());
    const tests = (await Promise.all(testRuns.values())).flat();
    if (crashes.length > 0) throw crashes[0];
    this.record.models = this.project.models
      .map((model) => results.get(model.name))
      .filter((r) => r !== undefined);
    const failed = this.record.models.find((result) => result.status === 'failed');
    if (failed) {
      this.record.error = failed.error ?? null;
      return undefined;
    }
    this.record.tests = [...tests, ...this.vanishedRows()];
    const blocking = this.record.tests.filter((test) => test.severity === 'error' && test.status !== 'pass');
    if (blocking.length > 0) {
      this.record.error = blockingError(blocking, this.previous);
      return undefined;
    }
    const order = this.project.models.map((model) => model.name).filter((name) => this.models[name]);
    return {
      layer: 'build',
      id: this.record.build_id,
      previous: this.previous?.id ?? null,
      committedAt: new Date().toISOString(),
      loadId: this.raw.id,
      order,
      models: Object.fromEntries(order.map((name) => [name, this.models[name]!])),
    };
  }

  private async runModel(
    model: Model,
    upstream: Outcome[],
    results: Map<string, ModelResult>,
  ): Promise<Outcome> {
    const materialized = model.header.materialized;
    const base = { name: model.name, layer: model.layer, materialized, rows: null, seconds: 0 };
    const prior = this.previous?.models[model.name];
    if (!this.selected.has(model.name)) {
      if (!prior || upstream.includes('absent')) return 'absent';
      // Not selected: read as the current build has it.
      await this.pool.use((connection) =>
        connection.run(`CREATE OR REPLACE VIEW ${ident(model.name)} AS ${modelStateSql(this.layout, prior)}`),
      );
      this.models[model.name] = prior;
      results.set(model.name, { ...base, status: 'reused', rows: prior.rows });
      this.progress('model', model.name, 'reused');
      return 'ok';
    }
    if (upstream.includes('failed')) {
      results.set(model.name, { ...base, status: 'skipped' });
      this.progress('model', model.name, 'skipped');
      return 'failed';
    }
    const missing = model.refs.filter((_, index) => upstream[index] === 'absent');
    if (missing.length > 0) {
      results.set(model.name, {
        ...base,
        status: 'failed',
        error: {
          code: 'model_not_built',
          message: `\`${model.name}\` reads ${missing.map((name) => `\`${name}\``).join(', ')}, which no build has made yet`,
          file: model.file,
          fix: `build them too: lathe build --select +${model.name}`,
        },
      });
      this.progress('model', model.name, 'failed');
      return 'failed';
    }
    this.progress('model', model.name, 'running');
    // From when a connection is free: the time the model took, not its wait in the queue.
    let started = performance.now();
    try {
      const result = await this.pool.use(async (connection) => {
        started = performance.now();
        if (model.histories.length > 0) await this.ensureHistoryViews(connection);
        return this.materialize(connection, model, prior);
      });
      results.set(model.name, {
        ...base,
        ...result,
        status: 'built',
        seconds: (performance.now() - started) / 1000,
      });
      this.progress('model', model.name, 'built');
      return 'ok';
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      results.set(model.name, {
        ...base,
        status: 'failed',
        seconds: (performance.now() - started) / 1000,
        error: {
          code: 'model_failed',
          message: `model \`${model.name}\` failed: ${message}`,
          file: model.file,
          fix: `fix its SQL (lathe compile ${model.name} shows the SQL that ran), then lathe build again`,
        },
      });
      this.progress('model', model.name, 'failed');
      return 'failed';
    }
  }

  /** Made once, on the connection of the first model that needs them (a connection runs one statement at a time). */
  private ensureHistoryViews(connection: DuckDBConnection): Promise<void> {
    this.historyViews ??= createHistoryViews((sql) => connection.run(sql), this.layout, this.raw);
    return this.historyViews;
  }

  private async materialize(
    connection: DuckDBConnection,
    model: Model,
    prior: BuildModel | undefined,
  ): Promise<Pick<ModelResult, 'rows' | 'mode' | 'since_load_id' | 'full_reason'>> {
    const header = model.header;
    const entry: BuildModel = {
      layer: model.layer,
      materialized: header.materialized,
      parts: [],
      uniqueKey: header.unique_key ?? [],
      columns: [],
      rows: null,
      dependsOn: model.refs,
      sources: [...new Set([...model.sources, ...model.histories])],
      usesHistory: model.histories.length > 0,
      builtAt: this.record.build_id,
      ...(header.replaces ? { replaces: header.replaces } : {}),
    };
    const create = (sql: string) => connection.run(`CREATE OR REPLACE VIEW ${ident(model.name)} AS ${sql}`);
    if (header.materialized === 'view') {
      entry.sql = compileSql(model);
      await create(entry.sql);
      entry.columns = await columnsOf(connection, model.name);
      this.models[model.name] = entry;
      return { rows: null };
    }
    let plan: IncrementalPlan | undefined;
    if (header.materialized === 'incremental') {
      entry.inputs = await this.inputFingerprints(connection, model);
      plan = await this.incrementalPlan(connection, model, prior, entry.inputs);
    }
    const resolve = plan?.resolve ?? defaultResolve;
    const ranges = model.replaces ? await this.writeReplacedRanges(connection, model, resolve) : undefined;
    const written = await this.writePart(
      connection,
      model,
      compileSql(model, resolve),
      plan?.since !== undefined,
    );
    let part = written.part;
    if (part && plan) part.keyRanges = await writeKeyRanges(connection, this.layout, part, entry.uniqueKey);
    if (ranges) {
      entry.columns = part ? written.columns : prior!.columns;
      part = await this.keepReplacedRanges(
        connection,
        model,
        ranges,
        entry.columns,
        part,
        plan?.since !== undefined,
      );
    }
    if (part && plan?.since && prior!.parts.length > 0)
      part.replaces = await replacedRows(connection, this.layout, part, prior!.parts, entry.uniqueKey);
    entry.parts = [...(plan?.since ? prior!.parts : []), ...(part ? [part] : [])];
    // An incremental model with nothing new and nothing before has no file: its shape comes from the SQL.
    await create(
      withFiles(entry.parts)
        ? modelStateSql(this.layout, entry)
        : `SELECT * FROM (${compileSql(model, resolve)}) LIMIT 0`,
    );
    // A table is its one part; an incremental model's parts may differ in columns.
    entry.columns = plan ? await columnsOf(connection, model.name) : written.columns;
    // Parts that only add rows sum up; once a later part replaced rows, only the model's view
    // knows how many are left.
    entry.rows = entry.parts.slice(1).some((p) => p.replaces !== 0)
      ? Number((await connection.runAndReadAll(`SELECT count(*) FROM ${ident(model.name)}`)).getRows()[0]![0])
      : entry.parts.reduce((sum, p) => sum + p.rows, 0);
    this.models[model.name] = entry;
    const rows = part?.rows ?? 0;
    if (!plan) return { rows };
    return plan.since
      ? { rows, mode: 'incremental', since_load_id: plan.since }
      : { rows, mode: 'full', full_reason: plan.fullReason };
  }

  /**
   * How an incremental model builds this time: from new rows only (`since` = the load after
   * which `source()` reads, and `resolve` for new_rows()), or in full with the reason. Full
   * whenever adding rows could give another result than rebuilding: see docs/models.md.
   */
  private async incrementalPlan(
    connection: DuckDBConnection,
    model: Model,
    prior: BuildModel | undefined,
    inputs: Record<string, string>,
  ): Promise<IncrementalPlan> {
    const full = (fullReason: string): IncrementalPlan => ({ fullReason });
    if (this.options.fullRefresh) return full('--full-refresh');
    if (prior?.materialized !== 'incremental') return full('first incremental build');
    if (prior.uniqueKey.join('\0') !== (model.header.unique_key ?? []).join('\0'))
      return full('unique_key changed');
    // Earlier parts' ranges are read by their columns: a changed `replaces` starts afresh.
    if ((prior.replaces ?? '') !== (model.header.replaces ?? '')) return full('replaces changed');
    const since = prior.parts[prior.parts.length - 1]?.loadId ?? this.previous?.loadId;
    // Building an older load than the model already covers cannot be done by adding rows.
    if (!since || since > this.raw.id) return full(`--as-of a load older than it covers`);
    if (model.histories.length > 0) return full('it reads source_history(), which is read whole');
    for (const [name, fingerprint] of Object.entries(inputs))
      if (prior.inputs?.[name] !== fingerprint) return full(`its input ${name} changed`);
    const sourceResolve = await this.rawResolve(connection, 'new', since);
    const views = new Map<string, string>();
    const view = async (kind: string, name: string, sql: string) => {
      const viewName = `${kind}__${model.name}__${name}`;
      await connection.run(`CREATE OR REPLACE VIEW ${ident(viewName)} AS ${sql}`);
      views.set(`${kind}:${name}`, viewName);
    };
    for (const name of model.deltas) {
      const upstream = this.models[name]!;
      if (upstream.materialized === 'view') {
        // A view of sources only: the same SQL over the new loads' rows.
        await view('new_rows', name, compileSql(this.project.byName.get(name)!, sourceResolve));
        continue;
      }
      const parts = upstream.parts.filter((part) => !prior.builtAt || part.buildId > prior.builtAt);
      // Its oldest part is newer than our last build: it was rebuilt whole since.
      if (!prior.builtAt || (parts.length > 0 && parts[0] === upstream.parts[0]))
        return full(`${name} was rebuilt in full since`);
      await view(
        'new_rows',
        name,
        withFiles(parts)
          ? modelStateSql(this.layout, { ...upstream, parts })
          : `SELECT * FROM ${ident(name)} WHERE false`,
      );
    }
    if (model.previous.length > 0) {
      const then = prior.builtAt ? await readBuildManifest(this.layout, prior.builtAt) : undefined;
      for (const name of model.previous) {
        const target = this.project.byName.get(name)!;
        if (target.header.materialized === 'view') {
          // A view of sources only: its SQL over the raw lake as of the load this model last read.
          await view('previous', name, compileSql(target, await this.rawResolve(connection, 'at', since)));
          continue;
        }
        const entry = then?.models[name];
        if (!entry || entry.materialized === 'view') return full(`no stored ${name} from when it last ran`);
        await view('previous', name, modelStateSql(this.layout, entry));
      }
    }
    const resolve: Resolve = (reference) =>
      reference.kind === 'new_rows' || reference.kind === 'previous'
        ? ident(views.get(`${reference.kind}:${reference.name}`)!)
        : sourceResolve(reference);
    if (model.fullRefreshIf) {
      const condition = compileSql(model.fullRefreshIf, resolve);
      const answer = await connection.runAndReadAll(`SELECT coalesce((${condition}), false)`);
      if (answer.getRows()[0]?.[0] === true) return full('full_refresh_if is true');
    }
    return { since, resolve };
  }

  /**
   * Fingerprints of what an incremental model reads by ref() only (not also by new_rows() or
   * previous(), nor listed in changes_handled: their changes its SQL handles): row count and
   * the sum of row hashes (order-free, duplicates counted), whatever their
   * materialization (an incremental input may re-state rows unchanged). A model whose inputs
   * changed is rebuilt in full.
   */
  private async inputFingerprints(
    connection: DuckDBConnection,
    model: Model,
  ): Promise<Record<string, string>> {
    const fingerprints: Record<string, string> = {};
    const handled = [...model.deltas, ...model.previous, ...(model.header.changes_handled ?? [])];
    for (const name of model.refs) {
      if (handled.includes(name)) continue;
      fingerprints[name] = await this.fingerprintOf(connection, name);
    }
    return fingerprints;
  }

  /** A model's content as built in this build: row count and the sum of row hashes (computed once). */
  private fingerprintOf(connection: DuckDBConnection, name: string): Promise<string> {
    let fingerprint = this.fingerprints.get(name);
    if (!fingerprint) {
      fingerprint = connection
        .runAndReadAll(`SELECT count(*) || '/' || coalesce(sum(hash(t)::HUGEINT), 0) FROM ${ident(name)} t`)
        .then((result) => `rows:${String(result.getRows()[0]?.[0])}`);
      this.fingerprints.set(name, fingerprint);
    }
    return fingerprint;
  }

  /**
   * `source('e')` → the entity in a schema of its own; the rest resolves as usual. `new`: the
   * rows of loads after `since` only (raw_new_<since>); `at`: the entity as it was right after
   * load `since` (raw_at_<since>). An entity with no rows there is empty, with its columns.
   */
  private async rawResolve(
    connection: DuckDBConnection,
    kind: 'new' | 'at',
    since: string,
  ): Promise<Resolve> {
    const name = `raw_${kind}_${since.replace(/\W/g, '_')}`;
    let schema = this.rawSchemas.get(name);
    if (!schema) {
      schema = (async () => {
        let manifest: RawManifest | undefined;
        if (kind === 'at') manifest = await readManifest(this.layout, { asOf: since });
        else {
          manifest = { ...this.raw, entities: {} };
          for (const [entityName, entity] of Object.entries(this.raw.entities)) {
            const partitions = entity.partitions.filter((partition) => partition.loadId > since);
            manifest.entities[entityName] = { ...entity, partitions };
          }
        }
        const run = (sql: string) => connection.run(sql);
        const made = manifest ? await createRawViews(run, this.layout, manifest, name) : [];
        await run(`CREATE SCHEMA IF NOT EXISTS ${ident(name)}`);
        for (const entityName of Object.keys(this.raw.entities))
          if (!made.includes(entityName))
            await run(
              `CREATE OR REPLACE VIEW ${ident(name)}.${ident(entityName)} AS SELECT * FROM raw.${ident(entityName)} WHERE false`,
            );
      })();
      this.rawSchemas.set(name, schema);
    }
    await schema;
    return (reference) =>
      reference.kind === 'source' ? `${ident(name)}.${ident(reference.name)}` : defaultResolve(reference);
  }

  /**
   * The header's `replaces`, run before the model: the rows that name what this build recomputes
   * (the model reads them as replaced('<itself>')) and so takes out of earlier parts beyond their
   * keys, e.g. every stop of a machine from the first one a new event may change, merged away
   * or not. In a full build new_rows() is everything, so they cover every scope.
   */
  private async writeReplacedRanges(
    connection: DuckDBConnection,
    model: Model,
    resolve: Resolve,
  ): Promise<{ file: string; rows: number }> {
    const dir = path.join(this.staging, model.layer, model.name, `build=${this.record.build_id}`);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, '_replaces.parquet');
    const written = await connection.runAndReadAll(
      `COPY (${compileSql(model.replaces!, resolve)}) TO ${sqlString(file)} (FORMAT parquet)`,
    );
    await connection.run(
      `CREATE OR REPLACE VIEW ${ident(replacedRelation(model.name))} AS SELECT * FROM ${partScan(this.layout, [this.layout.relative(file)])}`,
    );
    return { file, rows: Number(written.getRows()[0]?.[0] ?? 0) };
  }

  /**
   * An incremental part keeps its replaced ranges (a part with no rows of its own is kept for
   * them); a full part replaces everything anyway. Their columns must be the model's.
   */
  private async keepReplacedRanges(
    connection: DuckDBConnection,
    model: Model,
    ranges: { file: string; rows: number },
    modelColumns: string[],
    part: BuildPart | undefined,
    incremental: boolean,
  ): Promise<BuildPart | undefined> {
    const columns = await columnsOf(
      connection,
      partScan(this.layout, [this.layout.relative(ranges.file)]),
      false,
    );
    const unknown = columns.filter((column) => !modelColumns.includes(column));
    if (unknown.length > 0 || columns.length === 0)
      throw new LatheError(
        'bad_replaces',
        `replaces of \`${model.name}\` returns ${unknown.map((c) => `\`${c}\``).join(', ') || 'no column'}, not columns of the model`,
        {
          location: { file: model.file, line: model.replaces!.line },
          fix: "return the model's own columns: the scope, then last the column from which on earlier rows are replaced",
        },
      );
    if (!incremental || ranges.rows === 0) {
      await rm(ranges.file, { force: true });
      return part;
    }
    const kept = part ?? { buildId: this.record.build_id, loadId: this.raw.id, files: [], rows: 0 };
    kept.replacedRanges = { file: this.layout.relative(ranges.file), columns };
    return kept;
  }

  /** COPY the model's SELECT straight to Parquet in staging; an empty incremental part writes no file. */
  private async writePart(
    connection: DuckDBConnection,
    model: Model,
    sql: string,
    skipEmpty: boolean,
  ): Promise<{ part: BuildPart | undefined; columns: string[] }> {
    const dir = path.join(this.staging, model.layer, model.name, `build=${this.record.build_id}`);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'part-0.parquet');
    const storable = await storableSql(connection, sql);
    const result = await connection.runAndReadAll(
      `COPY (${storable.sql}) TO ${sqlString(file)} (FORMAT parquet)`,
    );
    const rows = Number(result.getRows()[0]?.[0] ?? 0);
    if (rows === 0 && skipEmpty) {
      // The folder stays for a `replaces` file; staging goes as a whole after the build.
      await rm(file, { force: true });
      return { part: undefined, columns: storable.columns };
    }
    return {
      part: { buildId: this.record.build_id, loadId: this.raw.id, files: [this.layout.relative(file)], rows },
      columns: storable.columns,
    };
  }

  /** The tests declared on a model this build ran (none when it failed or was not selected). */
  private async testModel(model: Model, result: ModelResult | undefined): Promise<TestResult[]> {
    if (!this.selected.has(model.name) || !this.models[model.name] || result?.status === 'failed') return [];
    const cutoff = this.raw.committedAt;
    const entry = this.models[model.name]!;
    const only = await this.newRowsUnderTest(model.name, result);
    const compiled: CompiledTest[] = [];
    const scoped = new Set<CompiledTest>();
    const targets = new Map<CompiledTest, string>();
    for (const test of model.tests) {
      // A relationship to a model this build neither ran nor inherited (a `--select` on a lake
      // without a build yet, or a failed model) cannot be judged.
      if (test.kind === 'relationships' && !this.models[test.to]) continue;
      const whole = compileGenericTest(test, cutoff);
      // The model pointed to, as now: the same as when the test last passed means the earlier
      // rows' references still hold.
      const target =
        test.kind === 'relationships' && entry.materialized === 'incremental'
          ? await this.pool.use((connection) => this.fingerprintOf(connection, test.to), 'later')
          : undefined;
      // Row tests (compiled with `row`), uniqueness over columns that include the key later
      // rows replace earlier ones by, or references to an unchanged model.
      const judgesRows =
        whole.row !== undefined ||
        (test.kind === 'unique' && entry.uniqueKey.every((k) => test.columns.includes(k))) ||
        (target !== undefined && only?.passed.get(test.name)?.target_fingerprint === target);
      const compiledTest =
        only && judgesRows && only.passed.has(test.name)
          ? compileGenericTest(test, cutoff, only.relation)
          : whole;
      if (compiledTest !== whole) scoped.add(compiledTest);
      if (target !== undefined) targets.set(compiledTest, target);
      compiled.push(compiledTest);
    }
    const results = await this.runCompiled(compiled);
    return results.map((r, index) => {
      const test = compiled[index]!;
      const target = targets.get(test);
      return {
        ...r,
        ...(scoped.has(test) ? { scope: 'new_rows' as const } : {}),
        ...(target !== undefined ? { target_fingerprint: target } : {}),
      };
    });
  }

  /** A singular test whose models this build has, when it ran at least one of them. */
  private async singularTest(test: SingularTest): Promise<TestResult[]> {
    const reads = test.refs.every((ref) => this.models[ref]);
    const touches = test.refs.length === 0 || test.refs.some((ref) => this.selected.has(ref));
    if (!reads || !touches) return [];
    if (test.references.some((r) => r.kind === 'source_history'))
      await this.pool.use((connection) => this.ensureHistoryViews(connection), 'later');
    return this.runCompiled([compileSingularTest(test)]);
  }

  /** Row tests of one relation go together (one scan), and a model's other tests together (one statement). */
  private async runCompiled(compiled: CompiledTest[]): Promise<TestResult[]> {
    const groups = new Map<string, CompiledTest[]>();
    for (const test of compiled) {
      const key = test.row ? `row:${test.row.table}` : 'queries';
      groups.set(key, [...(groups.get(key) ?? []), test]);
    }
    const byTest = new Map<CompiledTest, TestResult>();
    await Promise.all(
      [...groups.values()].map((group) =>
        this.pool.use(async (connection) => {
          const results = await runTests(connection, group, (result) =>
            this.options.onProgress?.({
              kind: 'test',
              name: result.name,
              status: result.status,
              done: this.done,
              total: this.total,
            }),
          );
          for (const [index, test] of group.entries()) byTest.set(test, results[index]!);
        }, 'later'),
      ),
    );
    return compiled.map((test) => byTest.get(test)!);
  }

  /**
   * A model built from new rows this time: a view of just those rows and the tests that passed
   * when the model last ran. A test that judges rows one by one (not_null, accepted_values,
   * expression), or uniqueness over columns that include the unique_key (later rows replace
   * earlier ones by that key, so no new row can repeat an old one), then needs only the new
   * rows: on a 15 M-row mart that is seconds per build.
   */
  private async newRowsUnderTest(
    name: string,
    result: ModelResult | undefined,
  ): Promise<{ relation: string; passed: Map<string, TestResult> } | undefined> {
    if (result?.status !== 'built' || result.mode !== 'incremental') return undefined;
    const builtAt = this.previous?.models[name]?.builtAt;
    const then = builtAt ? await new FileBuildStore(this.layout).get(builtAt) : undefined;
    if (!then) return undefined;
    const passed = new Map(
      then.tests
        .filter((test) => test.model === name && test.status === 'pass')
        .map((test) => [test.name, test] as const),
    );
    const entry = this.models[name]!;
    const part = entry.parts.find((p) => p.buildId === this.record.build_id);
    const relation = `new_rows_of__${name}`;
    await this.pool.use(
      (connection) =>
        connection.run(
          `CREATE OR REPLACE VIEW ${ident(relation)} AS ${
            part && withFiles([part])
              ? modelStateSql(this.layout, { ...entry, parts: [part] })
              : `SELECT * FROM ${ident(name)} WHERE false`
          }`,
        ),
      'later',
    );
    return { relation, passed };
  }

  /** A table model that built 0 rows where the previous build had rows: a warning. */
  private vanishedRows(): TestResult[] {
    const results: TestResult[] = [];
    for (const result of this.record.models) {
      if (result.status !== 'built' || result.rows === null || result.mode === 'incremental') continue;
      const before = this.previous?.models[result.name]?.rows;
      if (!before) continue;
      results.push({
        name: 'rows_not_vanished',
        model: result.name,
        kind: 'rows_vanished',
        severity: 'warn',
        status: result.rows === 0 ? 'fail' : 'pass',
        failing_rows: 0,
        sample: [],
        ...(result.rows === 0
          ? {
              message: `built 0 rows; build ${this.previous!.id} had ${before}: check the loads and the model's filters`,
            }
          : {}),
        seconds: 0,
      });
    }
    return results;
  }
}

function blockingError(blocking: TestResult[], previous: BuildManifest | undefined): ProblemRecord {
  const first = blocking[0]!;
  const what =
    first.status === 'error'
      ? `${first.message}`
      : `${first.failing_rows} failing row${first.failing_rows === 1 ? '' : 's'}`;
  const more =
    blocking.length > 1
      ? ` (and ${blocking.length - 1} more error test${blocking.length > 2 ? 's' : ''})`
      : '';
  return {
    code: 'test_failed',
    message: `build not published: error test \`${first.name}\` on \`${first.model}\` failed: ${what}${more}; ${previous ? `build ${previous.id} stays current` : 'no build is current yet'}`,
    fix: `see the failing rows (lathe dq --model ${first.model.split(',')[0]}), fix the model or the data and build again; a check that should only warn takes severity: warn`,
  };
}

/**
 * Rows of a new incremental part whose key an earlier part has: paid once when the part is
 * written, so that every read of a part that only adds rows skips its anti join (on the
 * 10 M-row sensor fact, most of a read's cost).
 */
async function replacedRows(
  connection: DuckDBConnection,
  layout: LakeLayout,
  part: BuildPart,
  earlier: BuildPart[],
  uniqueKey: string[],
): Promise<number> {
  const files = earlier.flatMap((p) => p.files);
  if (files.length === 0) return 0;
  const inRanges = part.replacedRanges
    ? Number(
        (
          await connection.runAndReadAll(
            `SELECT count(*) FROM ${partScan(layout, files)} t ${rangeJoin(layout, { columns: part.replacedRanges.columns, files: [part.replacedRanges.file] }, 'r', 'SEMI')}`,
          )
        ).getRows()[0]?.[0] ?? 0,
      )
    : 0;
  if (part.files.length === 0 || !(await mayReplace(connection, layout, part, earlier))) return inRanges;
  const keys = uniqueKey.map(ident);
  const on = keys.map((key) => `n.${key} = o.${key}`).join(' AND ');
  const result = await connection.runAndReadAll(
    `SELECT count(*) FROM ${partScan(layout, part.files)} n SEMI JOIN (SELECT ${keys.join(', ')} FROM ${partScan(layout, files)}) o ON ${on}`,
  );
  return inRanges + Number(result.getRows()[0]?.[0] ?? 0);
}

/**
 * Whether some of these parts hold rows (a part may only take rows out): else read them as the
 * model's view with no rows, which keeps the columns' types (a part-less state has NULL columns).
 */
function withFiles(parts: BuildPart[]): boolean {
  return parts.some((part) => part.files.length > 0);
}

/**
 * DuckDB writes HUGEINT, what sum() of integers gives, to Parquet as DOUBLE: summed unit counts
 * would read back as 1234.0 in every engine. Such columns (nested ones too) are cast to BIGINT
 * (UHUGEINT to UBIGINT) before the write; a sum beyond 64 bits then fails its model loudly
 * instead of losing digits, and a model that needs one casts it to DECIMAL itself.
 */
async function storableSql(
  connection: DuckDBConnection,
  sql: string,
): Promise<{ sql: string; columns: string[] }> {
  const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM (\n${sql}\n)`)).getRows();
  const columns = described.map(([name]) => String(name));
  const casts = described.flatMap(([name, type]) =>
    /\bU?HUGEINT\b/.test(String(type))
      ? [
          `CAST(${ident(String(name))} AS ${String(type).replace(/\b(U?)HUGEINT\b/g, '$1BIGINT')}) AS ${ident(String(name))}`,
        ]
      : [],
  );
  return {
    sql: casts.length === 0 ? sql : `SELECT * REPLACE (${casts.join(', ')}) FROM (\n${sql}\n)`,
    columns,
  };
}

async function columnsOf(connection: DuckDBConnection, relation: string, quote = true): Promise<string[]> {
  const result = await connection.runAndReadAll(
    `DESCRIBE ${quote ? ident(relation) : `SELECT * FROM ${relation}`}`,
  );
  return result.getRows().map((row) => String(row[0]));
}

/** Moves the staged partitions into the lake, rewrites their paths, then makes the build current. */
async function publish(
  layout: LakeLayout,
  staging: string,
  manifest: BuildManifest,
  buildId: string,
): Promise<void> {
  const stagedPrefix = `${layout.relative(staging)}/`;
  for (const [name, model] of Object.entries(manifest.models)) {
    const part = model.parts.find((p) => p.buildId === buildId);
    if (!part) continue;
    const target = layout.modelPartition(model.layer, name, buildId);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(path.join(staging, model.layer, name, `build=${buildId}`), target);
    const unstaged = (file: string) =>
      file.startsWith(stagedPrefix) ? file.slice(stagedPrefix.length) : file;
    part.files = part.files.map(unstaged);
    if (part.keyRanges) part.keyRanges = unstaged(part.keyRanges);
    if (part.replacedRanges) part.replacedRanges.file = unstaged(part.replacedRanges.file);
  }
  await publishBuildManifest(layout, manifest);
}

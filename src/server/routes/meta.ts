/**
 * The lake's own records: loads with their audit, quarantined rows with their reasons, builds
 * with their test results, and the lineage graph of `lathe docs`. These answer without a
 * warehouse build (a lake with loads only still has loads to show).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { factorySource } from '../../contract/factory.js';
import { lineageOf } from '../../docs/lineage.js';
import { sqlString } from '../../lake/duckdb.js';
import { readCurrentId } from '../../lake/manifest.js';
import type { QuarantinedRow } from '../../lake/quarantine.js';
import { FileLoadStore } from '../../meta/load-store.js';
import { unknownIdError } from '../../metrics/known-ids.js';
import { loadProject } from '../../models/project.js';
import { FileBuildStore } from '../../models/records.js';
import type { LatheError } from '../../util/errors.js';
import type { ServerContext } from '../context.js';
import { id, limit, list, OFFSET, query } from '../schemas.js';

function unknown(
  code: string,
  what: string,
  value: string,
  known: string[],
  fix: string,
  field?: string,
): LatheError {
  return unknownIdError({ code, field: what, value, known, place: 'this lake', fix, parameter: field });
}

export function registerMetaRoutes(app: FastifyInstance, context: ServerContext): void {
  const { state } = context;
  const loads = new FileLoadStore(state.layout.loadsDir());
  const builds = new FileBuildStore(state.layout);
  const entities = factorySource().entities.map((entity) => entity.name);

  app.get(
    '/api/loads',
    {
      config: { cache: 'meta' },
      schema: {
        summary: 'Every load, newest first, with rows read, loaded and quarantined',
        tags: ['lake'],
        querystring: query({}),
        response: { 200: list({ current_load_id: { type: ['string', 'null'] } }) },
      },
    },
    async () => {
      const current = (await readCurrentId(state.layout, 'raw')) ?? null;
      const items = (await loads.list()).reverse().map((load) => ({
        load_id: load.load_id,
        status: load.status,
        source: load.source,
        started_at: load.started_at,
        finished_at: load.finished_at,
        duration_ms: load.duration_ms,
        rows_read: load.rows_read,
        rows_loaded: load.rows_loaded,
        rows_quarantined: load.rows_quarantined,
        bytes: load.bytes,
        error: load.error,
        current: load.load_id === current,
      }));
      return { build_id: (await state.currentBuildId()) ?? null, current_load_id: current, items };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/loads/:id',
    {
      config: { cache: 'meta' },
      schema: {
        summary: 'One load: its files, entities, quarantine counts per reason',
        tags: ['lake'],
        params: {
          type: 'object',
          properties: { id: id('20261123T104512345Z-7f3a', 'load') },
          required: ['id'],
        },
        querystring: query({}),
      },
    },
    async (request) => {
      const record = await loads.get(request.params.id);
      if (!record) {
        const ids = (await loads.list()).map((load) => load.load_id);
        throw unknown('unknown_load', 'load', request.params.id, ids, 'pick a load id from /api/loads');
      }
      const current = await readCurrentId(state.layout, 'raw');
      return { ...record, current: record.load_id === current };
    },
  );

  app.get<{ Querystring: { load?: string; entity?: string; limit: number; offset: number } }>(
    '/api/quarantine',
    {
      config: { cache: 'meta' },
      schema: {
        summary: 'Rows that did not load: file, line, the record as written and every reason',
        tags: ['lake'],
        querystring: query({
          load: id('20261123T104512345Z-7f3a', 'load'),
          entity: {
            type: 'string',
            minLength: 1,
            maxLength: 64,
            description: `an entity (${entities.join(', ')})`,
            examples: ['defects'],
          },
          limit: limit(50, 1000),
          offset: OFFSET,
        }),
        response: {
          200: list({ total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } }),
        },
      },
    },
    async (request) => {
      const { load, entity, limit: rows, offset } = request.query;
      if (entity !== undefined && !entities.includes(entity))
        throw unknown(
          'unknown_entity',
          'entity',
          entity,
          entities,
          `use one of: ${entities.join(', ')}`,
          'entity',
        );
      if (load !== undefined && !(await loads.get(load))) {
        const ids = (await loads.list()).map((record) => record.load_id);
        throw unknown('unknown_load', 'load', load, ids, 'pick a load id from /api/loads', 'load');
      }
      const files = await quarantineFiles(state.layout.root, { load, entity });
      const base = { build_id: (await state.currentBuildId()) ?? null, limit: rows, offset };
      if (files.length === 0) return { ...base, total: 0, items: [] };
      return state.withReader(undefined, async (reader) => {
        const scan = `read_parquet([${files.map(sqlString).join(', ')}])`;
        const total = Number(await reader.db.scalar<bigint>(`select count(*) from ${scan}`));
        const items = await reader.db.json<QuarantinedRow>(
          `select load_id, entity, file, line, record, reasons from ${scan}
           order by load_id, entity, file, line limit ${Math.floor(rows)} offset ${Math.floor(offset)}`,
        );
        return { ...base, total, items: items.map((row) => ({ ...row, line: Number(row.line) })) };
      });
    },
  );

  app.get(
    '/api/builds',
    {
      config: { cache: 'meta' },
      schema: {
        summary: 'Every build, newest first, with test counts',
        tags: ['warehouse'],
        querystring: query({}),
        response: { 200: list({ current_build_id: { type: ['string', 'null'] } }) },
      },
    },
    async () => {
      const current = (await state.currentBuildId()) ?? null;
      const items = (await builds.list()).reverse().map((build) => ({
        build_id: build.build_id,
        load_id: build.load_id,
        status: build.status,
        select: build.select,
        started_at: build.started_at,
        finished_at: build.finished_at,
        duration_ms: build.duration_ms,
        models: build.models.length,
        tests: {
          pass: build.tests.filter((test) => test.status === 'pass').length,
          fail: build.tests.filter((test) => test.status === 'fail' && test.severity === 'error').length,
          warn: build.tests.filter((test) => test.status === 'fail' && test.severity === 'warn').length,
          error: build.tests.filter((test) => test.status === 'error').length,
        },
        error: build.error,
        current: build.build_id === current,
      }));
      return { build_id: current, current_build_id: current, items };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/builds/:id/tests',
    {
      config: { cache: 'meta' },
      schema: {
        summary: "A build's data-quality test results",
        tags: ['warehouse'],
        params: {
          type: 'object',
          properties: { id: id('20261123T104512345Z-7f3a', 'build') },
          required: ['id'],
        },
        querystring: query({}),
        response: { 200: list({ status: { type: 'string' } }) },
      },
    },
    async (request) => {
      const record = await builds.get(request.params.id);
      if (!record) {
        const ids = (await builds.list()).map((build) => build.build_id);
        throw unknown('unknown_build', 'build', request.params.id, ids, 'pick a build id from /api/builds');
      }
      return { build_id: record.build_id, status: record.status, items: record.tests };
    },
  );

  app.get(
    '/api/lineage',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'The lineage graph: source entities and models, reads as edges (as lathe docs draws it)',
        tags: ['warehouse'],
        querystring: query({}),
      },
    },
    async () => {
      const project = await loadProject(context.modelsDir);
      return lineageOf({
        sources: entities,
        models: project.models.map((model) => ({
          ...model,
          sources: [...new Set([...model.sources, ...model.histories])],
        })),
      });
    },
  );
}

/** The quarantine's part files, by entity and load folder (the folder names are Lathe's own). */
async function quarantineFiles(root: string, filter: { load?: string; entity?: string }): Promise<string[]> {
  const base = path.join(root, 'quarantine');
  const files: string[] = [];
  for (const entity of (await readdir(base).catch(() => [] as string[])).sort()) {
    if (filter.entity && entity !== filter.entity) continue;
    for (const partition of (await readdir(path.join(base, entity)).catch(() => [] as string[])).sort()) {
      if (filter.load && partition !== `load=${filter.load}`) continue;
      files.push(path.join(base, entity, partition, 'part-0.parquet'));
    }
  }
  return files;
}

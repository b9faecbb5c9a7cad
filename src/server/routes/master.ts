/** Plants, lines, machines, products and sensors of the current build's dimensions (current versions). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { id, list, query } from '../schemas.js';
import { checkIds, Filters, placeChecks } from '../sql.js';

const SCD2_COLUMNS = 'valid_from, valid_to, is_current, version, first_load_id';

export function registerMasterRoutes(app: FastifyInstance, context: ServerContext): void {
  const { state } = context;

  app.get(
    '/api/plants',
    {
      config: { cache: 'build' },
      schema: { summary: 'Plants', tags: ['master data'], querystring: query({}), response: { 200: list() } },
    },
    async () =>
      state.withBuild(undefined, async (reader) => ({
        build_id: reader.build!.id,
        items: await reader.db.json('select * from dim_plant order by plant_id'),
      })),
  );

  app.get<{ Querystring: { plant?: string } }>(
    '/api/lines',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'Lines, optionally of one plant',
        tags: ['master data'],
        querystring: query({ plant: id('P1', 'plant') }),
        response: { 200: list() },
      },
    },
    async (request) =>
      state.withBuild(undefined, async (reader) => {
        const filters = new Filters().equal('plant_id', request.query.plant);
        const items = await reader.db.json(
          `select * from dim_line ${filters.where()} order by plant_id, line_id`,
          filters.params,
        );
        if (!items.length) await checkIds(reader, placeChecks({ plant: request.query.plant }));
        return { build_id: reader.build!.id, items };
      }),
  );

  app.get<{ Querystring: { plant?: string; line?: string } }>(
    '/api/machines',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'Machines (current master data), optionally of one plant or line',
        tags: ['master data'],
        querystring: query({ plant: id('P1', 'plant'), line: id('P1-L1', 'line') }),
        response: { 200: list() },
      },
    },
    async (request) =>
      state.withBuild(undefined, async (reader) => {
        const filters = new Filters()
          .add('is_current')
          .equal('plant_id', request.query.plant)
          .equal('line_id', request.query.line);
        const items = await reader.db.json(
          `select * exclude (machine_key, ${SCD2_COLUMNS}) from dim_machine ${filters.where()}
           order by plant_id, line_id, line_position, machine_id`,
          filters.params,
        );
        if (!items.length)
          await checkIds(reader, placeChecks({ plant: request.query.plant, line: request.query.line }));
        return { build_id: reader.build!.id, items };
      }),
  );

  app.get(
    '/api/products',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'Products (current master data)',
        tags: ['master data'],
        querystring: query({}),
        response: { 200: list() },
      },
    },
    async () =>
      state.withBuild(undefined, async (reader) => ({
        build_id: reader.build!.id,
        items: await reader.db.json(
          `select * exclude (product_key, ${SCD2_COLUMNS}) from dim_product where is_current order by product_id`,
        ),
      })),
  );

  app.get<{ Querystring: { machine?: string } }>(
    '/api/sensors',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'Sensors per machine with their specification and control-limit status',
        tags: ['process'],
        querystring: query({ machine: id('P1-L1-M1', 'machine') }),
        response: { 200: list() },
      },
    },
    async (request) =>
      state.withBuild(undefined, async (reader) => {
        const filters = new Filters().equal('machine_id', request.query.machine);
        const items = await reader.db.json(
          `select machine_id, sensor, s.unit, s.lsl, s.usl, s.target, l.limits_status
           from stg_sensor_specs s full join mart_spc_limits l using (machine_id, sensor)
           ${filters.where()} order by machine_id, sensor`,
          filters.params,
        );
        if (!items.length) await checkIds(reader, placeChecks({ machine: request.query.machine }));
        return { build_id: reader.build!.id, items };
      }),
  );
}

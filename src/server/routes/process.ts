/**
 * Control charts and capability from the marts: the I-MR series of one machine and sensor
 * with mart_spc_limits' limits and mart_spc_violations' rule breaks, and mart_capability.
 */
import type { FastifyInstance } from 'fastify';
import { sqlString } from '../../lake/duckdb.js';
import type { LakeReader } from '../../lake/reader.js';
import { checkDate } from '../../metrics/request.js';
import { LatheError } from '../../util/errors.js';
import type { ServerContext } from '../context.js';
import { DAY, id, limit, list, MONTH, PLACE, query } from '../schemas.js';
import { checkIds, Filters, placeChecks } from '../sql.js';

interface SpcQuery {
  from?: string;
  to?: string;
  limit: number;
}

/** from/to as production days, checked for real dates and order (the metrics layer's rules). */
export function dayRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined) checkDate(from, 'from');
  if (to !== undefined) checkDate(to, 'to');
  if (from && to && from > to)
    throw new LatheError('bad_date', `from ${from} is after to ${to}`, {
      fix: 'give from on or before to (both inclusive)',
      exitCode: 2,
      location: { field: 'from' },
    });
}

async function checkMachineSensor(reader: LakeReader, machine: string, sensor: string): Promise<void> {
  await checkIds(reader, [
    { field: 'machine', value: machine, table: 'dim_machine', column: 'machine_id', code: 'unknown_machine' },
  ]);
  const literal = sqlString(machine);
  const sensors = `(select sensor from stg_sensor_specs where machine_id = ${literal}
    union select sensor from mart_spc_limits where machine_id = ${literal}) as sensors`;
  await checkIds(reader, [
    { field: 'sensor', value: sensor, table: sensors, column: 'sensor', code: 'unknown_sensor' },
  ]);
}

export function registerProcessRoutes(app: FastifyInstance, context: ServerContext): void {
  const { state } = context;

  app.get<{ Params: { machine: string; sensor: string }; Querystring: SpcQuery }>(
    '/api/spc/:machine/:sensor',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'I-MR control chart: good readings, moving ranges, limits and Western Electric violations',
        tags: ['process'],
        params: {
          type: 'object',
          properties: { machine: id('P1-L1-M1', 'machine'), sensor: id('spindle_temp_c', 'sensor') },
          required: ['machine', 'sensor'],
        },
        querystring: query({ from: DAY, to: DAY, limit: limit(5000, 50_000) }),
      },
    },
    async (request) => {
      const { machine, sensor } = request.params;
      const { from, to, limit: points } = request.query;
      dayRange(from, to);
      return state.withBuild(undefined, async (reader) => {
        const [limits] = await reader.db.json(
          'select * exclude (plant_id, line_id, machine_id, sensor) from mart_spc_limits where machine_id = $1 and sensor = $2',
          [machine, sensor],
        );
        // Days are the plant-local days of the machine's plant.
        const range = new Filters();
        range.param(machine);
        range.param(sensor);
        const zone = `(select p.timezone from dim_machine m join dim_plant p using (plant_id)
          where m.machine_id = $1 and m.is_current)`;
        if (from) range.add(`ts >= timezone(${zone}, cast(${range.param(from)} as date)::timestamp)`);
        if (to) range.add(`ts < timezone(${zone}, (cast(${range.param(to)} as date) + 1)::timestamp)`);
        const readings = await reader.db.json(
          `with good as (
             select ts, cast(value as double) as value,
               abs(cast(value as double) - lag(cast(value as double)) over (order by ts)) as mr
             from fact_sensor_reading
             where machine_id = $1 and sensor = $2 and coalesce(quality, 'good') = 'good'
           )
           select ts, value, mr,
             coalesce(ts <= (select baseline_end_ts from mart_spc_limits where machine_id = $1 and sensor = $2), false) as baseline
           from good ${range.where()}
           order by ts desc limit ${Math.floor(points) + 1}`,
          range.params,
        );
        if (!readings.length && !limits) await checkMachineSensor(reader, machine, sensor);
        const truncated = readings.length > points;
        const violations = await reader.db.json(
          `select ts, value, rule, rule_name, side, point_count, point_ts from mart_spc_violations
           where machine_id = $1 and sensor = $2 ${range.conditions.map((condition) => `and ${condition}`).join(' ')}
           order by ts, rule, side`,
          range.params,
        );
        return {
          build_id: reader.build!.id,
          machine_id: machine,
          sensor,
          limits: limits ?? null,
          points: readings.slice(0, points).reverse(),
          violations,
          truncated,
        };
      });
    },
  );

  app.get<{
    Querystring: { plant?: string; line?: string; machine?: string; sensor?: string; month?: string };
  }>(
    '/api/capability',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'Process capability (Cp, Cpk, Pp, Ppk) per machine, sensor and month (mart_capability)',
        tags: ['process'],
        querystring: query({
          ...PLACE,
          sensor: id('spindle_temp_c', 'sensor'),
          month: MONTH,
        }),
        response: { 200: list() },
      },
    },
    async (request) => {
      const { plant, line, machine, sensor, month } = request.query;
      return state.withBuild(undefined, async (reader) => {
        const filters = new Filters()
          .equal('plant_id', plant)
          .equal('line_id', line)
          .equal('machine_id', machine)
          .equal('sensor', sensor);
        if (month) filters.add(`month_start = cast(${filters.param(`${month}-01`)} as date)`);
        const items = await reader.db.json(
          `select * from mart_capability ${filters.where()} order by machine_id, sensor, month_start`,
          filters.params,
        );
        if (!items.length)
          await checkIds(reader, [
            ...placeChecks({ plant, line, machine }),
            { field: 'sensor', value: sensor, table: 'mart_capability', column: 'sensor' },
          ]);
        return { build_id: reader.build!.id, items };
      });
    },
  );
}

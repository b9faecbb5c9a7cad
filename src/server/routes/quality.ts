/**
 * Defect Pareto (mart_defect_pareto), reliability (the metrics layer's `reliability` KPI per
 * machine, the failures and their degradation signatures) and delivery (the OTIF marts).
 */
import type { FastifyInstance } from 'fastify';
import { queryKpi } from '../../metrics/index.js';
import { LatheError } from '../../util/errors.js';
import type { ServerContext } from '../context.js';
import { DAY, id, list, MONTH, PLACE, type PlaceQuery, query } from '../schemas.js';
import { checkIds, Filters, placeChecks } from '../sql.js';
import { dayRange } from './process.js';

/** The mart's columns for each ranking; the choice is the route's, never pasted from the request. */
const PARETO_COLUMNS = {
  quantity: { rank: 'quantity_rank', share: 'quantity_share', cumulative: 'cumulative_quantity_share' },
  cost: { rank: 'cost_rank', share: 'cost_share', cumulative: 'cumulative_cost_share' },
} as const;

export function registerQualityRoutes(app: FastifyInstance, context: ServerContext): void {
  const { state } = context;

  app.get<{ Querystring: { plant?: string; month?: string; by: 'quantity' | 'cost' } }>(
    '/api/pareto',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'Defect Pareto per plant and month, ranked by quantity or cost (mart_defect_pareto)',
        tags: ['quality'],
        querystring: query({
          plant: id('P1', 'plant'),
          month: MONTH,
          by: { type: 'string', enum: ['quantity', 'cost'], default: 'quantity' },
        }),
        response: { 200: list({ by: { type: 'string' }, month: { type: ['string', 'null'] } }) },
      },
    },
    async (request) => {
      const { plant, by } = request.query;
      const columns = PARETO_COLUMNS[by];
      return state.withBuild(undefined, async (reader) => {
        const place = new Filters().equal('plant_id', plant);
        const month =
          request.query.month ??
          (await reader.db.scalar<string | null>(
            `select strftime(max(month_start), '%Y-%m') from mart_defect_pareto ${place.where()}`,
            place.params,
          )) ??
          null;
        const filters = new Filters().equal('plant_id', plant);
        if (month) filters.add(`month_start = cast(${filters.param(`${month}-01`)} as date)`);
        const items = month
          ? await reader.db.json(
              `select plant_id, strftime(month_start, '%Y-%m') as month, defect_code, description, category,
                 quantity, cost, currency, ${columns.rank} as rank, ${columns.share} as share,
                 ${columns.cumulative} as cumulative_share
               from mart_defect_pareto ${filters.where()} order by plant_id, rank`,
              filters.params,
            )
          : [];
        if (!items.length) await checkIds(reader, placeChecks({ plant }));
        return { build_id: reader.build!.id, by, month, items };
      });
    },
  );

  const placeQuery = query({ ...PLACE, from: DAY, to: DAY });

  app.get<{ Querystring: PlaceQuery }>(
    '/api/reliability',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'MTBF, MTTR per machine (metrics layer), failures and their degradation signatures',
        tags: ['reliability'],
        querystring: placeQuery,
      },
    },
    async (request) => {
      const { plant, line, machine, from, to } = request.query;
      dayRange(from, to);
      const where: Record<string, string> = {};
      if (plant) where.plant = plant;
      if (line) where.line = line;
      if (machine) where.machine = machine;
      return state.withBuild(undefined, async (reader) => {
        const machines = await queryKpi(reader, {
          kpi: 'reliability',
          by: ['machine'],
          where,
          from,
          to,
        }).catch(async (error: unknown) => {
          // The layer names the filter `where`; here each id is its own parameter.
          if (error instanceof LatheError && error.code === 'unknown_value')
            await checkIds(reader, placeChecks({ plant, line, machine }));
          throw error;
        });
        const filters = new Filters()
          .add('s.is_failure')
          .equal('m.plant_id', plant)
          .equal('m.line_id', line)
          .equal('s.machine_id', machine);
        const bounds: string[] = [];
        if (from) bounds.push(`production_date >= cast(${filters.param(from)} as date)`);
        if (to) bounds.push(`production_date <= cast(${filters.param(to)} as date)`);
        const failuresSql = `select s.machine_id, s.stop_id,
             min(s.merged_stop_start_ts) as failure_start_ts,
             max(s.segment_end_ts) as failure_end_ts,
             sum(s.failure_repair_s) as repair_s,
             min(d.production_date) filter (where s.is_failure_start) as production_date
           from fact_stop_segment s
           join dim_shift d using (shift_id)
           join dim_machine m on m.machine_id = s.machine_id and m.is_current
           ${filters.where()}
           group by s.machine_id, s.stop_id
           ${bounds.length ? `having ${bounds.join(' and ')}` : ''}`;
        const failures = await reader.db.json(
          `${failuresSql} order by failure_start_ts, machine_id`,
          filters.params,
        );
        const signatures = failures.length
          ? await reader.db.json(
              `select machine_id, stop_id, failure_start_ts, sensor, readings, mean, slope_per_h,
                 z_mean, z_slope, signature_score, signature_rank
               from mart_degradation_signature semi join (${failuresSql}) f using (machine_id, stop_id)
               order by failure_start_ts, machine_id, signature_rank nulls last, sensor`,
              filters.params,
            )
          : [];
        return { build_id: reader.build!.id, machines: machines.rows, failures, signatures };
      });
    },
  );

  app.get<{ Querystring: Omit<PlaceQuery, 'machine'> }>(
    '/api/delivery',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'On time in full: per line and ISO week of the due date, and per order (delivery marts)',
        tags: ['delivery'],
        querystring: query({ plant: PLACE.plant, line: PLACE.line, from: DAY, to: DAY }),
      },
    },
    async (request) => {
      const { plant, line, from, to } = request.query;
      dayRange(from, to);
      return state.withBuild(undefined, async (reader) => {
        const orders = new Filters().equal('plant_id', plant).equal('line_id', line);
        orders.days('due_date', from, to);
        const orderRows = await reader.db.json(
          `select * from mart_delivery_order ${orders.where()} order by due_date, order_id`,
          orders.params,
        );
        const weeks = new Filters().equal('plant_id', plant).equal('line_id', line);
        // A week is in the range when its Monday..Sunday overlaps it.
        if (from) weeks.add(`week_start + 6 >= cast(${weeks.param(from)} as date)`);
        if (to) weeks.add(`week_start <= cast(${weeks.param(to)} as date)`);
        const weekRows = await reader.db.json(
          `select * from mart_otif_line_week ${weeks.where()} order by week_start, line_id`,
          weeks.params,
        );
        if (!orderRows.length && !weekRows.length) await checkIds(reader, placeChecks({ plant, line }));
        const sum = (name: string) => weekRows.reduce((total, row) => total + Number(row[name] ?? 0), 0);
        return {
          build_id: reader.build!.id,
          weeks: weekRows,
          orders: orderRows,
          totals: {
            orders: sum('orders'),
            in_full_orders: sum('in_full_orders'),
            on_time_orders: sum('on_time_orders'),
            otif_orders: sum('otif_orders'),
          },
        };
      });
    },
  );
}

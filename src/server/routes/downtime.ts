/**
 * The top downtime reasons (the Losses page): stop time of fact_stop_segment per reason,
 * planned and unplanned, in the production days of the segments' shifts, longest first.
 * Seconds are the segments' as they count in the cells (clipped, split, planned overlap removed).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { DAY, limit, list, PLACE, type PlaceQuery, query } from '../schemas.js';
import { checkIds, Filters, placeChecks } from '../sql.js';
import { dayRange } from './process.js';

const REASON_EXAMPLE = {
  reason: 'SETUP-CHG',
  description: 'Product changeover',
  loss_category: 'setup',
  planned: false,
  stops: 17,
  duration_s: 24021,
};

export function registerDowntimeRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get<{ Querystring: PlaceQuery & { limit: number } }>(
    '/api/downtime',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'Top downtime reasons, planned and unplanned: stops and stop time per reason, longest first',
        tags: ['losses'],
        querystring: query({ ...PLACE, from: DAY, to: DAY, limit: limit(50, 1000) }),
        response: { 200: { ...list(), examples: [{ items: [REASON_EXAMPLE] }] } },
      },
    },
    async (request) => {
      const { plant, line, machine, from, to, limit: reasons } = request.query;
      dayRange(from, to);
      return context.state.withBuild(undefined, async (reader) => {
        const filters = new Filters().equal('s.plant_id', plant);
        // A machine's line is that of its current version, as in the KPIs' cells.
        if (line !== undefined)
          filters.add(
            `s.machine_id in (select machine_id from dim_machine where is_current and line_id = ${filters.param(line)})`,
          );
        filters.equal('s.machine_id', machine).days('d.production_date', from, to);
        const items = await reader.db.json(
          `select s.reason_code as reason, r.description, r.loss_category, r.planned,
             -- a merged stop split over shifts (or cut by planned time) is one stop
             count(distinct (s.machine_id, s.merged_stop_start_ts, s.stop_kind)) as stops,
             sum(s.duration_s) as duration_s
           from fact_stop_segment s
           join dim_shift d on d.shift_id = s.shift_id
           left join dim_downtime_reason r on r.reason_code = s.reason_code
           ${filters.where()}
           group by s.reason_code, r.description, r.loss_category, r.planned
           order by duration_s desc, reason nulls last
           limit ${Math.floor(reasons)}`,
          filters.params,
        );
        if (!items.length) await checkIds(reader, placeChecks({ plant, line, machine }));
        return { build_id: reader.build!.id, items };
      });
    },
  );
}

/**
 * KPIs through the metrics layer only: the catalogue, the dimensions, and any KPI at any
 * grain and filter. The request is checked by the layer's own checkRequest (declared names,
 * did-you-mean) before a reader is touched; the rows are queryKpi's as they come.
 */
import type { FastifyInstance } from 'fastify';
import { DIMENSION_NAMES, DIMENSIONS } from '../../metrics/dimensions.js';
import { compileKpi, type KpiRequest, runKpi } from '../../metrics/index.js';
import { KPI_NAMES, KPIS } from '../../metrics/kpis.js';
import type { ServerContext } from '../context.js';
import { AS_OF, DAY, query } from '../schemas.js';

interface KpiQuery {
  by?: string;
  where?: string[];
  from?: string;
  to?: string;
  as_of?: string;
}

/** `plant:P1,line:L1` (or `plant=P1`, repeated or comma-separated) as the layer's `plant=P1,line=L1`. */
export function whereText(where: readonly string[] | undefined): string | undefined {
  if (!where?.length) return undefined;
  return where
    .flatMap((part) => part.split(','))
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const at = pair.search(/[:=]/);
      return at < 0 ? pair : `${pair.slice(0, at)}=${pair.slice(at + 1)}`;
    })
    .join(',');
}

const KPI_ROW_EXAMPLE = { line_id: 'P1-L1', day: '2026-03-02', availability: 0.9, oee: 0.78 };

export function registerKpiRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get(
    '/api/kpis',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'The KPI catalogue: every KPI with its columns and formulas',
        tags: ['kpi'],
        querystring: query({}),
      },
    },
    async () => ({
      items: KPIS.map((kpi) => ({
        name: kpi.name,
        title: kpi.title,
        description: kpi.description,
        dimensions: kpi.dimensions ?? DIMENSION_NAMES,
        columns: kpi.columns.map((column) => ({
          name: column.name,
          formula: column.formula,
          display: column.display,
        })),
      })),
    }),
  );

  app.get(
    '/api/dimensions',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'The dimensions KPIs are grouped (by) and filtered (where) on',
        tags: ['kpi'],
        querystring: query({}),
      },
    },
    async () => ({
      items: DIMENSIONS.map((dimension) => ({
        name: dimension.name,
        column: dimension.column,
        description: dimension.description,
        value: dimension.value,
      })),
    }),
  );

  app.get<{ Params: { kpi: string }; Querystring: KpiQuery }>(
    '/api/kpi/:kpi',
    {
      config: { cache: 'build' },
      schema: {
        summary: 'A KPI at any grain and filter, rolled up from sums (docs/metrics.md)',
        tags: ['kpi'],
        params: {
          type: 'object',
          properties: {
            kpi: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: `a KPI name (${KPI_NAMES.join(', ')})`,
              examples: ['oee'],
            },
          },
          required: ['kpi'],
        },
        querystring: query({
          by: {
            type: 'string',
            maxLength: 200,
            description: `dimensions, comma-separated (${DIMENSION_NAMES.join(', ')})`,
            examples: ['line,day'],
          },
          where: {
            type: 'array',
            maxItems: 50,
            items: {
              type: 'string',
              maxLength: 2000,
              description: 'filters dimension:value, comma-separated',
              examples: ['plant:P1'],
            },
            description: 'filters dimension:value, comma-separated; may be repeated',
            examples: ['plant:P1'],
          },
          from: DAY,
          to: DAY,
          as_of: AS_OF,
        }),
        response: {
          200: {
            type: 'object',
            properties: {
              kpi: { type: 'string' },
              build_id: { type: 'string' },
              request: { type: 'object', additionalProperties: true },
              columns: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    role: { type: 'string', enum: ['key', 'measure'] },
                    display: { type: 'string' },
                    formula: { type: 'string' },
                  },
                },
              },
              rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
            examples: [{ kpi: 'oee', rows: [KPI_ROW_EXAMPLE] }],
          },
        },
      },
    },
    async (request) => {
      const { by, where, from, to, as_of: asOf } = request.query;
      const kpiRequest: KpiRequest = { kpi: request.params.kpi, by, where: whereText(where), from, to };
      // Checked before any reader is touched: a bad request costs no query.
      const compiled = compileKpi(kpiRequest);
      const { kpi } = compiled;
      return context.state.withBuild(asOf, async (reader) => {
        const result = await runKpi(reader, compiled);
        const measures = new Map(kpi.columns.map((column) => [column.name, column]));
        return {
          kpi: kpi.name,
          build_id: reader.build!.id,
          request: {
            by: compiled.request.by,
            where: Object.fromEntries(compiled.request.where),
            from: compiled.request.from ?? null,
            to: compiled.request.to ?? null,
            as_of: asOf ?? null,
          },
          columns: result.columns.map((name) => {
            const column = measures.get(name);
            return column
              ? { name, role: 'measure', display: column.display, formula: column.formula }
              : { name, role: 'key', display: 'text' };
          }),
          rows: result.rows,
        };
      });
    },
  );
}

/**
 * Quality: the defect Pareto by quantity and by cost, FPY and RTY per line, DPMO and sigma
 * level, scrap and rework, the cost of poor quality.
 */
import { useMemo } from 'react';
import { type KpiAnswer, kpiUrl, type Listing, type Row, routes } from '../api.js';
import { COLORS, paretoOption, type SeriesSpec } from '../charts.js';
import { BarChart } from '../components/BarChart.js';
import { EChart } from '../components/EChart.js';
import { Panel } from '../components/Panel.js';
import { type Location, navigate, withParams } from '../filters.js';
import { itemsOf, rowsOf, statusOf, statusOfAll, useApi } from '../use-api.js';

interface ParetoAnswer extends Listing<Row> {
  by: string;
  month: string | null;
}

function Pareto(props: { location: Location }) {
  const { location } = props;
  const by = location.params.get('pareto') === 'cost' ? 'cost' : 'quantity';
  const fetched = useApi<ParetoAnswer>(routes.pareto(location.filters.plant, by));
  const items = itemsOf(fetched);
  // Every plant is ranked on its own (and money of two currencies never shares an axis).
  const plants = useMemo(() => [...new Set(items.map((item) => String(item.plant_id)))], [items]);
  const plant = plants[0];
  const rows = useMemo(() => items.filter((item) => String(item.plant_id) === plant), [items, plant]);
  const display = by === 'cost' ? 'money' : 'count';
  const chart = useMemo(() => paretoOption(rows, by, display), [rows, by, display]);
  const month = fetched.state === 'done' ? fetched.data.month : null;
  return (
    <Panel
      wide
      title={`Defect Pareto by ${by}${plant ? ` · plant ${plant}` : ''}${month ? ` · ${month}` : ''}`}
      note={
        plants.length > 1
          ? `Plant ${plant} shown; choose a plant in the filters for another (${plants.join(', ')}).`
          : 'Defect codes ranked; the line is the cumulative share.'
      }
      toolbar={
        <fieldset className="toggle" aria-label="Rank defects by">
          <button
            type="button"
            aria-pressed={by === 'quantity'}
            onClick={() => navigate(withParams(location, { pareto: undefined }))}
          >
            Quantity
          </button>
          <button
            type="button"
            aria-pressed={by === 'cost'}
            onClick={() => navigate(withParams(location, { pareto: 'cost' }))}
          >
            Cost
          </button>
        </fieldset>
      }
      status={statusOf(fetched)}
      columns={[
        { name: 'rank', label: 'Rank', display: 'count' },
        { name: 'defect_code', label: 'Defect', display: 'text' },
        { name: 'description', label: 'Description', display: 'text' },
        { name: 'category', label: 'Category', display: 'text' },
        { name: 'quantity', label: 'Quantity', display: 'count' },
        { name: 'cost', label: 'Cost', display: 'money' },
        { name: 'share', label: 'Share', display: 'ratio' },
        { name: 'cumulative_share', label: 'Cumulative', display: 'ratio' },
      ]}
      rows={rows}
      csvName={`defect-pareto-by-${by}`}
      chart={
        <EChart option={chart} label={`Defect Pareto by ${by} with the cumulative share`} height={320} />
      }
    />
  );
}

const RTY: SeriesSpec[] = [{ column: 'rty', name: 'RTY', color: COLORS.quality }];
const FPY: SeriesSpec[] = [{ column: 'fpy', name: 'FPY', color: COLORS.availability }];
const DPMO: SeriesSpec[] = [{ column: 'dpmo', name: 'DPMO', color: COLORS.loss }];
const SCRAP_REWORK: SeriesSpec[] = [
  { column: 'scrap_rate', name: 'Scrap rate', color: COLORS.loss },
  { column: 'rework_rate', name: 'Rework rate', color: COLORS.performance },
];
const COPQ: SeriesSpec[] = [
  { column: 'scrap_cost', name: 'Scrap cost', color: COLORS.loss, stack: 'copq' },
  { column: 'rework_cost', name: 'Rework cost', color: COLORS.performance, stack: 'copq' },
];

export function QualityPage(props: { location: Location }) {
  const { filters } = props.location;
  const byLine = (kpi: string) => kpiUrl(kpi, filters, ['line']);
  const rty = useApi<KpiAnswer>(byLine('rty'));
  const fpy = useApi<KpiAnswer>(byLine('fpy'));
  const dpmo = useApi<KpiAnswer>(byLine('dpmo'));
  const scrap = useApi<KpiAnswer>(byLine('scrap'));
  const rework = useApi<KpiAnswer>(byLine('rework'));
  const cost = useApi<KpiAnswer>(byLine('cost'));

  const rtyRows = rowsOf(rty);
  const fpyRows = rowsOf(fpy);
  const dpmoRows = rowsOf(dpmo);
  const scrapRows = rowsOf(scrap);
  const reworkRows = rowsOf(rework);
  const costRows = rowsOf(cost);
  const fpySteps = useMemo(
    () =>
      fpyRows.map((row): Row => ({ ...row, step: `${String(row.line_id)} #${String(row.line_position)}` })),
    [fpyRows],
  );
  // Scrap and rework side by side: the API's two answers matched by line, values untouched.
  const scrapRework = useMemo(
    () =>
      scrapRows.map((row): Row => {
        const other = reworkRows.find((one) => one.line_id === row.line_id);
        return { ...row, rework_rate: other?.rework_rate ?? null, rework_qty: other?.rework_qty ?? null };
      }),
    [scrapRows, reworkRows],
  );

  return (
    <div className="grid">
      <Pareto location={props.location} />
      <Panel
        title="Rolled throughput yield by line"
        note="RTY is the product of the first-pass yields of the line's positions, in order."
        status={statusOf(rty)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'rty', label: 'RTY', display: 'ratio' },
          { name: 'positions', label: 'Positions', display: 'count' },
        ]}
        rows={rtyRows}
        csvName="rty-by-line"
        chart={
          <BarChart
            rows={rtyRows}
            category="line_id"
            series={RTY}
            display="ratio"
            label="Rolled throughput yield by line"
          />
        }
      />
      <Panel
        title="First-pass yield by line position"
        status={statusOf(fpy)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'line_position', label: 'Position', display: 'count' },
          { name: 'fpy', label: 'FPY', display: 'ratio' },
          { name: 'total', label: 'Total', display: 'count' },
          { name: 'good', label: 'Good', display: 'count' },
        ]}
        rows={fpyRows}
        csvName="fpy-by-line-position"
        chart={
          <BarChart
            rows={fpySteps}
            category="step"
            series={FPY}
            display="ratio"
            label="First-pass yield by line and position"
          />
        }
      />
      <Panel
        title="DPMO and sigma level by line"
        status={statusOf(dpmo)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'dpmo', label: 'DPMO', display: 'dpmo' },
          { name: 'sigma_level', label: 'Sigma level', display: 'sigma' },
          { name: 'defects', label: 'Defects', display: 'count' },
          { name: 'units', label: 'Units', display: 'count' },
          { name: 'opportunities', label: 'Opportunities', display: 'count' },
        ]}
        rows={dpmoRows}
        csvName="dpmo-by-line"
        chart={
          <BarChart
            rows={dpmoRows}
            category="line_id"
            series={DPMO}
            display="dpmo"
            label="Defects per million opportunities by line"
          />
        }
      />
      <Panel
        title="Scrap and rework rate by line"
        note="Share of line input scrapped or reworked."
        status={statusOfAll(scrap, rework)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'scrap_rate', label: 'Scrap rate', display: 'ratio' },
          { name: 'scrap_qty', label: 'Scrapped', display: 'count' },
          { name: 'rework_rate', label: 'Rework rate', display: 'ratio' },
          { name: 'rework_qty', label: 'Reworked', display: 'count' },
          { name: 'total', label: 'Line input', display: 'count' },
        ]}
        rows={scrapRework}
        csvName="scrap-rework-by-line"
        chart={
          <BarChart
            rows={scrapRework}
            category="line_id"
            series={SCRAP_REWORK}
            display="ratio"
            label="Scrap and rework rate by line"
          />
        }
      />
      <Panel
        title="Cost of poor quality by line"
        note="Scrap cost + rework cost, in each plant's currency."
        status={statusOf(cost)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'scrap_cost', label: 'Scrap cost', display: 'money' },
          { name: 'rework_cost', label: 'Rework cost', display: 'money' },
          { name: 'copq', label: 'COPQ', display: 'money' },
          { name: 'currency', label: 'Currency', display: 'text' },
        ]}
        rows={costRows}
        csvName="copq-by-line"
        chart={
          <BarChart
            rows={costRows}
            category="line_id"
            series={COPQ}
            display="money"
            label="Cost of poor quality by line: scrap and rework cost"
          />
        }
      />
    </div>
  );
}

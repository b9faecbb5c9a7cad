/** Cost: cost per good unit and its parts, revenue and gross margin by line, delivery (OTIF). */
import { useMemo } from 'react';
import { type DeliveryAnswer, type KpiAnswer, kpiUrl, type Row, routes } from '../api.js';
import { COLORS, type SeriesSpec } from '../charts.js';
import { BarChart } from '../components/BarChart.js';
import { Panel } from '../components/Panel.js';
import type { Location } from '../filters.js';
import { count } from '../format.js';
import { rowsOf, statusOf, useApi } from '../use-api.js';

const NO_ROWS: Row[] = [];
const PER_UNIT: SeriesSpec[] = [
  { column: 'cost_per_good_unit', name: 'Cost per good unit', color: COLORS.oee },
];
const MARGIN: SeriesSpec[] = [
  { column: 'material', name: 'Material', color: '#8d6e63', stack: 'cost' },
  { column: 'machine', name: 'Machine', color: COLORS.neutral, stack: 'cost' },
  { column: 'labor', name: 'Labor', color: COLORS.performance, stack: 'cost' },
  { column: 'gross_margin', name: 'Gross margin', color: COLORS.availability, stack: 'cost' },
];
const OTIF: SeriesSpec[] = [
  { column: 'in_full_rate', name: 'In full', color: COLORS.availability },
  { column: 'on_time_rate', name: 'On time', color: COLORS.performance },
  { column: 'otif', name: 'OTIF', color: COLORS.oee },
];

export function CostPage(props: { location: Location }) {
  const { filters } = props.location;
  // Cost belongs to a line: the machine filter does not apply (the panel's note says so).
  const cost = useApi<KpiAnswer>(kpiUrl('cost', { ...filters, machine: undefined }, ['line']));
  const delivery = useApi<DeliveryAnswer>(routes.delivery(filters));
  const costRows = rowsOf(cost);
  const weeks = delivery.state === 'done' ? delivery.data.weeks : NO_ROWS;
  const orders = delivery.state === 'done' ? delivery.data.orders : NO_ROWS;
  const totals = delivery.state === 'done' ? delivery.data.totals : null;
  const weekRows = useMemo(
    () =>
      weeks.map(
        (row): Row => ({
          ...row,
          key: `${String(row.line_id)} · ${String(row.iso_year)}-W${String(row.iso_week).padStart(2, '0')}`,
        }),
      ),
    [weeks],
  );

  const costNote =
    'Each line in its plant’s currency; machine filter does not apply (cost belongs to a line).';

  return (
    <div className="grid">
      <Panel
        title="Cost per good unit by line"
        note={costNote}
        status={statusOf(cost)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'cost_per_good_unit', label: 'Cost per good unit', display: 'money' },
          { name: 'output_good', label: 'Good output', display: 'count' },
          { name: 'currency', label: 'Currency', display: 'text' },
        ]}
        rows={costRows}
        csvName="cost-per-good-unit-by-line"
        chart={
          <BarChart
            rows={costRows}
            category="line_id"
            series={PER_UNIT}
            display="money"
            label="Cost per good unit by line"
          />
        }
      />
      <Panel
        title="Revenue: cost and gross margin by line"
        note="Material, machine and labor cost stacked with the gross margin: the bar's height is the revenue."
        status={statusOf(cost)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'revenue', label: 'Revenue', display: 'money' },
          { name: 'material', label: 'Material', display: 'money' },
          { name: 'machine', label: 'Machine', display: 'money' },
          { name: 'labor', label: 'Labor', display: 'money' },
          { name: 'gross_margin', label: 'Gross margin', display: 'money' },
          { name: 'currency', label: 'Currency', display: 'text' },
        ]}
        rows={costRows}
        csvName="margin-by-line"
        chart={
          <BarChart
            rows={costRows}
            category="line_id"
            series={MARGIN}
            display="money"
            label="Cost parts and gross margin by line"
          />
        }
      />
      <Panel
        wide
        title="Delivery: in full, on time, OTIF by line and week of the due date"
        note={
          totals
            ? `${count(totals.orders)} orders due before the cut-off: ${count(totals.in_full_orders)} in full, ${count(totals.on_time_orders)} on time, ${count(totals.otif_orders)} on time in full.`
            : undefined
        }
        status={statusOf(delivery)}
        columns={[
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'week_start', label: 'Week of', display: 'text' },
          { name: 'orders', label: 'Orders', display: 'count' },
          { name: 'in_full_rate', label: 'In full', display: 'ratio' },
          { name: 'on_time_rate', label: 'On time', display: 'ratio' },
          { name: 'otif', label: 'OTIF', display: 'ratio' },
        ]}
        rows={weekRows}
        csvName="otif-by-line-week"
        chart={
          <BarChart
            rows={weekRows}
            category="key"
            series={OTIF}
            display="ratio"
            label="In full, on time and OTIF by line and week"
          />
        }
      />
      <Panel
        wide
        title="Orders"
        status={statusOf(delivery)}
        columns={[
          { name: 'order_id', label: 'Order', display: 'text' },
          { name: 'line_id', label: 'Line', display: 'text' },
          { name: 'product_id', label: 'Product', display: 'text' },
          { name: 'status', label: 'Status', display: 'text' },
          { name: 'planned_qty', label: 'Planned', display: 'count' },
          { name: 'output_good', label: 'Good output', display: 'count' },
          { name: 'due_date', label: 'Due', display: 'text' },
          { name: 'in_full', label: 'In full', display: 'flag' },
          { name: 'on_time', label: 'On time', display: 'flag' },
          { name: 'otif', label: 'OTIF', display: 'flag' },
          { name: 'otif_eligible', label: 'Counts', display: 'flag' },
        ]}
        rows={orders}
        maxTableRows={100}
        csvName="orders"
      />
    </div>
  );
}

/**
 * Losses: where planned production time went (the `waterfall` KPI), the six big losses by line
 * and by machine, and the top downtime reasons.
 */
import { useMemo } from 'react';
import { type KpiAnswer, kpiUrl, type Listing, type Row, routes } from '../api.js';
import { type SeriesSpec, type WaterfallStep, waterfallOption } from '../charts.js';
import { BarChart } from '../components/BarChart.js';
import type { Column } from '../components/DataTable.js';
import { EChart } from '../components/EChart.js';
import { Panel } from '../components/Panel.js';
import type { Location } from '../filters.js';
import { itemsOf, rowsOf, statusOf, useApi } from '../use-api.js';

const STEPS: WaterfallStep[] = [
  { column: 'ppt_s', name: 'Planned production time', kind: 'total' },
  { column: 'breakdown_s', name: 'Breakdowns', kind: 'loss' },
  { column: 'setup_s', name: 'Setup & changeover', kind: 'loss' },
  { column: 'other_stop_s', name: 'Other stops', kind: 'loss' },
  { column: 'small_stop_s', name: 'Small stops', kind: 'loss' },
  { column: 'speed_loss_s', name: 'Reduced speed', kind: 'loss' },
  { column: 'quality_loss_s', name: 'Quality loss', kind: 'loss' },
  { column: 'ideal_good_s', name: 'Fully productive time', kind: 'total' },
];

const SIX_LOSSES: SeriesSpec[] = [
  { column: 'breakdown_s', name: 'Breakdowns', color: '#b3261e', stack: 'loss' },
  { column: 'setup_s', name: 'Setup', color: '#c77c1a', stack: 'loss' },
  { column: 'other_stop_s', name: 'Other stops', color: '#8d6e63', stack: 'loss' },
  { column: 'small_stop_s', name: 'Small stops', color: '#e0a100', stack: 'loss' },
  { column: 'speed_loss_s', name: 'Reduced speed', color: '#5b6b7b', stack: 'loss' },
  { column: 'quality_loss_s', name: 'Quality loss', color: '#8a4bb5', stack: 'loss' },
];

const DOWNTIME: SeriesSpec[] = [{ column: 'duration_s', name: 'Downtime', color: '#b3261e' }];

const LOSS_COLUMNS: Column[] = [
  { name: 'ppt_s', label: 'Planned', display: 'seconds' },
  ...SIX_LOSSES.map((spec) => ({ name: spec.column, label: spec.name, display: 'seconds' as const })),
  { name: 'ideal_good_s', label: 'Fully productive', display: 'seconds' },
];

function DowntimeReasons(props: { location: Location }) {
  const reasons = useApi<Listing<Row>>(routes.downtimeReasons(props.location.filters));
  const rows = itemsOf(reasons);
  const top = useMemo(() => rows.slice(0, 10), [rows]);
  return (
    <Panel
      title="Top downtime reasons"
      status={statusOf(reasons)}
      columns={[
        { name: 'reason', label: 'Reason', display: 'text' },
        { name: 'loss_category', label: 'Category', display: 'text' },
        { name: 'stops', label: 'Stops', display: 'count' },
        { name: 'duration_s', label: 'Downtime', display: 'seconds' },
      ]}
      rows={rows}
      csvName="downtime-reasons"
      chart={
        <BarChart
          rows={top}
          category="reason"
          series={DOWNTIME}
          display="seconds"
          horizontal
          label="Top downtime reasons by hours"
        />
      }
    />
  );
}

/** The six big losses, stacked per line or per machine. */
function SixBigLosses(props: { by: 'line' | 'machine'; label: string; url: string }) {
  const fetched = useApi<KpiAnswer>(props.url);
  const rows = rowsOf(fetched);
  const category = `${props.by}_id`;
  return (
    <Panel
      title={`Six big losses by ${props.by}`}
      status={statusOf(fetched)}
      columns={[{ name: category, label: props.label, display: 'text' }, ...LOSS_COLUMNS]}
      rows={rows}
      csvName={`six-big-losses-by-${props.by}`}
      chart={
        <BarChart
          rows={rows}
          category={category}
          series={SIX_LOSSES}
          display="seconds"
          label={`Six big losses in hours by ${props.by}`}
        />
      }
    />
  );
}

export function LossesPage(props: { location: Location }) {
  const { filters } = props.location;
  const whole = useApi<KpiAnswer>(kpiUrl('waterfall', filters));
  const wholeRows = rowsOf(whole);
  const waterfall = useMemo(() => (wholeRows[0] ? waterfallOption(wholeRows[0], STEPS) : {}), [wholeRows]);
  const waterfallRows = useMemo((): Row[] => {
    const row = wholeRows[0];
    return row
      ? STEPS.map((step) => ({ step: step.name, column: step.column, seconds: row[step.column] ?? null }))
      : [];
  }, [wholeRows]);

  return (
    <div className="grid">
      <Panel
        wide
        title="Loss waterfall: planned production time to fully productive time"
        note={
          wholeRows[0] && wholeRows[0].adds_up === false
            ? 'The steps do not add up for this selection (residual shown in the CSV).'
            : 'Each step is a loss in hours; what is left is fully productive time (OEE × planned time).'
        }
        status={statusOf(whole)}
        columns={[
          { name: 'step', label: 'Step', display: 'text' },
          { name: 'column', label: 'Column', display: 'text' },
          { name: 'seconds', label: 'Hours', display: 'seconds' },
        ]}
        rows={waterfallRows}
        csvName="loss-waterfall"
        chart={
          <EChart
            option={waterfall}
            label="Loss waterfall from planned production time to fully productive time"
            height={320}
          />
        }
      />
      <SixBigLosses by="line" label="Line" url={kpiUrl('waterfall', filters, ['line'])} />
      <SixBigLosses by="machine" label="Machine" url={kpiUrl('waterfall', filters, ['machine'])} />
      <DowntimeReasons location={props.location} />
    </div>
  );
}

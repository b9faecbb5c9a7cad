/**
 * Overview: OEE with availability, performance and quality for the selection, per line, a
 * drill-down plant -> line -> machine -> shift (each step is a filter in the URL), and the
 * daily trend against a target.
 */
import { useEffect, useMemo } from 'react';
import { type KpiAnswer, kpiUrl, type Row } from '../api.js';
import { COLORS, lineOption, type SeriesSpec } from '../charts.js';
import { BarChart } from '../components/BarChart.js';
import type { Column } from '../components/DataTable.js';
import { EChart } from '../components/EChart.js';
import { Link } from '../components/Link.js';
import { ErrorBox, Panel } from '../components/Panel.js';
import { type Location, navigate, withParams } from '../filters.js';
import { percent } from '../format.js';
import { type Fetched, rowsOf, statusOf, useApi } from '../use-api.js';

const APQ: SeriesSpec[] = [
  { column: 'oee', name: 'OEE', color: COLORS.oee },
  { column: 'availability', name: 'Availability', color: COLORS.availability },
  { column: 'performance', name: 'Performance', color: COLORS.performance },
  { column: 'quality', name: 'Quality', color: COLORS.quality },
];

const OEE_COLUMNS: Column[] = [
  { name: 'oee', label: 'OEE', display: 'ratio' },
  { name: 'availability', label: 'Availability', display: 'ratio' },
  { name: 'performance', label: 'Performance', display: 'ratio' },
  { name: 'quality', label: 'Quality', display: 'ratio' },
  { name: 'ppt_s', label: 'Planned time', display: 'seconds' },
  { name: 'run_s', label: 'Run time', display: 'seconds' },
  { name: 'total', label: 'Total count', display: 'count' },
  { name: 'good', label: 'Good count', display: 'count' },
];

/** The next step down from the deepest filter. */
const LEVELS = [
  { by: 'plant', key: 'plant_id', filter: 'plant', title: 'plant' },
  { by: 'line', key: 'line_id', filter: 'line', title: 'line' },
  { by: 'machine', key: 'machine_id', filter: 'machine', title: 'machine' },
  { by: 'shift', key: 'shift_id', filter: undefined, title: 'shift' },
] as const;

function Tiles(props: { fetched: Fetched<KpiAnswer> }) {
  const { fetched } = props;
  const row = fetched.state === 'done' ? fetched.data.rows[0] : undefined;
  const ready = fetched.state === 'done';
  useEffect(() => {
    // The bench (bench/paint.ts) reads this mark: the overview shows its numbers.
    if (ready) performance.mark('lathe:overview-numbers');
  }, [ready]);
  if (fetched.state === 'error') return <ErrorBox error={fetched.error} />;
  return (
    <section className="tiles" aria-label="OEE of the selection" aria-busy={!ready}>
      {APQ.map((spec) => (
        <div className="tile" key={spec.column} data-kpi={spec.column} style={{ borderTopColor: spec.color }}>
          <div className="tile-label">{spec.name}</div>
          <div className="tile-value" data-value={row ? String(row[spec.column] ?? '') : ''}>
            {ready ? percent(row?.[spec.column] ?? null) : '…'}
          </div>
        </div>
      ))}
    </section>
  );
}

export function OverviewPage(props: { location: Location }) {
  const { location } = props;
  const { filters } = location;
  const depth = filters.machine ? 3 : filters.line ? 2 : filters.plant ? 1 : 0;
  const level = LEVELS[depth]!;
  const targetPercent = Number(location.params.get('target') ?? '85');
  const target = Number.isFinite(targetPercent) && targetPercent > 0 ? targetPercent / 100 : 0.85;

  const whole = useApi<KpiAnswer>(kpiUrl('oee', filters));
  const byLine = useApi<KpiAnswer>(kpiUrl('oee', filters, ['line']));
  const drill = useApi<KpiAnswer>(kpiUrl('oee', filters, [level.by]));
  const trend = useApi<KpiAnswer>(kpiUrl('oee', filters, ['day']));

  const drillTo = (row: Row) => {
    const id = row[level.key];
    if (!level.filter || typeof id !== 'string') return;
    navigate(withParams(location, { [level.filter]: id }));
  };

  const lineRows = rowsOf(byLine);
  const drillRows = rowsOf(drill);
  const trendRows = rowsOf(trend);
  const trendChart = useMemo(
    () => lineOption(trendRows, 'day', APQ, 'ratio', { name: 'target', value: target }),
    [trendRows, target],
  );

  const crumbs = [
    { label: 'All plants', href: withParams(location, { plant: undefined }) },
    ...(filters.plant ? [{ label: filters.plant, href: withParams(location, { line: undefined }) }] : []),
    ...(filters.line ? [{ label: filters.line, href: withParams(location, { machine: undefined }) }] : []),
    ...(filters.machine ? [{ label: filters.machine, href: withParams(location, {}) }] : []),
  ];

  return (
    <div className="grid">
      <Tiles fetched={whole} />
      <Panel
        title="OEE by line"
        note="Time-weighted over each line's machines: Σ fully productive time / Σ planned production time."
        status={statusOf(byLine)}
        columns={[{ name: 'line_id', label: 'Line', display: 'text' }, ...OEE_COLUMNS]}
        rows={lineRows}
        csvName="oee-by-line"
        chart={
          <BarChart
            rows={lineRows}
            category="line_id"
            series={APQ}
            display="ratio"
            label="OEE, availability, performance and quality by line"
          />
        }
      />
      <Panel
        title={`Drill-down: OEE by ${level.title}`}
        note={
          <nav aria-label="Drill-down path" className="crumbs">
            {crumbs.map((crumb, index) =>
              index === crumbs.length - 1 ? (
                <span key={crumb.label} aria-current="location">
                  {crumb.label}
                </span>
              ) : (
                <span key={crumb.label}>
                  <Link href={crumb.href}>{crumb.label}</Link> ›{' '}
                </span>
              ),
            )}
            {level.filter ? <span className="hint"> — choose a {level.title} to go down</span> : null}
          </nav>
        }
        status={statusOf(drill)}
        columns={[{ name: level.key, label: level.title, display: 'text' }, ...OEE_COLUMNS]}
        rows={drillRows}
        csvName={`drill-oee-by-${level.by}`}
        rowAction={
          level.filter
            ? (row) => (
                <button type="button" className="link-button" onClick={() => drillTo(row)}>
                  Open {String(row[level.key])}
                </button>
              )
            : undefined
        }
        startWith={depth === 3 ? 'table' : 'chart'}
        chart={
          <BarChart
            rows={drillRows}
            category={level.key}
            series={APQ}
            display="ratio"
            label={`OEE by ${level.title}; select a bar to drill down, or use the table view's buttons`}
            onClick={level.filter ? (click) => drillTo(drillRows[click.dataIndex] ?? {}) : undefined}
          />
        }
      />
      <Panel
        wide
        title="OEE trend by production day"
        note={`Dashed: target OEE ${percent(target)} (change it with ?target= in the address, in percent).`}
        status={statusOf(trend)}
        columns={[{ name: 'day', label: 'Day', display: 'text' }, ...OEE_COLUMNS]}
        rows={trendRows}
        csvName="oee-by-day"
        chart={<EChart option={trendChart} label="OEE by production day against the target" height={280} />}
      />
    </div>
  );
}

/**
 * Data: what was loaded (with quarantine counts and the quarantined rows with their reasons),
 * the warehouse builds with their data-quality test results, and the lineage graph.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo } from 'react';
import { type LineageAnswer, type Listing, type Row, routes } from '../api.js';
import { COLORS } from '../charts.js';
import type { Column } from '../components/DataTable.js';
import { EChart } from '../components/EChart.js';
import { Panel } from '../components/Panel.js';
import { type Location, navigate, withParams } from '../filters.js';
import { instant } from '../format.js';
import { itemsOf, statusOf, useApi } from '../use-api.js';

const LAYER_COLORS: Record<string, string> = {
  source: '#8d6e63',
  staging: COLORS.neutral,
  core: COLORS.oee,
  marts: COLORS.availability,
};

const STARTED: Column = {
  name: 'started_at',
  label: 'Started',
  display: 'text',
  render: (row) => instant(row.started_at),
};

function lineageOption(lineage: LineageAnswer): EChartsCoreOption {
  const position = new Map(lineage.nodes.map((node) => [node.id, [node.x, -node.y] as [number, number]]));
  const edges = lineage.edges
    .map((edge) => [position.get(edge.from), position.get(edge.to)])
    .filter((pair): pair is [[number, number], [number, number]] => Boolean(pair[0] && pair[1]));
  return {
    grid: { left: 8, right: 8, top: 8, bottom: 8 },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', show: false, scale: true },
    yAxis: { type: 'value', show: false, scale: true },
    series: [
      {
        type: 'line',
        silent: true,
        symbol: 'none',
        lineStyle: { color: 'rgba(91,107,123,0.25)', width: 1 },
        // One polyline per edge, separated by gaps.
        data: edges.flatMap(([from, to]) => [from, to, [null, null]]),
        connectNulls: false,
      },
      {
        type: 'scatter',
        symbolSize: 10,
        label: { show: true, position: 'right', fontSize: 10, formatter: '{b}' },
        data: lineage.nodes.map((node) => ({
          name: node.name,
          value: position.get(node.id),
          itemStyle: { color: LAYER_COLORS[node.layer] ?? COLORS.neutral },
        })),
        tooltip: { formatter: (params: { name: string }) => params.name },
      },
    ],
  };
}

function Quarantine(props: { location: Location }) {
  const { location } = props;
  const load = location.params.get('load') ?? undefined;
  const entity = location.params.get('entity') ?? undefined;
  const fetched = useApi<Listing<Row>>(routes.quarantine(load, entity, 100));
  const rows = itemsOf(fetched).map(
    (row): Row => ({
      ...row,
      reason_codes: Array.isArray(row.reasons)
        ? row.reasons.map((reason) => (reason as Row).code).join(', ')
        : '',
      reason_text: Array.isArray(row.reasons)
        ? row.reasons.map((reason) => (reason as Row).message).join('; ')
        : '',
    }),
  );
  const total = fetched.state === 'done' ? fetched.data.total : undefined;
  return (
    <Panel
      wide
      title={`Quarantined rows${load ? ` of load ${load}` : ''}${entity ? ` · ${entity}` : ''}${total !== undefined ? ` · ${total}` : ''}`}
      note={
        load || entity ? (
          <button
            type="button"
            className="link-button"
            onClick={() => navigate(withParams(location, { load: undefined, entity: undefined }))}
          >
            Show every load and entity
          </button>
        ) : (
          'Rows that did not fit the contract, with the file, line and every reason; the first 100 shown.'
        )
      }
      status={statusOf(fetched)}
      empty="No quarantined rows: every row loaded."
      columns={[
        { name: 'entity', label: 'Entity', display: 'text' },
        { name: 'file', label: 'File', display: 'text' },
        { name: 'line', label: 'Line', display: 'count' },
        { name: 'reason_codes', label: 'Reasons', display: 'text' },
        { name: 'reason_text', label: 'What is wrong', display: 'text' },
        { name: 'load_id', label: 'Load', display: 'text' },
      ]}
      rows={rows}
      csvName="quarantine"
    />
  );
}

function BuildTests(props: { buildId: string }) {
  const fetched = useApi<Listing<Row>>(routes.buildTests(props.buildId));
  const rows = itemsOf(fetched);
  return (
    <Panel
      wide
      title={`Data-quality tests of build ${props.buildId}`}
      status={statusOf(fetched)}
      columns={[
        {
          name: 'status',
          label: 'Result',
          display: 'text',
          render: (row) => <span className={`badge ${String(row.status)}`}>{String(row.status)}</span>,
        },
        { name: 'name', label: 'Test', display: 'text' },
        { name: 'model', label: 'Model', display: 'text' },
        { name: 'severity', label: 'Severity', display: 'text' },
        { name: 'failing_rows', label: 'Failing rows', display: 'count' },
        { name: 'message', label: 'Message', display: 'text' },
      ]}
      rows={rows}
      maxTableRows={300}
      csvName={`tests-${props.buildId}`}
    />
  );
}

export function DataPage(props: { location: Location }) {
  const { location } = props;
  const loads = useApi<Listing<Row>>(routes.loads());
  const builds = useApi<Listing<Row> & { current_build_id?: string }>(routes.builds());
  const lineage = useApi<LineageAnswer>(routes.lineage());
  const buildRows = itemsOf(builds).map((row): Row => {
    const tests = (row.tests ?? {}) as Row;
    return {
      ...row,
      tests_pass: tests.pass ?? null,
      tests_fail: tests.fail ?? null,
      tests_warn: tests.warn ?? null,
      tests_error: tests.error ?? null,
    };
  });
  const chosenBuild =
    location.params.get('build') ??
    (builds.state === 'done'
      ? (builds.data.current_build_id ?? (buildRows[0]?.build_id as string | undefined))
      : undefined);
  const lineageChart = useMemo(
    () => (lineage.state === 'done' ? lineageOption(lineage.data) : {}),
    [lineage],
  );
  const lineageRows: Row[] =
    lineage.state === 'done' ? lineage.data.edges.map((edge) => ({ from: edge.from, to: edge.to })) : [];

  return (
    <div className="grid">
      <Panel
        wide
        title="Loads"
        status={statusOf(loads)}
        empty="Nothing loaded yet: run lathe ingest."
        columns={[
          { name: 'load_id', label: 'Load', display: 'text' },
          { name: 'status', label: 'Status', display: 'text' },
          STARTED,
          { name: 'rows_read', label: 'Read', display: 'count' },
          { name: 'rows_loaded', label: 'Loaded', display: 'count' },
          { name: 'rows_quarantined', label: 'Quarantined', display: 'count' },
          { name: 'current', label: 'Current', display: 'flag' },
        ]}
        rows={itemsOf(loads)}
        csvName="loads"
        rowAction={(row) =>
          typeof row.rows_quarantined === 'number' && row.rows_quarantined > 0 ? (
            <button
              type="button"
              className="link-button"
              onClick={() => navigate(withParams(location, { load: String(row.load_id) }))}
            >
              Quarantined rows
            </button>
          ) : null
        }
      />
      <Quarantine location={location} />
      <Panel
        wide
        title="Warehouse builds"
        status={statusOf(builds)}
        empty="No build yet: run lathe build."
        columns={[
          { name: 'build_id', label: 'Build', display: 'text' },
          { name: 'status', label: 'Status', display: 'text' },
          { name: 'load_id', label: 'Load', display: 'text' },
          STARTED,
          { name: 'models', label: 'Models', display: 'count' },
          { name: 'tests_pass', label: 'Tests passed', display: 'count' },
          { name: 'tests_fail', label: 'Failed', display: 'count' },
          { name: 'tests_warn', label: 'Warned', display: 'count' },
          { name: 'current', label: 'Current', display: 'flag' },
        ]}
        rows={buildRows}
        csvName="builds"
        rowAction={(row) => (
          <button
            type="button"
            className="link-button"
            aria-pressed={row.build_id === chosenBuild}
            onClick={() => navigate(withParams(location, { build: String(row.build_id) }))}
          >
            Test results
          </button>
        )}
      />
      {chosenBuild ? <BuildTests buildId={chosenBuild} /> : null}
      <Panel
        wide
        title="Lineage: sources → staging → core → marts"
        status={statusOf(lineage)}
        columns={[
          { name: 'from', label: 'From', display: 'text' },
          { name: 'to', label: 'To', display: 'text' },
        ]}
        rows={lineageRows}
        csvName="lineage-edges"
        chart={
          <EChart
            option={lineageChart}
            label="Lineage graph of sources and models"
            height={Math.min(900, Math.max(360, lineage.state === 'done' ? lineage.data.height : 360))}
          />
        }
      />
    </div>
  );
}

/**
 * Process: the I-MR control chart of one machine's sensor with CL, UCL, LCL and the 1σ/2σ
 * zones, every Western Electric violation marked on the chart and listed, and the Cp/Cpk of
 * the machine's sensors.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { type ReactNode, useMemo } from 'react';
import { type Listing, type Row, routes, type SpcAnswer, type Value } from '../api.js';
import { COLORS, type SeriesSpec } from '../charts.js';
import { BarChart } from '../components/BarChart.js';
import { EChart } from '../components/EChart.js';
import { ErrorBox, Loading, Panel } from '../components/Panel.js';
import { type Location, navigate, withParams } from '../filters.js';
import { formatValue, instant } from '../format.js';
import { itemsOf, statusOf, useApi } from '../use-api.js';

const RULES: Record<number, string> = {
  1: '1 point beyond 3σ',
  2: '2 of 3 beyond 2σ',
  3: '4 of 5 beyond 1σ',
  4: '8 in a row on one side',
};

const CP_CPK: SeriesSpec[] = [
  { column: 'cp', name: 'Cp', color: COLORS.availability },
  { column: 'cpk', name: 'Cpk', color: COLORS.oee },
];
const CAPABLE = { name: 'capable at', value: 1.33 };

function limitLine(
  name: string,
  value: Value | undefined,
  color: string,
  type: 'solid' | 'dashed' | 'dotted',
) {
  if (typeof value !== 'number') return null;
  // Only the solid limits are labelled: the zone lines' labels would write over each other.
  const label = type === 'solid' ? { formatter: `${name} ${formatValue(value, 'text')}` } : { show: false };
  return { name, yAxis: value, lineStyle: { color, type }, label };
}

function controlChartOption(spc: SpcAnswer): EChartsCoreOption {
  const limits = spc.limits ?? {};
  const lines = [
    limitLine('UCL', limits.ucl, COLORS.target, 'solid'),
    limitLine('CL', limits.cl, COLORS.availability, 'solid'),
    limitLine('LCL', limits.lcl, COLORS.target, 'solid'),
    limitLine('+2σ', limits.upper_2sigma, COLORS.neutral, 'dashed'),
    limitLine('−2σ', limits.lower_2sigma, COLORS.neutral, 'dashed'),
    limitLine('+1σ', limits.upper_1sigma, '#9aa5b1', 'dotted'),
    limitLine('−1σ', limits.lower_1sigma, '#9aa5b1', 'dotted'),
  ].filter((line) => line !== null);
  const mrLines = [
    limitLine('MR UCL', limits.mr_ucl, COLORS.target, 'solid'),
    limitLine('MR̄', limits.mr_bar, COLORS.availability, 'solid'),
  ].filter((line) => line !== null);
  return {
    grid: [
      { left: 8, right: 110, top: 40, height: '55%', containLabel: true },
      { left: 8, right: 110, top: '72%', bottom: 48, containLabel: true },
    ],
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    dataZoom: [
      { type: 'inside', xAxisIndex: [0, 1] },
      { type: 'slider', xAxisIndex: [0, 1], bottom: 8, height: 24 },
    ],
    xAxis: [
      { type: 'time', gridIndex: 0 },
      { type: 'time', gridIndex: 1 },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, scale: true },
      { type: 'value', gridIndex: 1, scale: true, splitNumber: 2 },
    ],
    series: [
      {
        type: 'line',
        name: 'Individual value',
        xAxisIndex: 0,
        yAxisIndex: 0,
        showSymbol: false,
        lineStyle: { width: 1, color: COLORS.oee },
        itemStyle: { color: COLORS.oee },
        data: spc.points.map((point) => [point.ts, point.value]),
        markLine: { symbol: 'none', silent: true, label: { position: 'end' }, data: lines },
        markArea: spc.limits?.baseline_end_ts
          ? {
              silent: true,
              itemStyle: { color: 'rgba(43,138,110,0.07)' },
              data: [
                [
                  { name: 'baseline', xAxis: spc.limits.baseline_start_ts as string },
                  { xAxis: spc.limits.baseline_end_ts as string },
                ],
              ],
            }
          : undefined,
      },
      {
        type: 'scatter',
        name: 'Western Electric violation',
        xAxisIndex: 0,
        yAxisIndex: 0,
        symbol: 'circle',
        symbolSize: 9,
        z: 5,
        itemStyle: { color: COLORS.target, borderColor: '#fff', borderWidth: 1 },
        tooltip: { trigger: 'item' },
        data: spc.violations.map((violation) => ({
          value: [violation.ts, violation.value],
          name: `rule ${violation.rule}: ${RULES[violation.rule] ?? violation.rule_name} (${violation.side})`,
        })),
      },
      {
        type: 'line',
        name: 'Moving range',
        xAxisIndex: 1,
        yAxisIndex: 1,
        showSymbol: false,
        lineStyle: { width: 1, color: COLORS.neutral },
        itemStyle: { color: COLORS.neutral },
        data: spc.points.map((point) => [point.ts, point.mr]),
        markLine: { symbol: 'none', silent: true, label: { position: 'end' }, data: mrLines },
      },
    ],
  };
}

function ControlChart(props: { location: Location; machine: string; sensors: Row[] }) {
  const { location, machine, sensors } = props;
  const wanted = location.params.get('sensor');
  const sensor = sensors.find((row) => row.sensor === wanted)?.sensor ?? sensors[0]?.sensor;
  const fetched = useApi<SpcAnswer>(
    typeof sensor === 'string'
      ? routes.spc(machine, sensor, location.filters.from, location.filters.to)
      : null,
  );
  const spc = fetched.state === 'done' ? fetched.data : null;
  const option = useMemo(() => (spc ? controlChartOption(spc) : {}), [spc]);
  const violations = useMemo(
    (): Row[] =>
      spc
        ? spc.violations.map((violation) => ({
            ts: violation.ts,
            value: violation.value,
            rule: violation.rule,
            rule_name: violation.rule_name,
            side: violation.side,
            point_count: violation.point_count,
          }))
        : [],
    [spc],
  );
  const limits = spc?.limits ?? null;
  const sensorPicker = (
    <div className="field inline">
      <label htmlFor="spc-sensor">Sensor</label>
      <select
        id="spc-sensor"
        value={typeof sensor === 'string' ? sensor : ''}
        onChange={(event) => navigate(withParams(location, { sensor: event.target.value }))}
      >
        {sensors.map((row) => (
          <option key={String(row.sensor)} value={String(row.sensor)}>
            {String(row.sensor)}
            {row.unit ? ` (${String(row.unit)})` : ''}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <>
      <Panel
        wide
        title={`I-MR control chart · ${machine} · ${typeof sensor === 'string' ? sensor : '–'}`}
        note={
          limits
            ? `Limits from the first ${String(limits.baseline_n)} good readings (shaded); red dots: readings that complete a Western Electric rule.${spc?.truncated ? ' Only the latest readings are shown: narrow the dates for earlier ones.' : ''}`
            : 'This sensor has no control limits yet (too few readings).'
        }
        toolbar={sensorPicker}
        status={statusOf(fetched)}
        columns={[
          { name: 'ts', label: 'Reading at', display: 'text', render: (row) => instant(row.ts) },
          { name: 'value', label: 'Value', display: 'text' },
          { name: 'mr', label: 'Moving range', display: 'text' },
          { name: 'baseline', label: 'Baseline', display: 'flag' },
        ]}
        rows={spc ? (spc.points as unknown as Row[]) : []}
        maxTableRows={500}
        csvName={`control-chart-${machine}-${String(sensor)}`}
        chart={
          <div data-violations={violations.length}>
            <EChart
              option={option}
              label={`Control chart of ${String(sensor)} on ${machine} with ${violations.length} rule violations marked`}
              height={420}
            />
          </div>
        }
      />
      <Panel
        wide
        title={`Western Electric violations · ${violations.length}`}
        status={statusOf(fetched)}
        empty="No reading after the baseline breaks a rule: the process is in control."
        columns={[
          { name: 'ts', label: 'Reading at', display: 'text', render: (row) => instant(row.ts) },
          { name: 'value', label: 'Value', display: 'text' },
          { name: 'rule', label: 'Rule', display: 'count' },
          {
            name: 'rule_name',
            label: 'Rule name',
            display: 'text',
            render: (row) => RULES[row.rule as number] ?? String(row.rule_name),
          },
          { name: 'side', label: 'Side', display: 'text' },
          { name: 'point_count', label: 'Points', display: 'count' },
        ]}
        rows={violations}
        maxTableRows={1000}
        csvName={`violations-${machine}-${String(sensor)}`}
      />
    </>
  );
}

export function ProcessPage(props: { location: Location }) {
  const { location } = props;
  const { filters } = location;
  const machines = useApi<Listing<Row>>(routes.machines(filters.plant, filters.line));
  const machineRows = itemsOf(machines);
  const machine = filters.machine ?? (machineRows[0]?.machine_id as string | undefined);
  const sensors = useApi<Listing<Row>>(machine ? routes.sensors(machine) : null);
  const capability = useApi<Listing<Row>>(routes.capability({ ...filters, machine }));
  const capabilityItems = itemsOf(capability);
  const capabilityRows = useMemo(
    () =>
      capabilityItems.map(
        (row): Row => ({
          ...row,
          key: `${String(row.machine_id)} · ${String(row.sensor)} · ${String(row.month_start).slice(0, 7)}`,
        }),
      ),
    [capabilityItems],
  );

  let chart: ReactNode;
  if (machines.state === 'error') chart = <ErrorBox error={machines.error} />;
  else if (!machine)
    chart =
      machines.state === 'loading' ? (
        <Loading what="machines" />
      ) : (
        <p className="empty">No machine in this selection.</p>
      );
  else if (sensors.state === 'error') chart = <ErrorBox error={sensors.error} />;
  else if (sensors.state === 'loading') chart = <Loading what="sensors" />;
  else chart = <ControlChart location={location} machine={machine} sensors={sensors.data.items} />;

  return (
    <div className="grid">
      {filters.machine ? null : (
        <p className="panel-note wide">
          Showing {machine ?? 'the first machine'}; choose another with the Machine filter above.
        </p>
      )}
      {chart}
      <Panel
        wide
        title={`Process capability · ${machine ?? ''}`}
        note="Cp and Cpk per sensor and month, with σ within from the moving range (Pp, Ppk in the table). 1.33 is the usual bar for a capable process."
        status={statusOf(capability)}
        columns={[
          { name: 'machine_id', label: 'Machine', display: 'text' },
          { name: 'sensor', label: 'Sensor', display: 'text' },
          { name: 'month_start', label: 'Month', display: 'text' },
          { name: 'n', label: 'Readings', display: 'count' },
          { name: 'cp', label: 'Cp', display: 'sigma' },
          { name: 'cpk', label: 'Cpk', display: 'sigma' },
          { name: 'pp', label: 'Pp', display: 'sigma' },
          { name: 'ppk', label: 'Ppk', display: 'sigma' },
          { name: 'lsl', label: 'LSL', display: 'text' },
          { name: 'usl', label: 'USL', display: 'text' },
          { name: 'capability_status', label: 'Status', display: 'text' },
        ]}
        rows={capabilityRows}
        csvName={`capability-${machine ?? 'all'}`}
        chart={
          <BarChart
            rows={capabilityRows}
            category="key"
            series={CP_CPK}
            display="sigma"
            horizontal
            markLine={CAPABLE}
            label="Cp and Cpk by sensor"
            height={Math.max(200, capabilityRows.length * 40 + 60)}
          />
        }
      />
    </div>
  );
}

/**
 * Reliability: MTBF and MTTR per machine (a machine that never failed is censored: its run
 * time is a lower bound, not an MTBF), the failures on a timeline, and the sensors that looked
 * unusual in the 24 h before each failure.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo } from 'react';
import { type ReliabilityAnswer, type Row, routes } from '../api.js';
import { axisFormatter, COLORS, tooltipFormatter } from '../charts.js';
import type { Column } from '../components/DataTable.js';
import { EChart } from '../components/EChart.js';
import { Panel } from '../components/Panel.js';
import type { Location } from '../filters.js';
import { formatValue, hours, instant } from '../format.js';
import { statusOf, useApi } from '../use-api.js';

const NOTHING: Omit<ReliabilityAnswer, 'build_id'> = { machines: [], failures: [], signatures: [] };

const FAILED_AT: Column = {
  name: 'failure_start_ts',
  label: 'Failed at',
  display: 'text',
  render: (row) => instant(row.failure_start_ts),
};

function isCensored(row: Row): boolean {
  return row.failures === 0;
}

function mtbfOption(rows: Row[]): EChartsCoreOption {
  return {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: tooltipFormatter('seconds'),
    },
    xAxis: {
      type: 'category',
      data: rows.map((row) => String(row.machine_id)),
      axisLabel: { interval: 0, rotate: 30 },
    },
    yAxis: { type: 'value', axisLabel: { formatter: axisFormatter('seconds') } },
    series: [
      {
        type: 'bar',
        name: 'MTBF',
        itemStyle: { color: COLORS.oee },
        data: rows.map((row) => row.mtbf_s ?? null),
      },
      {
        type: 'bar',
        name: 'No failure yet: run time (censored, MTBF is longer)',
        barGap: '-100%',
        itemStyle: {
          color: 'rgba(91,107,123,0.25)',
          borderColor: COLORS.neutral,
          borderType: 'dashed',
          borderWidth: 1,
        },
        data: rows.map((row) => row.censored_exposure_s ?? null),
      },
      {
        type: 'bar',
        name: 'MTTR',
        itemStyle: { color: COLORS.loss },
        data: rows.map((row) => row.mttr_s ?? null),
      },
    ],
  };
}

function timelineOption(failures: Row[], machines: string[]): EChartsCoreOption {
  return {
    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (params: { data: { row: Row } }) => {
        const row = params.data.row;
        return `${String(row.machine_id)}<br/>failed ${instant(row.failure_start_ts)}<br/>repair ${hours(row.repair_s)}`;
      },
    },
    xAxis: { type: 'time' },
    yAxis: { type: 'category', data: machines, inverse: true },
    series: [
      {
        type: 'scatter',
        name: 'Failure',
        symbol: 'diamond',
        symbolSize: 14,
        itemStyle: { color: COLORS.target },
        data: failures.map((row) => ({ value: [row.failure_start_ts, row.machine_id], row })),
      },
    ],
  };
}

export function ReliabilityPage(props: { location: Location }) {
  const fetched = useApi<ReliabilityAnswer>(routes.reliability(props.location.filters));
  const data = fetched.state === 'done' ? fetched.data : NOTHING;
  const machines = data.machines;
  const failures = data.failures;
  const signatures = data.signatures;
  const mtbf = useMemo(() => mtbfOption(machines), [machines]);
  const timeline = useMemo(
    () =>
      timelineOption(
        failures,
        machines.map((row) => String(row.machine_id)),
      ),
    [failures, machines],
  );
  // The three most unusual sensors of each failure, as the mart ranks them.
  const signatureRows = useMemo(
    () =>
      signatures
        .filter((row) => typeof row.signature_rank === 'number' && row.signature_rank <= 3)
        .map(
          (row): Row => ({
            ...row,
            label: `${String(row.machine_id)} ${instant(row.failure_start_ts).slice(0, 16)} · ${String(row.sensor)}`,
          }),
        ),
    [signatures],
  );
  const signatureChart = useMemo<EChartsCoreOption>(
    () => ({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: tooltipFormatter('sigma'),
      },
      xAxis: { type: 'value', name: '|z|' },
      yAxis: { type: 'category', inverse: true, data: signatureRows.map((row) => row.label) },
      series: [
        {
          type: 'bar',
          name: 'Signature score',
          itemStyle: { color: COLORS.performance },
          data: signatureRows.map((row) => row.signature_score ?? null),
        },
      ],
    }),
    [signatureRows],
  );
  const status = statusOf(fetched);

  return (
    <div className="grid">
      <Panel
        wide
        title="MTBF and MTTR by machine"
        note="Dashed grey: machines without a failure in the period. Their run time is censored exposure — the MTBF is longer than that, not known."
        status={status}
        columns={[
          { name: 'machine_id', label: 'Machine', display: 'text' },
          {
            name: 'status',
            label: 'Status',
            display: 'text',
            render: (row) =>
              isCensored(row) ? (
                <span className="badge">censored: no failure</span>
              ) : (
                `${String(row.failures)} failures`
              ),
          },
          { name: 'failures', label: 'Failures', display: 'count' },
          { name: 'mtbf_s', label: 'MTBF', display: 'seconds' },
          { name: 'mttr_s', label: 'MTTR', display: 'seconds' },
          { name: 'inherent_availability', label: 'Inherent availability', display: 'ratio' },
          { name: 'censored_exposure_s', label: 'Censored exposure', display: 'seconds' },
          { name: 'run_s', label: 'Run time', display: 'seconds' },
          { name: 'repair_s', label: 'Repair time', display: 'seconds' },
        ]}
        rows={machines}
        csvName="reliability-by-machine"
        chart={
          <EChart option={mtbf} label="MTBF and MTTR by machine, censored machines dashed" height={320} />
        }
      />
      <Panel
        title="Failure timeline"
        status={status}
        empty="No failures in this selection."
        columns={[
          { name: 'machine_id', label: 'Machine', display: 'text' },
          FAILED_AT,
          {
            name: 'failure_end_ts',
            label: 'Back at',
            display: 'text',
            render: (row) => instant(row.failure_end_ts),
          },
          { name: 'repair_s', label: 'Repair', display: 'seconds' },
          { name: 'stop_id', label: 'Stop', display: 'text' },
        ]}
        rows={failures}
        csvName="failures"
        chart={
          <EChart
            option={timeline}
            label="Failures over time by machine"
            height={Math.max(200, machines.length * 22 + 60)}
          />
        }
      />
      <Panel
        title="Degradation signatures before failures"
        note="The sensors most unusual in the 24 h before each failure, against the machine's failure-free days (|z| of mean or slope)."
        status={status}
        empty="No failures, so no signatures."
        columns={[
          { name: 'machine_id', label: 'Machine', display: 'text' },
          FAILED_AT,
          { name: 'sensor', label: 'Sensor', display: 'text' },
          { name: 'signature_rank', label: 'Rank', display: 'count' },
          { name: 'signature_score', label: 'Score', display: 'sigma' },
          { name: 'z_mean', label: 'z (mean)', display: 'sigma' },
          { name: 'z_slope', label: 'z (slope)', display: 'sigma' },
          {
            name: 'mean',
            label: 'Mean',
            display: 'text',
            render: (row) => formatValue(row.mean ?? null, 'text'),
          },
          { name: 'slope_per_h', label: 'Slope per h', display: 'text' },
          { name: 'readings', label: 'Readings', display: 'count' },
        ]}
        rows={signatures}
        csvName="degradation-signatures"
        chart={
          <EChart
            option={signatureChart}
            label="Signature score of the top sensors before each failure"
            height={Math.max(200, signatureRows.length * 20 + 40)}
          />
        }
      />
    </div>
  );
}

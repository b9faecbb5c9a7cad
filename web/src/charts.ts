/**
 * ECharts options for the shapes the pages draw. Values go in as the API sent them; axes,
 * labels and tooltips format them (percent, hours) and never change them.
 */
import type { EChartsCoreOption } from 'echarts/core';
import type { Display, Row, Value } from './api.js';
import { formatValue } from './format.js';

export const COLORS = {
  oee: '#1f5fa8',
  availability: '#2b8a6e',
  performance: '#c77c1a',
  quality: '#8a4bb5',
  target: '#b3261e',
  loss: '#c0504d',
  gain: '#2b8a6e',
  neutral: '#5b6b7b',
};

export function axisFormatter(display: Display): (value: number) => string {
  if (display === 'ratio') return (value) => `${Math.round(value * 100)} %`;
  if (display === 'seconds') return (value) => `${Math.round(value / 3600)} h`;
  return (value) => formatValue(value, display);
}

export function tooltipFormatter(display: Display) {
  return (value: unknown) => formatValue(value as Value, display);
}

export interface SeriesSpec {
  column: string;
  name: string;
  color?: string;
  stack?: string;
}

const grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true };

/** Bars per category (a line, a machine …), one series per column. */
export function barOption(
  rows: Row[],
  category: string,
  series: SeriesSpec[],
  display: Display,
  extra: { horizontal?: boolean; markLine?: { name: string; value: number } } = {},
): EChartsCoreOption {
  const categories = rows.map((row) => String(row[category] ?? '–'));
  const valueAxis = { type: 'value', axisLabel: { formatter: axisFormatter(display) } };
  const categoryAxis = { type: 'category', data: categories, axisLabel: { interval: 0, hideOverlap: true } };
  return {
    grid,
    legend: { top: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: tooltipFormatter(display) },
    xAxis: extra.horizontal ? valueAxis : categoryAxis,
    yAxis: extra.horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
    series: series.map((spec, index) => ({
      type: 'bar',
      name: spec.name,
      stack: spec.stack,
      itemStyle: spec.color ? { color: spec.color } : undefined,
      data: rows.map((row) => row[spec.column] ?? null),
      markLine:
        index === 0 && extra.markLine
          ? {
              symbol: 'none',
              lineStyle: { color: COLORS.target, type: 'dashed' },
              label: { formatter: `${extra.markLine.name} ${formatValue(extra.markLine.value, display)}` },
              data: [extra.horizontal ? { xAxis: extra.markLine.value } : { yAxis: extra.markLine.value }],
            }
          : undefined,
    })),
  };
}

/** Lines over a category axis of days (or weeks), with an optional target line. */
export function lineOption(
  rows: Row[],
  category: string,
  series: SeriesSpec[],
  display: Display,
  target?: { name: string; value: number },
): EChartsCoreOption {
  return {
    grid,
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: tooltipFormatter(display) },
    xAxis: { type: 'category', data: rows.map((row) => String(row[category] ?? '–')), boundaryGap: false },
    yAxis: {
      type: 'value',
      scale: true,
      // The target stays in view even when every day is far from it.
      min: target ? (extent: { min: number }) => Math.min(extent.min, target.value) : undefined,
      max: target ? (extent: { max: number }) => Math.max(extent.max, target.value) : undefined,
      axisLabel: { formatter: axisFormatter(display) },
    },
    series: series.map((spec, index) => ({
      type: 'line',
      name: spec.name,
      showSymbol: rows.length <= 62,
      connectNulls: false,
      lineStyle: spec.color ? { color: spec.color, width: index === 0 ? 3 : 1.5 } : undefined,
      itemStyle: spec.color ? { color: spec.color } : undefined,
      data: rows.map((row) => row[spec.column] ?? null),
      markLine:
        index === 0 && target
          ? {
              symbol: 'none',
              lineStyle: { color: COLORS.target, type: 'dashed', width: 2 },
              label: {
                formatter: `${target.name} ${formatValue(target.value, display)}`,
                position: 'insideEndTop',
              },
              data: [{ yAxis: target.value, name: target.name }],
            }
          : undefined,
    })),
  };
}

export interface WaterfallStep {
  column: string;
  name: string;
  kind: 'total' | 'loss';
}

/**
 * The loss waterfall: planned time, each loss taken off it, fully productive time. The
 * invisible base under each floating bar is a drawing position only; every number written
 * (labels, tooltip, table) is the API's value for that step.
 */
export function waterfallOption(row: Row, steps: WaterfallStep[]): EChartsCoreOption {
  let level = 0;
  const base: (number | null)[] = [];
  const bars: { value: number; itemStyle: { color: string }; label: { formatter: string } }[] = [];
  for (const step of steps) {
    const value = typeof row[step.column] === 'number' ? (row[step.column] as number) : 0;
    const label = formatValue(row[step.column] ?? null, 'seconds');
    if (step.kind === 'total') {
      base.push(0);
      bars.push({ value, itemStyle: { color: COLORS.oee }, label: { formatter: label } });
      level = value;
    } else {
      // A negative speed loss (performance above 100 %) rises instead of falling.
      const top = level;
      level = level - value;
      base.push(Math.min(top, level));
      bars.push({
        value: Math.abs(value),
        itemStyle: { color: value >= 0 ? COLORS.loss : COLORS.gain },
        label: { formatter: label },
      });
    }
  }
  return {
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: { dataIndex: number }[]) => {
        const index = params[0]?.dataIndex ?? 0;
        const step = steps[index];
        return step ? `${step.name}: ${formatValue(row[step.column] ?? null, 'seconds')}` : '';
      },
    },
    xAxis: {
      type: 'category',
      data: steps.map((step) => step.name),
      axisLabel: { interval: 0, width: 90, overflow: 'break' },
    },
    yAxis: { type: 'value', axisLabel: { formatter: axisFormatter('seconds') } },
    series: [
      { type: 'bar', stack: 'waterfall', silent: true, itemStyle: { color: 'transparent' }, data: base },
      { type: 'bar', stack: 'waterfall', name: 'hours', label: { show: true, position: 'top' }, data: bars },
    ],
  };
}

/** A Pareto: bars by rank, the cumulative share as a line on a 0–100 % axis. */
export function paretoOption(rows: Row[], valueColumn: string, display: Display): EChartsCoreOption {
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category',
      data: rows.map((row) => String(row.defect_code)),
      axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 },
    },
    yAxis: [
      { type: 'value', axisLabel: { formatter: axisFormatter(display) } },
      {
        type: 'value',
        min: 0,
        max: 1,
        axisLabel: { formatter: axisFormatter('ratio') },
        splitLine: { show: false },
      },
    ],
    series: [
      {
        type: 'bar',
        name: display === 'money' ? 'Cost' : 'Quantity',
        itemStyle: { color: COLORS.oee },
        data: rows.map((row) => row[valueColumn] ?? null),
        tooltip: { valueFormatter: tooltipFormatter(display) },
      },
      {
        type: 'line',
        name: 'Cumulative share',
        yAxisIndex: 1,
        itemStyle: { color: COLORS.target },
        data: rows.map((row) => row.cumulative_share ?? null),
        tooltip: { valueFormatter: tooltipFormatter('ratio') },
        markLine: {
          symbol: 'none',
          lineStyle: { type: 'dotted', color: COLORS.neutral },
          label: { formatter: '80 %' },
          data: [{ yAxis: 0.8 }],
        },
      },
    ],
  };
}

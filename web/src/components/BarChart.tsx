/** A bar chart of a panel's rows: the option is built once per rows, not on every render. */
import { useMemo } from 'react';
import type { Display, Row } from '../api.js';
import { barOption, type SeriesSpec } from '../charts.js';
import { type ChartClick, EChart } from './EChart.js';

export function BarChart(props: {
  rows: Row[];
  category: string;
  /** Keep it a module constant: a new array each render would rebuild (and redraw) the chart. */
  series: SeriesSpec[];
  display: Display;
  label: string;
  height?: number;
  horizontal?: boolean;
  markLine?: { name: string; value: number };
  onClick?: (click: ChartClick) => void;
}) {
  const { rows, category, series, display, horizontal } = props;
  const markName = props.markLine?.name;
  const markValue = props.markLine?.value;
  const option = useMemo(
    () =>
      barOption(rows, category, series, display, {
        horizontal,
        markLine:
          markName !== undefined && markValue !== undefined
            ? { name: markName, value: markValue }
            : undefined,
      }),
    [rows, category, series, display, horizontal, markName, markValue],
  );
  return <EChart option={option} label={props.label} height={props.height} onClick={props.onClick} />;
}

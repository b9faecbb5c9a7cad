/** One ECharts canvas in a React component: created once, given new options, resized with its box. */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
} from 'echarts/components';
import { type ECharts, type EChartsCoreOption, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the pages draw: the bundle stays a fraction of the full ECharts build.
use([
  BarChart,
  LineChart,
  ScatterChart,
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export interface ChartClick {
  name: string;
  seriesName?: string;
  dataIndex: number;
  value: unknown;
}

export function EChart(props: {
  option: EChartsCoreOption;
  label: string;
  height?: number;
  onClick?: (click: ChartClick) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const onClick = useRef(props.onClick);
  onClick.current = props.onClick;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      const event = params as unknown as ChartClick;
      onClick.current?.(event);
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, animationDuration: 300, ...props.option }, true);
  }, [props.option]);

  return (
    <div
      ref={box}
      className="chart"
      role="img"
      aria-label={props.label}
      style={{ height: props.height ?? 300, cursor: props.onClick ? 'pointer' : undefined }}
    />
  );
}

/** One ECharts canvas in a React component: created once, given new options, resized with its box. */
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'react';

const echarts = import('../echarts-setup.js');

function draw(instance: ECharts, option: EChartsCoreOption): void {
  instance.setOption({ aria: { enabled: true }, animationDuration: 300, ...option }, true);
}

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

  const option = useRef(props.option);
  option.current = props.option;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let instance: ECharts | null = null;
    let observer: ResizeObserver | null = null;
    let disposed = false;
    echarts.then(({ init }) => {
      if (disposed) return;
      instance = init(element, undefined, { renderer: 'canvas' });
      chart.current = instance;
      instance.on('click', (params) => onClick.current?.(params as unknown as ChartClick));
      draw(instance, option.current);
      const resizing = instance;
      observer = new ResizeObserver(() => resizing.resize());
      observer.observe(element);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      instance?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current) draw(chart.current, props.option);
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

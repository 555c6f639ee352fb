// One channel's history drawn with uPlot: the average as a line, min..max as a band when the
// points are rollups, and the channel's limits as dashed horizontal lines (labelled in the legend
// below, so that they read without colour). Live values are appended as they arrive.

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface GraphPoint {
  readonly ts: number;
  readonly min: number;
  readonly avg: number;
  readonly max: number;
}

export interface GraphLimits {
  readonly upperError?: number;
  readonly upperWarning?: number;
  readonly lowerWarning?: number;
  readonly lowerError?: number;
}

export interface GraphProps {
  readonly title: string;
  readonly unit: string;
  readonly points: readonly GraphPoint[];
  readonly limits?: GraphLimits | undefined;
  readonly from: number;
  readonly to: number;
  readonly dark: boolean;
}

const LIMIT_LINES: readonly { key: keyof GraphLimits; label: string; dash: number[]; kind: 'error' | 'warning' }[] = [
  { key: 'upperError', label: 'Upper error limit', dash: [8, 4], kind: 'error' },
  { key: 'upperWarning', label: 'Upper warning limit', dash: [3, 3], kind: 'warning' },
  { key: 'lowerWarning', label: 'Lower warning limit', dash: [3, 3], kind: 'warning' },
  { key: 'lowerError', label: 'Lower error limit', dash: [8, 4], kind: 'error' },
];

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export function limitLines(limits: GraphLimits | undefined): { label: string; value: number; dash: number[]; kind: 'error' | 'warning' }[] {
  if (!limits) return [];
  return LIMIT_LINES.filter((l) => typeof limits[l.key] === 'number').map((l) => ({ label: l.label, value: limits[l.key]!, dash: l.dash, kind: l.kind }));
}

export function Graph({ title, unit, points, limits, from, to, dark }: GraphProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const lines = limitLines(limits);
  const limitsKey = lines.map((l) => `${l.label}=${l.value}`).join();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const fg = cssVar(el, '--fg', dark ? '#e6e6e6' : '#1b1f24');
    const grid = cssVar(el, '--grid', dark ? '#30363d' : '#d0d7de');
    const line = cssVar(el, '--accent', '#2f81f7');
    const errColor = cssVar(el, '--down', '#d1242f');
    const warnColor = cssVar(el, '--warning', '#9a6700');
    const xs = points.map((p) => p.ts / 1000);
    const hasBand = points.some((p) => p.min !== p.max);
    const data: uPlot.AlignedData = [xs, points.map((p) => p.avg), ...(hasBand ? [points.map((p) => p.min), points.map((p) => p.max)] : [])];
    const series: uPlot.Series[] = [
      {},
      { label: `${title} (${unit})`, stroke: line, width: 2, spanGaps: false },
      ...(hasBand ? [{ label: 'min', stroke: line, width: 0, show: true }, { label: 'max', stroke: line, width: 0, show: true }] : []),
    ];
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const allY = [...points.flatMap((p) => [p.min, p.max]), ...lines.map((l) => l.value)];
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: 280,
      series,
      ...(hasBand ? { bands: [{ series: [3, 2], fill: 'rgba(47,129,247,0.15)' }] } : {}),
      scales: {
        x: { time: true, min: from / 1000, max: to / 1000 },
        y: { range: (_u, min, max) => rangeWith(allY.length ? Math.min(min, ...allY) : min, allY.length ? Math.max(max, ...allY) : max) },
      },
      axes: [axis, { ...axis, label: unit, size: 60 }],
      legend: { show: true },
      hooks: {
        // Limits as dashed lines across the plot, drawn after the series.
        draw: [
          (u) => {
            const ctx = u.ctx;
            for (const l of lines) {
              const y = u.valToPos(l.value, 'y', true);
              if (!Number.isFinite(y)) continue;
              ctx.save();
              ctx.strokeStyle = l.kind === 'error' ? errColor : warnColor;
              ctx.setLineDash(l.dash.map((d) => d * devicePixelRatio));
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
              ctx.restore();
            }
          },
        ],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(300, el.clientWidth), height: 280 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Limits are compared by value (limitsKey): a new object with the same limits must not redraw.
  }, [points, from, to, dark, title, unit, limitsKey]);

  return (
    <figure className="graph">
      <div ref={box} className="graph-canvas" role="img" aria-label={`Graph of ${title} in ${unit}, ${points.length} points${lines.length ? `, limits: ${lines.map((l) => `${l.label} ${l.value}`).join(', ')}` : ''}`} />
      <figcaption>
        {points.length === 0 ? <span className="muted">No values in this range.</span> : null}
        {lines.map((l) => (
          <span key={l.label} className={`limit-key limit-${l.kind}`}>
            <span aria-hidden="true">{l.kind === 'error' ? '━ ━' : '┅┅'}</span> {l.label}: {l.value} {unit}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function rangeWith(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return [min - 1, max + 1];
  const pad = (max - min) * 0.08;
  return [min >= 0 && min - pad < 0 ? 0 : min - pad, max + pad];
}

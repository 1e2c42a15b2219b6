// Hand-written SVG plots for the dashboard: vertical bars (one or two series), a line, horizontal
// bars with a total. Scales start at zero; labels are text, so the figures are readable without colour.
import type { ReactNode } from 'react';

const W = 560, H = 200, PAD = { l: 36, r: 8, t: 10, b: 28 };

/** A round upper bound for the axis (1, 2, 5 × 10^n). */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((s) => s * p >= value) ?? 10) * p;
}

function Axis({ max, children, label }: { max: number; children: ReactNode; label: string }) {
  const ticks = [0, max / 2, max];
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="wf-chart" role="img" aria-label={label}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} className="wf-grid-line" />
          <text x={PAD.l - 4} y={y(t) + 4} textAnchor="end" className="wf-tick">{Number.isInteger(t) ? t : t.toFixed(1)}</text>
        </g>
      ))}
      {children}
    </svg>
  );
}

export interface Series { name: string; className: string; values: number[] }

export function BarChart({ labels, series, label, every = 1 }: { labels: string[]; series: Series[]; label: string; every?: number }) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const innerW = W - PAD.l - PAD.r, innerH = H - PAD.t - PAD.b;
  const band = innerW / Math.max(1, labels.length);
  const bar = (band * 0.8) / series.length;
  return (
    <Axis max={max} label={label}>
      {labels.map((l, i) => (
        <g key={l}>
          {series.map((s, k) => {
            const v = s.values[i] ?? 0;
            const h = (innerH * v) / max;
            return <rect key={s.name} x={PAD.l + band * i + band * 0.1 + bar * k} y={PAD.t + innerH - h} width={bar} height={h} className={s.className}><title>{`${l} ${s.name}: ${v}`}</title></rect>;
          })}
          {i % every === 0 ? <text x={PAD.l + band * (i + 0.5)} y={H - 10} textAnchor="middle" className="wf-tick">{l}</text> : null}
        </g>
      ))}
    </Axis>
  );
}

export function LineChart({ labels, values, label, every = 1, className = 'wf-s1' }: { labels: string[]; values: number[]; label: string; every?: number; className?: string }) {
  const max = niceMax(Math.max(0, ...values));
  const innerW = W - PAD.l - PAD.r, innerH = H - PAD.t - PAD.b;
  const x = (i: number) => PAD.l + (labels.length <= 1 ? innerW / 2 : (innerW * i) / (labels.length - 1));
  const y = (v: number) => PAD.t + innerH * (1 - v / max);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <Axis max={max} label={label}>
      <polyline points={points} className={`wf-line ${className}`} fill="none" />
      {values.map((v, i) => <circle key={labels[i]} cx={x(i)} cy={y(v)} r={3} className={className}><title>{`${labels[i]}: ${v}`}</title></circle>)}
      {labels.map((l, i) => (i % every === 0 ? <text key={l} x={x(i)} y={H - 10} textAnchor="middle" className="wf-tick">{l}</text> : null))}
    </Axis>
  );
}

/** One bar per row, filled to value / total, with the figures written beside it. */
export function ShareBars({ rows, label }: { rows: { name: string; value: number; total: number }[]; label: string }) {
  const rowH = 26, nameW = 150, barW = 300;
  return (
    <svg viewBox={`0 0 ${nameW + barW + 110} ${rows.length * rowH + 4}`} className="wf-chart" role="img" aria-label={label}>
      {rows.map((r, i) => {
        const share = r.total > 0 ? r.value / r.total : 0;
        return (
          <g key={r.name} transform={`translate(0 ${i * rowH + 2})`}>
            <text x={nameW - 6} y={16} textAnchor="end" className="wf-tick">{r.name}</text>
            <rect x={nameW} y={3} width={barW} height={18} className="wf-track" />
            <rect x={nameW} y={3} width={barW * share} height={18} className="wf-s1" />
            <text x={nameW + barW + 6} y={16} className="wf-tick">{`${r.value}/${r.total} (${Math.round(share * 100)}%)`}</text>
          </g>
        );
      })}
    </svg>
  );
}

// A small line chart in plain SVG (no chart library): time across, value up, the reference range as a
// shaded band, every measurement a dot — red and larger when abnormal — with its value and time as a
// tooltip. Several lines share the axes (systolic and diastolic blood pressure).
import type { Line } from './trends.ts';

const W = 560;
const H = 170;
const PAD = { left: 44, right: 12, top: 10, bottom: 24 };

function ticks(min: number, max: number): number[] {
  const span = max - min || 1;
  const step = 10 ** Math.floor(Math.log10(span / 3));
  const nice = [1, 2, 5, 10].map((f) => f * step).find((s) => span / s <= 5) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(min / nice) * nice; v <= max + 1e-9; v += nice) out.push(Number(v.toFixed(6)));
  return out;
}

const shortDate = (at: number) => new Date(at).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit' });

export function TrendChart({ lines, label, unit, format }: { lines: Line[]; label: string; unit: string; format(at: number): string }) {
  const points = lines.flatMap((l) => l.points);
  const values = [...points.map((p) => p.value), ...lines.flatMap((l) => l.band ?? [])];
  let min = Math.min(...values);
  let max = Math.max(...values);
  const pad = (max - min) * 0.08 || Math.abs(max) * 0.05 || 1;
  min -= pad;
  max += pad;
  let t0 = Math.min(...points.map((p) => p.at));
  let t1 = Math.max(...points.map((p) => p.at));
  if (t0 === t1) { t0 -= 43_200_000; t1 += 43_200_000; }
  const x = (at: number) => PAD.left + ((at - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - min) / (max - min)) * (H - PAD.top - PAD.bottom);
  const bottom = H - PAD.bottom;

  return (
    <svg className="trend-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      {lines.map((l) => l.band ? (
        <rect key={`band-${l.key}`} className={`band band-${l.key}`} x={PAD.left} width={W - PAD.left - PAD.right}
          y={y(l.band[1])} height={Math.max(1, y(l.band[0]) - y(l.band[1]))} />
      ) : null)}
      {ticks(min, max).map((v) => (
        <g key={v} className="tick">
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end">{v}</text>
        </g>
      ))}
      <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={bottom} y2={bottom} />
      <text className="axis-label" x={PAD.left} y={H - 6}>{shortDate(t0)}</text>
      <text className="axis-label" x={W - PAD.right} y={H - 6} textAnchor="end">{shortDate(t1)}</text>
      <text className="axis-label" x={W / 2} y={H - 6} textAnchor="middle">{unit}</text>
      {lines.map((l) => (
        <g key={l.key} className={`series series-${l.key}`} data-line={l.key}>
          {l.points.length > 1 ? <polyline className="line" points={l.points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')} /> : null}
          {l.points.map((p) => (
            <circle key={p.id} className={p.flag ? 'point abnormal' : 'point'} data-observation={p.id} data-flag={p.flag ?? 'N'}
              cx={x(p.at)} cy={y(p.value)} r={p.flag ? 4.5 : 3.2}>
              <title>{`${p.value} ${unit} · ${format(p.at)}`}</title>
            </circle>
          ))}
        </g>
      ))}
    </svg>
  );
}

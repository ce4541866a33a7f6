// A line chart as a standalone SVG document, written by hand: one line with point markers per
// series, axes from zero with round ticks, axis labels, a title and a legend. Enough for a
// benchmark's scaling chart (time against input size); no library, no external resources.

export interface Series {
  readonly name: string;
  /** [x, y] pairs; drawn in x order. */
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChart {
  readonly title: string;
  /** A smaller line under the title (when and where it was measured). */
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Tick label of an x value (default: the number with thousands separators). */
  readonly formatX?: (x: number) => string;
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '4 4', '1 2'];

export function lineChartSvg(c: LineChart): string {
  const width = c.width ?? 720, height = c.height ?? 440;
  const m = { left: 78, right: 190, top: c.subtitle ? 62 : 48, bottom: 62 };
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const all = c.series.flatMap((s) => s.points);
  if (all.length === 0) throw new Error(`lineChartSvg: chart '${c.title}' has no points`);
  const xTicks = niceTicks(Math.max(...all.map((p) => p[0])));
  const yTicks = niceTicks(Math.max(...all.map((p) => p[1])));
  const xMax = xTicks[xTicks.length - 1]!, yMax = yTicks[yTicks.length - 1]!;
  const X = (x: number) => m.left + (x / xMax) * pw;
  const Y = (y: number) => m.top + ph - (y / yMax) * ph;
  const fx = c.formatX ?? ((x: number) => x.toLocaleString('en-US'));
  const n = (v: number) => v.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${n(m.left + pw / 2)}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${esc(c.title)}</text>`);
  if (c.subtitle) out.push(`<text x="${n(m.left + pw / 2)}" y="44" text-anchor="middle" font-size="11" fill="#555">${esc(c.subtitle)}</text>`);
  for (const t of yTicks) {
    out.push(`<line x1="${m.left}" y1="${n(Y(t))}" x2="${m.left + pw}" y2="${n(Y(t))}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${m.left - 8}" y="${n(Y(t) + 4)}" text-anchor="end">${esc(t.toLocaleString('en-US'))}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<line x1="${n(X(t))}" y1="${m.top + ph}" x2="${n(X(t))}" y2="${m.top + ph + 5}" stroke="#333"/>`);
    out.push(`<text x="${n(X(t))}" y="${m.top + ph + 19}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${n(m.left + pw / 2)}" y="${height - 16}" text-anchor="middle" font-size="13">${esc(c.xLabel)}</text>`);
  out.push(`<text transform="translate(20 ${n(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-size="13">${esc(c.yLabel)}</text>`);

  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!, dash = DASHES[i % DASHES.length]!;
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = pts.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${n(X(x))},${n(Y(y))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2.2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const [x, y] of pts) {
      out.push(`<circle cx="${n(X(x))}" cy="${n(Y(y))}" r="4" fill="${color}"><title>${esc(`${s.name}: ${fx(x)} → ${y.toLocaleString('en-US')}`)}</title></circle>`);
    }
    const ly = m.top + 10 + i * 22, lx = m.left + pw + 20;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${color}" stroke-width="2.2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(`<circle cx="${lx + 14}" cy="${ly}" r="4" fill="${color}"/>`);
    out.push(`<text x="${lx + 36}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** 0 and round steps (1, 2 or 5 × 10^k) up to at least `max`, about five of them. */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * p).find((s) => s >= raw)!;
  const ticks: number[] = [];
  const at = (k: number) => Number((k * step).toPrecision(12));
  for (let k = 0; ; k++) {
    ticks.push(at(k));
    if (at(k) >= max) break;
  }
  return ticks;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

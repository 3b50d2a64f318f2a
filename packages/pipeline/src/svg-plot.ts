/**
 * A small dependency-free SVG line chart for run reports: several named series over a shared x axis,
 * with axes, ticks, a legend and an optional horizontal reference line (e.g. WMMSE).
 */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly reference?: { readonly name: string; readonly y: number };
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function linePlotSvg(series: readonly Series[], opts: PlotOptions): string {
  const H = opts.height ?? 420;
  // The legend sits right of the plot; size its column to the longest label (≈ 7 px per character at 12 px).
  const longest = Math.max(0, ...series.map((s) => s.name.length), opts.reference?.name.length ?? 0);
  const m = { l: 64, r: Math.max(140, 56 + 7 * longest), t: 40, b: 52 };
  const W = (opts.width ?? 540) + m.r;
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  if (opts.reference) ys.push(opts.reference.y);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  const pad = (yMax - yMin) * 0.05 || Math.abs(yMax) * 0.05 || 1;
  yMin -= pad;
  yMax += pad;
  const px = (x: number) => m.l + ((x - xMin) / (xMax - xMin || 1)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="22" font-size="14" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(xMin, xMax)) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#333"/>`);
    parts.push(`<text x="${px(t)}" y="${H - m.b + 17}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  let legendY = m.t + 8;
  if (opts.reference) {
    const y = py(opts.reference.y);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#555" stroke-dasharray="6 4"/>`);
    parts.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 36}" y1="${legendY}" y2="${legendY}" stroke="#555" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${W - m.r + 42}" y="${legendY + 4}">${esc(opts.reference.name)}</text>`);
    legendY += 18;
  }
  series.forEach((s, n) => {
    const color = COLORS[n % COLORS.length];
    const pts = s.x.map((x, k) => [x, s.y[k]]).filter(([, y]) => Number.isFinite(y));
    const d = pts.map(([x, y], k) => `${k ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 36}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${W - m.r + 42}" y="${legendY + 4}">${esc(s.name)}</text>`);
    legendY += 18;
  });
  parts.push('</svg>');
  return parts.join('\n');
}

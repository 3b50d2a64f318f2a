import { writeFileAtomic } from '@rrm/core';

/**
 * The one plotting module of rrm: Vega-Lite specs rendered to SVG in Node (vega's View with the 'none'
 * renderer and toSVG: no canvas, no browser). Run reports, `rrm compare`, the demo and sweeps all go
 * through it, and each spec is kept beside its SVG (`<name>.vl.json`), so a plot can be restyled or
 * opened in the Vega editor without rerunning anything.
 */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One named curve over a shared x axis. */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** One row of a line plot's data: a point of one series. */
export interface LinePoint {
  readonly series: string;
  readonly x: number;
  readonly y: number;
}

/**
 * A line per series (legend in the series' order) and an optional dashed horizontal reference line
 * (e.g. WMMSE), labelled with its name. Points with a non-finite y are left out.
 */
export function linePlotSpec(
  series: readonly Series[],
  o: {
    title: string;
    xTitle: string;
    yTitle: string;
    reference?: { readonly name: string; readonly y: number };
    width?: number;
    height?: number;
  },
): VegaLiteSpec {
  const values: LinePoint[] = series.flatMap((s) =>
    s.x.flatMap((x, k) => (Number.isFinite(s.y[k]) ? [{ series: s.name, x, y: s.y[k] }] : [])),
  );
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: { zero: false } };
  const layer: VegaLiteSpec[] = [
    {
      data: { values },
      mark: { type: 'line', point: values.length <= 60 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: o.xTitle },
        y,
        color: { field: 'series', type: 'nominal', title: null, sort: series.map((s) => s.name), legend: { labelLimit: 400 } },
        tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'y', format: '.4f' }],
      },
    },
  ];
  if (o.reference && Number.isFinite(o.reference.y)) {
    const data = { values: [{ reference: o.reference.name, y: o.reference.y }] };
    layer.push(
      { data, mark: { type: 'rule', color: '#555', strokeDash: [6, 4] }, encoding: { y, tooltip: [{ field: 'reference' }, { field: 'y', format: '.4f' }] } },
      { data, mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, color: '#555' }, encoding: { y, x: { value: 0 }, text: { field: 'reference' } } },
    );
  }
  return { $schema: SCHEMA, title: o.title, width: o.width ?? 540, height: o.height ?? 320, layer };
}

export interface BandPoint {
  readonly x: number | string;
  readonly series: string;
  readonly mean: number;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number;
}

/** A line per series through the means, with a shaded band between the CI bounds. */
export function bandLineSpec(o: {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  seriesTitle?: string;
  points: readonly BandPoint[];
  /** Category order of a non-numeric x. */
  xOrder?: readonly string[];
  /** Legend order of the series (default: as they come). */
  seriesOrder?: readonly string[];
  width?: number;
  height?: number;
}): VegaLiteSpec {
  const numeric = o.points.every((p) => typeof p.x === 'number');
  const x = numeric
    ? { field: 'x', type: 'quantitative', title: o.xTitle, scale: { zero: false } }
    : { field: 'x', type: 'ordinal', title: o.xTitle, sort: o.xOrder ?? null, axis: { labelAngle: 0 } };
  const multi = new Set(o.points.map((p) => p.series)).size > 1;
  const seriesOrder = o.seriesOrder ?? [...new Set(o.points.map((p) => p.series))];
  const color = multi ? { color: { field: 'series', type: 'nominal', title: o.seriesTitle ?? 'series', sort: seriesOrder, legend: { labelLimit: 400 } } } : {};
  return {
    $schema: SCHEMA,
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: o.width ?? 420,
    height: o.height ?? 260,
    data: { values: o.points },
    encoding: { x, ...color },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: { y: { field: 'lo', type: 'quantitative', title: o.yTitle, scale: { zero: false } }, y2: { field: 'hi' } },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          y: { field: 'mean', type: 'quantitative', title: o.yTitle },
          tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'mean', format: '.4f' }, { field: 'lo', format: '.4f' }, { field: 'hi', format: '.4f' }, { field: 'n' }],
        },
      },
    ],
  };
}

/** Renders a Vega-Lite spec to an SVG string in Node (tens of milliseconds for a line plot of ~50 points). */
export async function renderVegaLite(spec: VegaLiteSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  // vega tags the data rows it ingests (and vega-lite may fill in defaults): render a copy, so the caller's
  // spec (and the .vl.json written from it) stays as built.
  const compiled = vl.compile(structuredClone(spec) as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes `<path>.vl.json` and `<path>.svg` side by side (`path` without extension). */
export async function writePlot(path: string, spec: VegaLiteSpec): Promise<{ spec: string; svg: string }> {
  const specPath = `${path}.vl.json`;
  const svgPath = `${path}.svg`;
  // Render first: a spec that fails to render leaves no files behind.
  const svg = await renderVegaLite(spec);
  writeFileAtomic(specPath, JSON.stringify(spec, null, 2) + '\n');
  writeFileAtomic(svgPath, svg);
  return { spec: specPath, svg: svgPath };
}

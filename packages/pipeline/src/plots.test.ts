import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bandLineSpec, linePlotSpec, renderVegaLite, writePlot } from './plots';

/** Checks that every element opened in an SVG string is closed in order (a small well-formedness test). */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  const body = svg.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '');
  for (const [, close, name, selfClosing] of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*?)?(\/?)>/g)) {
    if (close) expect(stack.pop(), `</${name}>`).toBe(name);
    else if (!selfClosing) stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(body.replace(/<[^<>]*>/g, '')).not.toMatch(/[<>]/);
}

describe('linePlotSpec', () => {
  const series = [
    { name: 'a & <b>', x: [0, 1, 2], y: [1, 2, 3] },
    { name: 'c', x: [0, 2], y: [3, NaN] },
  ];
  const spec = linePlotSpec(series, { title: 'T', xTitle: 'epoch', yTitle: 'rate', reference: { name: 'WMMSE', y: 2.5 } });
  const layers = spec.layer as { data: { values: unknown[] }; mark: { type: string; strokeDash?: number[] } }[];

  it('holds one data row per finite point, tagged with its series, and a dashed reference rule', () => {
    expect(layers[0].data.values).toEqual([
      { series: 'a & <b>', x: 0, y: 1 },
      { series: 'a & <b>', x: 1, y: 2 },
      { series: 'a & <b>', x: 2, y: 3 },
      { series: 'c', x: 0, y: 3 },
    ]);
    expect(layers[1].mark).toMatchObject({ type: 'rule', strokeDash: [6, 4] });
    expect(layers[1].data.values).toEqual([{ reference: 'WMMSE', y: 2.5 }]);
    expect(linePlotSpec(series, { title: '', xTitle: '', yTitle: '' }).layer).toHaveLength(1);
  });

  it('renders to a well-formed SVG naming the series (escaped) and the reference', async () => {
    const svg = await renderVegaLite(spec);
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expectWellFormed(svg);
    expect(svg).toContain('a &amp; &lt;b&gt;');
    expect(svg).toContain('>c<');
    expect(svg).toContain('WMMSE');
    expect(svg).toContain('stroke-dasharray');
  });

  it('writePlot writes the spec beside the SVG', async () => {
    const base = join(mkdtempSync(join(tmpdir(), 'rrm-plot-')), 'p');
    const out = await writePlot(base, spec);
    expect(out).toEqual({ spec: `${base}.vl.json`, svg: `${base}.svg` });
    expect(JSON.parse(readFileSync(out.spec, 'utf8'))).toEqual(spec);
    expectWellFormed(readFileSync(out.svg, 'utf8'));
  });
});

describe('bandLineSpec', () => {
  it('renders a band and a line per series', async () => {
    const points = [0, 1, 2].flatMap((x) => ['s1', 's2'].map((series) => ({ x, series, mean: x + 1, lo: x + 0.5, hi: x + 1.5, n: 3 })));
    const spec = bandLineSpec({ title: 'B', xTitle: 'x', yTitle: 'y', points });
    expect((spec.data as { values: unknown }).values).toEqual(points);
    const svg = await renderVegaLite(spec);
    expectWellFormed(svg);
    expect(svg).toContain('s1');
    expect(svg).toContain('s2');
  });
});

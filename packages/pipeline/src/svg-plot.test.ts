import { describe, expect, it } from 'vitest';
import { linePlotSvg } from './svg-plot';

describe('linePlotSvg', () => {
  const svg = linePlotSvg(
    [
      { name: 'a & <b>', x: [0, 1, 2], y: [1, 2, 3] },
      { name: 'c', x: [0, 2], y: [3, NaN] },
    ],
    { title: 'T', xLabel: 'epoch', yLabel: 'rate', reference: { name: 'WMMSE', y: 2.5 } },
  );

  it('draws one path per series with points mapped monotonically, escaping labels', () => {
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]);
    expect(paths).toHaveLength(2);
    const pts = paths[0].split(' ').map((c) => c.slice(1).split(',').map(Number));
    expect(pts).toHaveLength(3);
    // x grows to the right, larger y is higher on screen (smaller pixel y).
    expect(pts[1][0]).toBeGreaterThan(pts[0][0]);
    expect(pts[2][1]).toBeLessThan(pts[0][1]);
    // NaN points are dropped rather than drawn.
    expect(paths[1].split(' ')).toHaveLength(1);
    expect(svg).toContain('a &amp; &lt;b&gt;');
    expect(svg).toContain('stroke-dasharray');
  });

  it('widens the legend column for long labels so they are not clipped', () => {
    const long = linePlotSvg([{ name: 'x'.repeat(60), x: [0, 1], y: [0, 1] }], { title: '', xLabel: '', yLabel: '' });
    const width = Number(/width="(\d+)"/.exec(long)![1]);
    const textX = Number(/<text x="([\d.]+)" y="[\d.]+">x{60}/.exec(long)![1]);
    expect(textX + 60 * 7).toBeLessThanOrEqual(width);
  });
});

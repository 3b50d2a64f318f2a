import { describe, expect, it } from 'vitest';
import { streams } from '@rrm/core';
import { fillStandardNormal } from './sampling';

describe('fillStandardNormal', () => {
  it('draws N(0, 1): mean 0, variance 1, kurtosis 3, P(|z| > 1.96) = 5 %', () => {
    const n = 40_001; // odd: the last pair is cut in half
    const z = new Float64Array(n + 2);
    fillStandardNormal(streams(1).get('z'), z, 1, n);
    expect(z[0]).toBe(0);
    expect(z[n + 1]).toBe(0);
    let m1 = 0, m2 = 0, m4 = 0, tail = 0;
    for (let k = 1; k <= n; k++) {
      const v = z[k];
      m1 += v;
      m2 += v * v;
      m4 += v ** 4;
      if (Math.abs(v) > 1.959963984540054) tail++;
    }
    expect(Math.abs(m1 / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(m2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(m4 / n - 3)).toBeLessThan(0.2);
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(4 * Math.sqrt(0.0475 / n));
  });

  it('is a pure function of the seed', () => {
    const a = new Float64Array(11);
    const b = new Float64Array(11);
    fillStandardNormal(streams(5).get('z'), a, 0, 11);
    fillStandardNormal(streams(5).get('z'), b, 0, 11);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

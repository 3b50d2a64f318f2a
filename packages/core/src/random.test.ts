import { describe, expect, it } from 'vitest';
import { Rng, streams } from './random';

describe('seeded randomness', () => {
  it('the same seed and stream give the same draws', () => {
    const a = streams(7).get('train');
    const b = streams(7).get('train');
    for (let i = 0; i < 100; i++) expect(a.normal()).toBe(b.normal());
  });

  it('named streams are independent: different sequences and negligible correlation', () => {
    const s = streams(7);
    const a = s.get('train').fillNormal(new Float64Array(20000));
    const b = s.get('test').fillNormal(new Float64Array(20000));
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
    // For independent N(0,1) pairs the sample correlation has std 1/sqrt(n) ≈ 0.007.
    expect(Math.abs(dot / a.length)).toBeLessThan(0.03);
    expect(a[0]).not.toBe(b[0]);
    expect(streams(8).get('train').uniform()).not.toBe(streams(7).get('train').uniform());
  });

  it('uniform draws have mean 1/2 and variance 1/12; normal draws mean 0 and variance 1', () => {
    const n = 50000;
    const u = new Rng(3).fillUniform(new Float64Array(n));
    const z = new Rng(4).fillNormal(new Float64Array(n));
    const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
    const variance = (x: Float64Array) => {
      const m = mean(x);
      return x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
    };
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(0.002);
    expect(Math.abs(mean(z))).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance(z) - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('shuffle is a permutation', () => {
    const a = new Rng(5).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rejects a non-integer seed', () => {
    expect(() => streams(1.5)).toThrow(/seed/);
  });
});

describe('small seeds', () => {
  it('first draws of small raw seeds are not degenerate', () => {
    const first = [0, 1, 2, 3, 42].map((s) => new Rng(s).uniform());
    // Five independent U(0,1) draws all above 0.99 has probability 1e-10.
    expect(first.every((u) => u > 0.99)).toBe(false);
    expect(new Set(first).size).toBe(5);
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationError, streams } from '@rrm/core';
import { createRician } from './rician';

const rngOf = (seed: number) => streams(seed).get('rician');

function moments(g: Float64Array): { mean: number; variance: number } {
  let mean = 0;
  for (const v of g) mean += v;
  mean /= g.length;
  let ss = 0;
  for (const v of g) ss += (v - mean) ** 2;
  return { mean, variance: ss / (g.length - 1) };
}

describe('rician', () => {
  const v = 2;
  const users = 20;
  const batch = 25; // 10 000 gains per κ

  it('has mean power v for every K-factor and Var|h|² = v²(1+2κ)/(1+κ)², shrinking as κ grows', () => {
    let previous = Infinity;
    for (const kFactor of [0, 1, 4, 20]) {
      const g = createRician({ kFactor, variance: v }).generate({ batch, users, rng: rngOf(kFactor + 1) }).gains;
      const { mean, variance } = moments(g);
      const expectedVar = (v * v * (1 + 2 * kFactor)) / (1 + kFactor) ** 2;
      expect(Math.abs(mean - v)).toBeLessThan(4 * Math.sqrt(expectedVar / g.length));
      expect(Math.abs(variance / expectedVar - 1)).toBeLessThan(0.1);
      expect(variance).toBeLessThan(previous);
      previous = variance;
    }
  });

  it('reduces to Rayleigh at κ = 0: P(|h|² > 1) = e^{-1/v}', () => {
    const g = createRician({ kFactor: 0, variance: v }).generate({ batch, users, rng: rngOf(11) }).gains;
    const p = Math.exp(-1 / v);
    const frac = g.filter((x) => x > 1).length / g.length;
    expect(Math.abs(frac - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / g.length));
  });

  it('is deterministic for a seed, differs between seeds, and is prefix-stable', () => {
    const m = createRician({ kFactor: 3 });
    const a = m.generate({ batch: 4, users: 3, rng: rngOf(5) }).gains;
    const b = m.generate({ batch: 4, users: 3, rng: rngOf(5) }).gains;
    const c = m.generate({ batch: 4, users: 3, rng: rngOf(6) }).gains;
    const big = m.generate({ batch: 8, users: 3, rng: rngOf(5) }).gains;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(big.subarray(0, a.length))).toEqual(Array.from(a));
  });

  it('resolves defaults (κ = 1, v = 1) and validates options', () => {
    expect(createRician().options).toEqual({ kFactor: 1, variance: 1, etaLc: 0, weights: 'ones', gain: 'power' });
    for (const [opts, field] of [
      [{ kFactor: -1 }, 'ch.kFactor'],
      [{ variance: -2 }, 'ch.variance'],
      [{ kfactor: 2 }, 'ch.kfactor'],
      [{ etaLc: -0.1 }, 'ch.etaLc'],
    ] as const) {
      expect(() => createRician(opts, 'ch')).toThrow(ValidationError);
      try {
        createRician(opts, 'ch');
      } catch (e) {
        expect((e as ValidationError).field).toBe(field);
      }
    }
  });

  it('applies etaLc and weights like every model', () => {
    const out = createRician({ etaLc: 1, weights: 'uniform' }).generate({ batch: 2, users: 4, rng: rngOf(9) });
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          const g = out.gains[(b * 4 + i) * 4 + j];
          if (i === j) expect(g).toBeGreaterThan(0);
          else expect(g).toBe(0);
        }
      }
    }
    expect(out.weights!.length).toBe(8);
  });
});

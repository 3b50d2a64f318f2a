import { describe, expect, it } from 'vitest';
import { Rng } from '@rrm/core';
import { OrnsteinUhlenbeck, createNoise, noiseScale, resolveNoiseOptions } from './noise';

describe('exploration noise', () => {
  it('keeps actions in [0, pmax]', () => {
    for (const kind of ['gaussian', 'ou'] as const) {
      const noise = createNoise(resolveNoiseOptions({ kind, scale: 2, decay: 1 }));
      const rng = new Rng(3);
      const mu = new Float64Array(1000).map((_, i) => (i % 3) * 0.5 * 4);
      for (let step = 0; step < 5; step++) {
        const a = noise.perturb(mu, step, 4, rng);
        for (const v of a) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(4);
        }
        expect(a.some((v, i) => v !== mu[i])).toBe(true);
      }
    }
  });

  it('OU reverts to its mean as E[x_n] = μ + (x0 − μ)(1 − θ)^n', () => {
    const theta = 0.2;
    const ou = new OrnsteinUhlenbeck(20000, theta, 0.5, 0.3, 3);
    const rng = new Rng(11);
    for (let n = 1; n <= 10; n++) {
      const x = ou.step(rng);
      const m = x.reduce((a, b) => a + b, 0) / x.length;
      const expected = 0.5 + (3 - 0.5) * (1 - theta) ** n;
      // std of the mean: σ·sqrt(Σ (1−θ)^{2i}) / sqrt(N) < 0.3·1.7/141 ≈ 0.004
      expect(Math.abs(m - expected)).toBeLessThan(0.015);
    }
  });

  it('decays exponentially or linearly to the floor', () => {
    const exp = resolveNoiseOptions({ scale: 0.5, decay: 0.9, min: 0.1 });
    expect(noiseScale(exp, 0)).toBe(0.5);
    expect(noiseScale(exp, 2)).toBeCloseTo(0.5 * 0.81, 12);
    expect(noiseScale(exp, 100)).toBe(0.1);
    const lin = resolveNoiseOptions({ scale: 0.5, decay: 0.01, min: 0.2, schedule: 'linear' });
    expect(noiseScale(lin, 10)).toBeCloseTo(0.4, 12);
    expect(noiseScale(lin, 1000)).toBe(0.2);
    // the empirical spread follows the schedule
    const g = createNoise(resolveNoiseOptions({ scale: 0.1, decay: 0.9, min: 0.02 }));
    const rng = new Rng(5);
    const mu = new Float64Array(20000).fill(5);
    const spread = (step: number) => {
      const a = g.perturb(mu, step, 10, rng);
      return Math.sqrt(a.reduce((s, v) => s + (v - 5) ** 2, 0) / a.length);
    };
    expect(spread(0)).toBeCloseTo(1, 1);
    expect(spread(100)).toBeCloseTo(0.2, 1);
  });

  it('validates options with field names', () => {
    expect(() => resolveNoiseOptions({ kind: 'pink' })).toThrow(/trainer\.noise\.kind/);
    expect(() => resolveNoiseOptions({ decay: 2 })).toThrow(/trainer\.noise\.decay/);
    expect(() => resolveNoiseOptions({ scale: 0.1, min: 0.5 })).toThrow(/trainer\.noise\.min/);
    expect(() => resolveNoiseOptions({ sigma: 1 })).toThrow(/trainer\.noise\.sigma/);
  });
});

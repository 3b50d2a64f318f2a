import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { makeChannelBatch, meanSumRate, readNpy, sumRates, ValidationError } from '@rrm/core';
import { wmmse } from './wmmse';
import { binaryPower, fullPower } from './baselines';
import { gaussianIC, maxAbsDiff, mean, naiveWmmse, problemOf, uniformWeights, wideIC } from './test-utils';

const rate = (p: ReturnType<typeof problemOf>, powers: Float64Array) =>
  sumRates(p.channels, powers, { noise: p.noise, weights: p.weights });

describe('wmmse: convergence and invariants', () => {
  it('never decreases the weighted sum rate (trace and independent evaluation)', () => {
    const channels = gaussianIC(24, 8, 11, uniformWeights(24, 8, 12));
    const problem = problemOf(channels);
    for (const init of ['pmax', 'random'] as const) {
      const { trace, powers } = wmmse(problem, { iterations: 60, trace: true, init, seed: 3 });
      expect(trace).toBeDefined();
      const tr = trace as Float64Array;
      for (let t = 0; t < 60; t++) {
        for (let b = 0; b < 24; b++) {
          const prev = tr[t * 24 + b];
          expect(tr[(t + 1) * 24 + b]).toBeGreaterThanOrEqual(prev - 1e-9 * Math.abs(prev));
        }
      }
      // The trace's last row is the objective of the returned powers, evaluated by core's objective.
      const final = rate(problem, powers);
      for (let b = 0; b < 24; b++) expect(tr[60 * 24 + b]).toBeCloseTo(final[b], 10);
    }
    // Independently of the trace: core's sum rate after n updates, for n = 0..25.
    let previous = rate(problem, wmmse(problem, { iterations: 0 }).powers);
    for (let n = 1; n <= 25; n++) {
      const current = rate(problem, wmmse(problem, { iterations: n }).powers);
      for (let b = 0; b < 24; b++) expect(current[b]).toBeGreaterThanOrEqual(previous[b] - 1e-9 * Math.abs(previous[b]));
      previous = current;
    }
  });

  it('matches a naive scalar implementation of the same equations', () => {
    const channels = gaussianIC(30, 7, 5, uniformWeights(30, 7, 6));
    const problem = problemOf(channels, { noise: 0.5, pmax: 2 });
    expect(maxAbsDiff(wmmse(problem, { iterations: 40 }).powers, naiveWmmse(problem, 40))).toBeLessThan(1e-9);
  });

  it('matches the naive implementation for every kernel shape (K odd/even, K mod 4, large K)', () => {
    for (const K of [1, 2, 3, 4, 5, 6, 9, 13, 33, 64]) {
      const B = K > 30 ? 3 : 8;
      const problem = problemOf(gaussianIC(B, K, 100 + K, uniformWeights(B, K, 200 + K)), { noise: 0.3 });
      expect(maxAbsDiff(wmmse(problem, { iterations: 25 }).powers, naiveWmmse(problem, 25))).toBeLessThan(1e-9);
    }
  });

  it('gives p_max to a single link', () => {
    const channels = makeChannelBatch([0.3, 2, 1e-4], [3, 1, 1]);
    const { powers } = wmmse(problemOf(channels, { pmax: 2.5 }));
    expect(Array.from(powers)).toEqual([2.5, 2.5, 2.5]);
  });

  it('for two links (equal weights): exhaustive binary equals a fine grid search, and WMMSE never exceeds it', () => {
    // Binary power control is optimal for two links (Gjendemsjø et al. 2008).
    const B = 40;
    const channels = gaussianIC(B, 2, 21);
    const problem = problemOf(channels);
    const binary = rate(problem, binaryPower(problem).powers);
    const ours = rate(problem, wmmse(problem).powers);
    const n = 200;
    for (let b = 0; b < B; b++) {
      const g = channels.gains.subarray(b * 4, b * 4 + 4);
      let grid = 0;
      for (let s = 0; s <= n; s++) {
        for (let t = 0; t <= n; t++) {
          const p1 = s / n;
          const p2 = t / n;
          const r = Math.log2(1 + (g[0] * p1) / (g[1] * p2 + 1)) + Math.log2(1 + (g[3] * p2) / (g[2] * p1 + 1));
          if (r > grid) grid = r;
        }
      }
      expect(binary[b]).toBeCloseTo(grid, 12); // the grid contains the four binary corners
      expect(ours[b]).toBeLessThanOrEqual(grid + 1e-12);
    }
  });

  it('keeps powers in [0, p_max] on gains spanning eight orders of magnitude', () => {
    const channels = wideIC(50, 9, 31);
    for (const init of ['pmax', 'random'] as const) {
      const { powers, objective } = wmmse(problemOf(channels, { pmax: 3.7, noise: 0.01 }), { init, restarts: 2 });
      for (const p of powers) {
        expect(Number.isFinite(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(3.7);
      }
      for (const o of objective) expect(Number.isFinite(o)).toBe(true);
    }
  });

  it('respects weights: a zero-weight link that interferes is switched off; scaling all weights changes nothing', () => {
    const B = 20;
    const K = 6;
    const w = uniformWeights(B, K, 41);
    for (let b = 0; b < B; b++) w[b * K + 2] = 0;
    const channels = gaussianIC(B, K, 42, w);
    const { powers } = wmmse(problemOf(channels), { iterations: 5 });
    for (let b = 0; b < B; b++) expect(powers[b * K + 2]).toBe(0);

    // The update is invariant to λ → cλ (numerator and denominator scale alike).
    const scaled = gaussianIC(B, K, 42, w.map((x) => 7.5 * x));
    expect(maxAbsDiff(wmmse(problemOf(scaled)).powers, wmmse(problemOf(channels)).powers)).toBeLessThan(1e-12);
  });

  it('best of R restarts is at least the single run, per sample', () => {
    const channels = gaussianIC(40, 10, 51);
    const problem = problemOf(channels);
    const single = rate(problem, wmmse(problem).powers);
    const best = wmmse(problem, { restarts: 6, seed: 9 });
    const bestRate = rate(problem, best.powers);
    for (let b = 0; b < 40; b++) {
      expect(bestRate[b]).toBeGreaterThanOrEqual(single[b] - 1e-12);
      expect(best.objective[b]).toBeCloseTo(bestRate[b], 10);
    }
    // ... and at least each random start on its own (restart r of sample b is the same start in every call).
    const randomOnly = rate(problem, wmmse(problem, { init: 'random', seed: 9 }).powers);
    for (let b = 0; b < 40; b++) expect(bestRate[b]).toBeGreaterThanOrEqual(randomOnly[b] - 1e-12);
  });
});

describe('wmmse: reference values on the Gaussian interference channel (σ² = 1, p_max = 1, K = 10)', () => {
  // METHODS.md / Sun et al.: WMMSE-100 from full power ≈ 2.83 bit/s/Hz, full power ≈ 1.43, binary ≈ 2.89.
  const channels = gaussianIC(4000, 10, 2026);
  const problem = problemOf(channels);

  it('WMMSE-100 ≈ 2.83 and full power ≈ 1.43', () => {
    expect(meanSumRate(channels, wmmse(problem).powers, { noise: 1 })).toBeCloseTo(2.83, 1);
    expect(Math.abs(meanSumRate(channels, wmmse(problem).powers, { noise: 1 }) - 2.83)).toBeLessThan(0.05);
    expect(Math.abs(meanSumRate(channels, fullPower(problem), { noise: 1 }) - 1.43)).toBeLessThan(0.05);
  });

  it('exhaustive binary ≈ 2.89', () => {
    expect(Math.abs(meanSumRate(channels, binaryPower(problem).powers, { noise: 1 }) - 2.89)).toBeLessThan(0.05);
  });
});

describe('wmmse: options', () => {
  const channels = gaussianIC(60, 10, 61);
  const problem = problemOf(channels);

  it('tolerance mode stops early and agrees with the fixed-iteration result', () => {
    const full = wmmse(problem, { iterations: 300 });
    const early = wmmse(problem, { iterations: 300, tolerance: 1e-6 });
    expect(mean(early.iterations)).toBeLessThan(300);
    expect(Math.min(...early.iterations)).toBeGreaterThan(0);
    for (let b = 0; b < 60; b++) expect(Math.abs(early.objective[b] - full.objective[b])).toBeLessThan(1e-3);
    // A loose tolerance stops sooner than a tight one.
    expect(mean(wmmse(problem, { iterations: 300, tolerance: 1e-2 }).iterations)).toBeLessThan(mean(early.iterations));
    // Without a tolerance every sample runs all iterations.
    expect(Array.from(full.iterations).every((n) => n === 300)).toBe(true);
  });

  it('is deterministic; random starts follow the seed', () => {
    const a = wmmse(problem, { init: 'random', restarts: 3, seed: 5 }).powers;
    const b = wmmse(problem, { init: 'random', restarts: 3, seed: 5 }).powers;
    const c = wmmse(problem, { init: 'random', restarts: 3, seed: 6 }).powers;
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0);
  });

  it("init: 'given' starts from problem.init and is validated", () => {
    const start = new Float64Array(60 * 10).fill(1);
    expect(maxAbsDiff(wmmse({ ...problem, init: start }, { init: 'given' }).powers, wmmse(problem).powers)).toBe(0);
    const half = start.map(() => 0.5);
    expect(maxAbsDiff(wmmse({ ...problem, init: half }, { init: 'given', iterations: 30 }).powers, naiveWmmse(problem, 30, half))).toBeLessThan(1e-9);

    expect(() => wmmse(problem, { init: 'given' })).toThrow(ValidationError);
    expect(() => wmmse(problem, { init: 'given' })).toThrow(/problem\.init.*init: 'given'/);
    expect(() => wmmse({ ...problem, init: new Float64Array(10) }, { init: 'given' })).toThrow(/problem\.init: expected 600 powers/);
    const bad = start.slice();
    bad[7] = 1.5;
    expect(() => wmmse({ ...problem, init: bad }, { init: 'given' })).toThrow(/problem\.init\[7\]/);
  });

  it('rejects bad option values and problems with a field name', () => {
    expect(() => wmmse(problem, { iterations: -1 })).toThrow(/wmmse\.iterations/);
    expect(() => wmmse(problem, { restarts: 0 })).toThrow(/wmmse\.restarts/);
    expect(() => wmmse(problem, { init: 'zero' as never })).toThrow(/wmmse\.init/);
    expect(() => wmmse(problem, { tolerance: -1 })).toThrow(/wmmse\.tolerance/);
    expect(() => wmmse({ ...problem, noise: 0 })).toThrow(/problem\.noise/);
    expect(() => wmmse({ ...problem, pmax: Number.NaN })).toThrow(/problem\.pmax/);
    expect(() => wmmse({ ...problem, weights: new Float64Array(3) })).toThrow(/problem\.weights/);
  });

  it('takes scenario weights (length K) from the problem', () => {
    const w = Float64Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
    const perSample = new Float64Array(600);
    for (let b = 0; b < 60; b++) perSample.set(w, b * 10);
    const viaProblem = wmmse({ ...problem, weights: w }).powers;
    const viaChannels = wmmse(problemOf(gaussianIC(60, 10, 61, perSample))).powers;
    expect(maxAbsDiff(viaProblem, viaChannels)).toBe(0);
  });
});

describe('wmmse: agreement with the independent NumPy reference (tools/reference/wmmse_numpy.py)', () => {
  const fixture = (name: string) => readNpy(fileURLToPath(new URL(`./fixtures/${name}.npy`, import.meta.url)));
  const gains = fixture('gains');
  const weights = fixture('weights');
  const [B, K] = [gains.shape[0], gains.shape[1]];
  const channels = makeChannelBatch(gains.data, gains.shape, { weights: weights.data });
  const problem = problemOf(channels);

  it('WMMSE-100 powers and weighted sum rates match NumPy', () => {
    const ours = wmmse(problem).powers;
    const theirs = Float64Array.from(fixture('wmmse100').data);
    expect(ours.length).toBe(B * K);
    expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-6);
    const a = rate(problem, ours);
    const b = rate(problem, theirs);
    for (let s = 0; s < B; s++) expect(Math.abs(a[s] - b[s])).toBeLessThanOrEqual(0.002 * Math.abs(b[s]) + 1e-12);
  });

  it("NumPy's FP-100 powers equal our WMMSE-100 powers (the updates are algebraically the same)", () => {
    const theirs = Float64Array.from(fixture('fp100').data);
    expect(maxAbsDiff(wmmse(problem).powers, theirs)).toBeLessThan(1e-6);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { makeChannelBatch, meanSumRate, readNpy, sumRates, ValidationError } from '@rrm/core';
import { shutdownWorkers, warmWorkers, workerPoolInfo } from '@rrm/core';
// WMMSE as an independent reference (FP's updates equal WMMSE's) and exhaustive binary: test-only (devDependency).
import { binaryPower, wmmse } from '@rrm/teachers-wmmse';
import { fplinq, schedule, solveFplinq } from './fplinq';
import { gaussianIC, maxAbsDiff, maxRelDiff, problemOf, uniformWeights, wideIC } from './test-utils';

afterAll(async () => {
  await shutdownWorkers();
});

const rate = (p: ReturnType<typeof problemOf>, powers: Float64Array) => sumRates(p.channels, powers, { noise: p.noise, weights: p.weights });

describe('fplinq: FP equals WMMSE for scalar channels', () => {
  const B = 40;
  const K = 10;
  const problem = problemOf(gaussianIC(B, K, 1, uniformWeights(B, K, 2)), { noise: 0.7, pmax: 2 });

  it('reaches the same iterates as WMMSE from the same start (every iteration count)', () => {
    for (const n of [1, 2, 5, 20, 100]) {
      expect(maxAbsDiff(fplinq(problem, { iterations: n }).powers, wmmse(problem, { iterations: n }).powers)).toBeLessThan(1e-11);
    }
    const random = { init: 'random' as const, seed: 3, iterations: 60 };
    expect(maxAbsDiff(fplinq(problem, random).powers, wmmse(problem, random).powers)).toBeLessThan(1e-11);
    const init = new Float64Array(B * K).map((_, i) => ((i * 37) % 11) / 5.5);
    const given = { ...problem, init };
    expect(maxAbsDiff(fplinq(given, { init: 'given' }).powers, wmmse(given, { init: 'given' }).powers)).toBeLessThan(1e-11);
  });

  it('reaches the same weighted sum rate', () => {
    const a = rate(problem, fplinq(problem).powers);
    const b = rate(problem, wmmse(problem).powers);
    expect(maxRelDiff(a, b)).toBeLessThan(1e-12);
  });
});

describe('fplinq: convergence, bounds, options', () => {
  it('never decreases the weighted sum rate', () => {
    const problem = problemOf(gaussianIC(24, 8, 5, uniformWeights(24, 8, 6)));
    const { trace, powers } = fplinq(problem, { iterations: 50, trace: true });
    const tr = trace as Float64Array;
    for (let t = 0; t < 50; t++) for (let b = 0; b < 24; b++) expect(tr[(t + 1) * 24 + b]).toBeGreaterThanOrEqual(tr[t * 24 + b] - 1e-9 * Math.abs(tr[t * 24 + b]));
    const final = rate(problem, powers);
    for (let b = 0; b < 24; b++) expect(tr[50 * 24 + b]).toBeCloseTo(final[b], 10);
    let previous = rate(problem, fplinq(problem, { iterations: 0 }).powers);
    for (let n = 1; n <= 15; n++) {
      const current = rate(problem, fplinq(problem, { iterations: n }).powers);
      for (let b = 0; b < 24; b++) expect(current[b]).toBeGreaterThanOrEqual(previous[b] - 1e-9 * Math.abs(previous[b]));
      previous = current;
    }
  });

  it('keeps powers in [0, p_max]', () => {
    const channels = wideIC(40, 9, 7);
    for (const init of ['pmax', 'random'] as const) {
      for (const p of fplinq(problemOf(channels, { pmax: 3.7, noise: 0.01 }), { init, restarts: 2 }).powers) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(3.7);
      }
    }
    expect(Array.from(fplinq(problemOf(makeChannelBatch([0.2, 5], [2, 1, 1]), { pmax: 2.5 })).powers)).toEqual([2.5, 2.5]);
  });

  it('best of R restarts is at least the single run; tolerance mode stops early and agrees', () => {
    const problem = problemOf(gaussianIC(40, 10, 8));
    const single = fplinq(problem);
    const best = fplinq(problem, { restarts: 5, seed: 1 });
    for (let b = 0; b < 40; b++) expect(best.objective[b]).toBeGreaterThanOrEqual(single.objective[b] - 1e-12);
    const early = fplinq(problem, { iterations: 300, tolerance: 1e-6 });
    const long = fplinq(problem, { iterations: 300 });
    expect(Array.from(early.iterations).some((n) => n < 300)).toBe(true);
    for (let b = 0; b < 40; b++) expect(Math.abs(early.objective[b] - long.objective[b])).toBeLessThan(1e-3);
  });

  it('validates options and init', () => {
    const problem = problemOf(gaussianIC(4, 3, 9));
    expect(() => fplinq(problem, { init: 'given' })).toThrow(/problem\.init/);
    expect(() => fplinq(problem, { mode: 'binary' as never })).toThrow(/fplinq\.mode/);
    expect(() => fplinq(problem, { threshold: 0 })).toThrow(/fplinq\.threshold/);
    expect(() => fplinq(problem, { threshold: 1.5 })).toThrow(ValidationError);
    expect(() => fplinq(problem, { iterations: 1.5 })).toThrow(/fplinq\.iterations/);
  });
});

describe('fplinq: schedule mode', () => {
  const B = 200;
  const K = 10;
  const problem = problemOf(gaussianIC(B, K, 11), { pmax: 2 });

  it('returns only {0, p_max}, thresholding the FP powers', () => {
    const power = fplinq(problem).powers;
    for (const threshold of [0.5, 0.1, 0.9]) {
      const s = fplinq(problem, { mode: 'schedule', threshold });
      expect(s.mode).toBe('schedule');
      expect(maxAbsDiff(s.fpPowers, power)).toBe(0);
      for (let b = 0; b < B; b++) {
        let on = 0;
        for (let i = 0; i < K; i++) {
          const p = s.powers[b * K + i];
          expect([0, 2]).toContain(p);
          if (p === 2) on++;
          if (power[b * K + i] >= threshold * 2) expect(p).toBe(2);
        }
        expect(on).toBeGreaterThan(0);
      }
      const exact = rate(problem, s.powers);
      for (let b = 0; b < B; b++) expect(s.objective[b]).toBeCloseTo(exact[b], 10);
    }
  });

  it('scheduling is close to the exhaustive binary optimum and never above it', () => {
    const s = fplinq(problem, { mode: 'schedule' }).powers;
    const best = binaryPower(problem).powers;
    const rs = rate(problem, s);
    const rb = rate(problem, best);
    for (let b = 0; b < B; b++) expect(rs[b]).toBeLessThanOrEqual(rb[b] + 1e-12);
    expect(meanSumRate(problem.channels, s, { noise: 1 }) / meanSumRate(problem.channels, best, { noise: 1 })).toBeGreaterThan(0.95);
  });

  it('turns on the strongest FP link when none passes the threshold', () => {
    const p = Float64Array.from([0.1, 0.3, 0.2, 0.05, 0.05, 0.05]);
    expect(Array.from(schedule(p, 2, 3, 1, 0.5))).toEqual([0, 1, 0, 1, 0, 0]);
  });
});

describe('fplinq: parallel and NumPy reference', () => {
  it('workers = 2 gives results identical to one thread (power and schedule mode)', async () => {
    const problem = problemOf(gaussianIC(80, 8, 21, uniformWeights(80, 8, 22)));
    expect(await warmWorkers(1, new URL('./fplinq.ts', import.meta.url).href)).toBe(true);
    for (const mode of ['power', 'schedule'] as const) {
      const options = { mode, init: 'random' as const, restarts: 2, seed: 5, iterations: 40 };
      const two = await solveFplinq(problem, { ...options, workers: 2 });
      expect(workerPoolInfo().lastRun.remoteChunks).toBeGreaterThan(0);
      expect(maxAbsDiff(two, await solveFplinq(problem, { ...options, workers: 1 }))).toBe(0);
      expect(maxAbsDiff(two, fplinq(problem, options).powers)).toBe(0);
    }
  });

  it('FP-100 powers and weighted sum rates match tools/reference/wmmse_numpy.py', () => {
    const fixture = (name: string) => readNpy(fileURLToPath(new URL(`./fixtures/${name}.npy`, import.meta.url)));
    const gains = fixture('gains');
    const channels = makeChannelBatch(gains.data, gains.shape, { weights: fixture('weights').data });
    const problem = problemOf(channels);
    const ours = fplinq(problem).powers;
    const theirs = Float64Array.from(fixture('fp100').data);
    expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-6);
    const a = rate(problem, ours);
    const b = rate(problem, theirs);
    for (let s = 0; s < a.length; s++) expect(Math.abs(a[s] - b[s])).toBeLessThanOrEqual(0.002 * Math.abs(b[s]) + 1e-12);
  });
});

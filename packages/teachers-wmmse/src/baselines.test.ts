import { describe, expect, it } from 'vitest';
import { sumRates, ValidationError } from '@rrm/core';
import { binaryPower, fullPower, randomPower, solveBinary } from './baselines';
import { gaussianIC, maxAbsDiff, problemOf, uniformWeights, wideIC } from './test-utils';

describe('baseline teachers', () => {
  it('full power puts every link at p_max', () => {
    const problem = problemOf(gaussianIC(3, 4, 1), { pmax: 2 });
    expect(Array.from(fullPower(problem))).toEqual(new Array(12).fill(2));
  });

  it('random power is uniform on [0, p_max] and follows the seed', () => {
    const problem = problemOf(gaussianIC(200, 5, 1), { pmax: 3 });
    const a = randomPower(problem, 7);
    expect(maxAbsDiff(a, randomPower(problem, 7))).toBe(0);
    expect(maxAbsDiff(a, randomPower(problem, 8))).toBeGreaterThan(0);
    let sum = 0;
    for (const p of a) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(3);
      sum += p;
    }
    expect(sum / a.length).toBeGreaterThan(1.35);
    expect(sum / a.length).toBeLessThan(1.65);
  });

  it('binary equals brute force over all 2^K allocations evaluated by core (equal and random weights)', () => {
    const B = 15;
    const K = 5;
    for (const channels of [gaussianIC(B, K, 3), gaussianIC(B, K, 4, uniformWeights(B, K, 5)), wideIC(B, K, 6)]) {
      const problem = problemOf(channels, { noise: 0.3, pmax: 2 });
      const { powers, objective } = binaryPower(problem);
      const ours = sumRates(channels, powers, { noise: 0.3 });
      for (let b = 0; b < B; b++) {
        const one = { batch: 1, users: K, gains: channels.gains.subarray(b * K * K, (b + 1) * K * K), weights: channels.weights?.subarray(b * K, (b + 1) * K) };
        let best = -Infinity;
        for (let mask = 0; mask < 2 ** K; mask++) {
          const p = Float64Array.from({ length: K }, (_, i) => ((mask >> i) & 1 ? 2 : 0));
          best = Math.max(best, sumRates(one, p, { noise: 0.3 })[0]);
        }
        expect(ours[b]).toBeCloseTo(best, 10);
        expect(objective[b]).toBeCloseTo(best, 10);
        for (let i = 0; i < K; i++) expect([0, 2]).toContain(powers[b * K + i]);
      }
    }
  });

  it('binary refuses more than 20 links', async () => {
    const problem = problemOf(gaussianIC(1, 21, 1));
    expect(() => binaryPower(problem)).toThrow(ValidationError);
    expect(() => binaryPower(problem)).toThrow(/at most 20 links/);
    await expect(solveBinary(problem)).rejects.toThrow(/at most 20 links/);
  });

  it('binary handles K = 1 and K = 12', () => {
    expect(Array.from(binaryPower(problemOf(gaussianIC(2, 1, 1))).powers)).toEqual([1, 1]);
    const problem = problemOf(gaussianIC(2, 12, 9));
    const { objective } = binaryPower(problem);
    const full = sumRates(problem.channels, fullPower(problem), { noise: 1 });
    for (let b = 0; b < 2; b++) expect(objective[b]).toBeGreaterThanOrEqual(full[b]);
  });
});

import { describe, expect, it } from 'vitest';
import { seedStats, tQuantile975 } from './stats';

describe('statistics over seeds', () => {
  it("Student t quantiles: the table and the expansion beyond it", () => {
    expect(tQuantile975(1)).toBeCloseTo(12.7062, 3);
    expect(tQuantile975(2)).toBeCloseTo(4.3027, 3);
    expect(tQuantile975(30)).toBeCloseTo(2.0423, 3);
    expect(tQuantile975(40)).toBeCloseTo(2.0211, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile975(1e9)).toBeCloseTo(1.96, 3);
  });

  it('mean, sample std, a t-based 95 % CI and n; one value has no interval', () => {
    const s = seedStats([1, 2, 3])!;
    expect(s.mean).toBe(2);
    expect(s.std).toBeCloseTo(1, 12);
    expect(s.ciHigh! - s.mean).toBeCloseTo((4.302653 * 1) / Math.sqrt(3), 6);
    expect(s.ciLow! + s.ciHigh!).toBeCloseTo(4, 12);
    expect(s.n).toBe(3);
    expect(seedStats([5])).toEqual({ mean: 5, std: null, ciLow: null, ciHigh: null, n: 1 });
    expect(seedStats([])).toBeUndefined();
    expect(seedStats([1, NaN, 3])!.n).toBe(2);
  });
});

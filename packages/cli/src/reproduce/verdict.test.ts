import { describe, expect, it } from 'vitest';
import { groupResults, verdictOf, type Observation } from './verdict';
import { rateAtFraction } from './reproduce';

const obs = (variant: string, values: number[]): Observation[] => values.map((v, seed) => ({ point: { variant }, seed, metrics: { finalTestSumRate: v } }));

describe('reproduction verdicts', () => {
  const groups = groupResults([...obs('ad', [1.86, 1.87, 1.85]), ...obs('sup', [1.80, 1.81, 1.82]), ...obs('unsup', [1.9, 1.91, 1.92])], ['variant']);
  const claim = (better: string, than: string) => ({ text: `${better} > ${than}`, metric: 'finalTestSumRate' as const, better: { variant: better }, than: { variant: than }, lower: false });
  const paperValues = (rows: [string, number][]) => ({ metric: 'finalTestSumRate' as const, tolerance: 0.02, source: 'test', rows: rows.map(([v, value]) => ({ where: { variant: v }, value })) });

  it('pools seeds: mean and a t-interval (n = 3: t = 4.303)', () => {
    const ad = groups.find((g) => g.point.variant === 'ad')!.stats.finalTestSumRate!;
    expect(ad.mean).toBeCloseTo(1.86, 12);
    expect(ad.ciHigh! - ad.mean).toBeCloseTo((4.302653 * 0.01) / Math.sqrt(3), 6);
  });

  it('reproduced: every ordering holds and every value is within tolerance', () => {
    const v = verdictOf({ claims: [claim('ad', 'sup')], paperValues: paperValues([['ad', 1.85], ['sup', 1.82]]) }, groups);
    expect(v.kind).toBe('reproduced');
    expect(v.claims[0]).toMatchObject({ holds: true, significant: true });
    expect(v.reason).toMatch(/1 of 1 claimed orderings hold, 1 of them with 95 % CIs apart; 2 of 2 paper values are within ±0.02/);
  });

  it('partly: orderings hold but a level is off, or some orderings fail', () => {
    expect(verdictOf({ claims: [claim('ad', 'sup')], paperValues: paperValues([['ad', 1.5]]) }, groups).kind).toBe('partly reproduced');
    const v = verdictOf({ claims: [claim('ad', 'sup'), claim('ad', 'unsup')], paperValues: undefined }, groups);
    expect(v.kind).toBe('partly reproduced');
    expect(v.reason).toMatch(/"ad > unsup" fails \(1\.8600 vs 1\.9100\)/);
  });

  it('not reproduced: no ordering holds and no value is close; lower-is-better claims flip the test', () => {
    expect(verdictOf({ claims: [claim('sup', 'ad')], paperValues: paperValues([['ad', 2.5]]) }, groups).kind).toBe('not reproduced');
    const lower = { ...claim('sup', 'ad'), lower: true };
    expect(verdictOf({ claims: [lower], paperValues: undefined }, groups).kind).toBe('reproduced');
  });

  it('not run: nothing measured for the compared points', () => {
    expect(verdictOf({ claims: [claim('rl', 'sup')], paperValues: paperValues([['rl', 1]]) }, groups).kind).toBe('not run');
  });

  it('measured: an experiment with neither claims nor paper values (a choice on a validation split)', () => {
    expect(verdictOf({ claims: [], paperValues: undefined }, groups).kind).toBe('measured');
  });

  it('rate after a fraction of training: the first record at or past that many samples', () => {
    const rec = (samples: number, testSumRate: number) => ({ epoch: 0, step: 0, samples, testSumRate, pctReference: null, trainSeconds: 0, wallSeconds: 0 });
    const records = [rec(0, 1), rec(100, 2), rec(200, 3), rec(300, 4), rec(400, 5)];
    expect(rateAtFraction(records, 0.25)).toBe(2);
    expect(rateAtFraction(records, 0.5)).toBe(3);
    expect(rateAtFraction(records, 0.3)).toBe(3);
    expect(rateAtFraction([], 0.5)).toBeNull();
  });
});

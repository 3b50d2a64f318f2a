import { describe, expect, it } from 'vitest';
import { ValidationError, streams } from '@rrm/core';
import { RAYLEIGH_DEFAULTS, createRayleigh, fillRayleigh, generateRayleigh } from './rayleigh';

const rngOf = (seed: number, name = 'test') => streams(seed).get(name);

function offDiagonal(gains: Float64Array, users: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < gains.length; n++) {
    const i = Math.floor((n % (users * users)) / users);
    if (i !== n % users) out.push(gains[n]);
  }
  return out;
}

describe('rayleigh', () => {
  const variance = 2.5;
  const model = createRayleigh({ variance });
  const batch = model.generate({ batch: 20, users: 20, rng: rngOf(1) }); // 8 000 gains
  const g = batch.gains;
  const n = g.length;

  it('has the convention shape [B, K, K] and non-negative finite gains', () => {
    expect(batch.batch).toBe(20);
    expect(batch.users).toBe(20);
    expect(n).toBe(20 * 20 * 20);
    expect(g.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(batch.weights).toBeUndefined();
    expect(batch.geometry).toBeUndefined();
  });

  it('has mean |h|² = v within a 4σ confidence interval', () => {
    let mean = 0;
    for (const v of g) mean += v;
    mean /= n;
    // |h|² ~ Exp(mean v): standard deviation v, so the sample mean has std v/√n.
    expect(Math.abs(mean - variance)).toBeLessThan((4 * variance) / Math.sqrt(n));
  });

  it('is exponential: P(|h|² > 1) = e^{-1/v}, and the whole CDF passes a KS test', () => {
    const p = Math.exp(-1 / variance);
    let count = 0;
    for (const v of g) if (v > 1) count++;
    expect(Math.abs(count / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    const sorted = Float64Array.from(g).sort();
    let d = 0;
    for (let k = 0; k < n; k++) {
      const cdf = 1 - Math.exp(-sorted[k] / variance);
      d = Math.max(d, Math.abs(cdf - k / n), Math.abs(cdf - (k + 1) / n));
    }
    expect(d).toBeLessThan(1.63 / Math.sqrt(n)); // 1 % critical value
  });

  it('matches squaring two N(0, v/2) parts in the second moment: E|h|⁴ = 2v²', () => {
    let m2 = 0;
    for (const v of g) m2 += v * v;
    m2 /= n;
    expect(Math.abs(m2 / (2 * variance * variance) - 1)).toBeLessThan(0.08);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = model.generate({ batch: 3, users: 5, rng: rngOf(7) });
    const b = model.generate({ batch: 3, users: 5, rng: rngOf(7) });
    const c = model.generate({ batch: 3, users: 5, rng: rngOf(8) });
    expect(Array.from(a.gains)).toEqual(Array.from(b.gains));
    expect(Array.from(a.gains)).not.toEqual(Array.from(c.gains));
  });

  it('gives the same first samples whatever the batch size (prefix-stable data sets)', () => {
    const small = generateRayleigh({ batch: 3, users: 4, rng: rngOf(3) });
    const large = generateRayleigh({ batch: 6, users: 4, rng: rngOf(3) });
    expect(Array.from(large.gains.subarray(0, small.gains.length))).toEqual(Array.from(small.gains));
  });

  it('fills weights ~ U(0, 1) when weights = "uniform"', () => {
    const w = createRayleigh({ weights: 'uniform' }).generate({ batch: 50, users: 10, rng: rngOf(2) }).weights!;
    expect(w.length).toBe(500);
    expect(w.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.06);
  });

  it('removes interference links with probability etaLc and never a direct link', () => {
    const users = 10;
    const out = createRayleigh({ etaLc: 0.3 }).generate({ batch: 40, users, rng: rngOf(4) });
    const off = offDiagonal(out.gains, users);
    const removed = off.filter((v) => v === 0).length / off.length;
    expect(Math.abs(removed - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / off.length));
    for (let b = 0; b < 40; b++) for (let i = 0; i < users; i++) expect(out.gains[(b * users + i) * users + i]).toBeGreaterThan(0);
  });

  it('fillRayleigh fills only its range', () => {
    const out = new Float64Array(10);
    fillRayleigh(out, 2, 5, 1, rngOf(1));
    expect(out[0]).toBe(0);
    expect(out[9]).toBe(0);
    expect(out.subarray(2, 7).every((v) => v > 0)).toBe(true);
  });

  it('resolves defaults and validates options with field names', () => {
    expect(createRayleigh().options).toEqual(RAYLEIGH_DEFAULTS);
    expect(createRayleigh({}).options).toEqual({ variance: 1, etaLc: 0, weights: 'ones', gain: 'power' });
    const fail = (opts: unknown, field: string) => {
      try {
        createRayleigh(opts, 'channel');
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).field).toBe(field);
      }
    };
    fail({ variance: 0 }, 'channel.variance');
    fail({ variance: 'big' }, 'channel.variance');
    fail({ varience: 1 }, 'channel.varience');
    fail({ etaLc: 1.5 }, 'channel.etaLc');
    fail({ weights: 'random' }, 'channel.weights');
    fail('rayleigh', 'channel');
    expect(() => model.generate({ batch: 0, users: 3, rng: rngOf(1) })).toThrow(ValidationError);
    expect(() => model.generate({ batch: 2, users: 1.5, rng: rngOf(1) })).toThrow(ValidationError);
  });
});

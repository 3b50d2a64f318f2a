import { describe, expect, it } from 'vitest';
import { Rng, sumRates, type ChannelBatch } from '@rrm/core';
import { PowerControlEnvironment } from './environment';
import { rayleigh } from './test-fixtures';

describe('PowerControlEnvironment', () => {
  it('draws fresh seeded batches and pays the Float64 weighted sum rate', () => {
    const mk = () => new PowerControlEnvironment({ channel: rayleigh, users: 3, batch: 4, noise: 0.5, pmax: 1, rng: new Rng(1), weights: Float64Array.from([1, 2, 0.5]) });
    const a = mk();
    const b = mk();
    const s0 = a.state();
    expect(Array.from(s0.gains)).toEqual(Array.from(b.state().gains));
    const actions = new Float64Array(12).fill(0.7);
    const t = a.step(actions);
    expect(t.done).toBe(true);
    expect(Array.from(t.rewards)).toEqual(Array.from(sumRates(s0, actions, { noise: 0.5, weights: Float64Array.from([1, 2, 0.5]) })));
    expect(Array.from(t.weights.slice(0, 3))).toEqual([1, 2, 0.5]);
    expect(Array.from(a.state().gains)).not.toEqual(Array.from(s0.gains));
    expect(() => a.step(new Float64Array(5))).toThrow(/action/);
  });

  it('evolves the channels within an episode', () => {
    const evolve = (ch: ChannelBatch) => ({ ...ch, gains: ch.gains.map((g) => g * 0.5) });
    const env = new PowerControlEnvironment({ channel: rayleigh, users: 2, batch: 2, noise: 1, pmax: 1, rng: new Rng(2), evolve, episodeLength: 3 });
    const s0 = env.state();
    const a = new Float64Array(4).fill(1);
    const t1 = env.step(a);
    expect(t1.done).toBe(false);
    expect(t1.next.gains[0]).toBeCloseTo(s0.gains[0] * 0.5, 12);
    const t2 = env.step(a);
    expect(t2.done).toBe(false);
    expect(t2.next.gains[0]).toBeCloseTo(s0.gains[0] * 0.25, 12);
    const t3 = env.step(a);
    expect(t3.done).toBe(true);
    expect(env.episodeStep).toBe(0);
  });
});

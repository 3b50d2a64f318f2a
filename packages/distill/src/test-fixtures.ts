/** Test helpers (not exported): Rayleigh channels, WMMSE labels and a counting teacher. */
import { Rng, type ChannelBatch, type PowerProblem, type Teacher } from '@rrm/core';
import { generateRayleigh } from '@rrm/channels';
import { wmmse as runWmmse } from '@rrm/teachers-wmmse';

/** Exponential(1) power gains (|h|² with h ~ CN(0, 1)), from the channels package. */
export function rayleigh(batch: number, users: number, seed: number): ChannelBatch {
  return generateRayleigh({ batch, users, rng: new Rng(seed) });
}

/** WMMSE from full power with unit weights, from the teachers package. */
export function wmmse(ch: ChannelBatch, noise: number, pmax: number, iterations = 100): Float64Array {
  return runWmmse({ channels: ch, noise, pmax }, { iterations }).powers;
}

/** A local WMMSE teacher that counts its calls (for cache tests). */
export function countingWmmse(iterations = 20): Teacher & { calls: number } {
  const t = {
    kind: 'test-wmmse',
    options: { iterations, init: 'full' },
    calls: 0,
    async solve(problem: PowerProblem) {
      t.calls++;
      return wmmse(problem.channels, problem.noise, problem.pmax, iterations);
    },
  };
  return t;
}

/** Test helpers (not exported by the package). */
import { Rng, sumRates, type ChannelBatch } from '@rrm/core';
import { createRayleigh } from '@rrm/channels';
import { createMlp } from '@rrm/models-mlp';
import type { ModelBuilder } from '@rrm/core';

export const rayleigh = createRayleigh({});

export function testChannels(batch: number, users: number, seed: number): ChannelBatch {
  return rayleigh.generate({ batch, users, rng: new Rng(seed) });
}

export function mlpActorBuilder(hidden: number[] = [16]): ModelBuilder {
  return (ctx) => createMlp({ hidden, input: 'log' }, ctx);
}

/** max over the 2^K binary allocations of the sum rate, per sample (optimal for K = 2). */
export function exhaustiveBinary(channels: ChannelBatch, noise: number, pmax: number): Float64Array {
  const { batch, users } = channels;
  const best = new Float64Array(batch).fill(-Infinity);
  const p = new Float64Array(batch * users);
  for (let mask = 0; mask < 1 << users; mask++) {
    for (let b = 0; b < batch; b++) for (let i = 0; i < users; i++) p[b * users + i] = (mask >> i) & 1 ? pmax : 0;
    const r = sumRates(channels, p, { noise });
    for (let b = 0; b < batch; b++) best[b] = Math.max(best[b], r[b]);
  }
  return best;
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Rayleigh with the interference links scaled by `cross` (direct links unit mean). */
export function scaledRayleigh(cross: number): import('@rrm/core').ChannelModel {
  return {
    kind: 'scaled-rayleigh',
    options: { cross },
    generate(req) {
      const ch = rayleigh.generate(req);
      const g = ch.gains;
      const k = ch.users;
      for (let n = 0; n < g.length; n++) if (Math.floor(n / k) % k !== n % k) g[n] *= cross;
      return ch;
    },
  };
}

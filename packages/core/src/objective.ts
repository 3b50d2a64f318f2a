import type { ChannelBatch } from './channel-batch';
import { resolveWeights } from './channel-batch';

/**
 * The objective of both papers, in exact Float64 (the reference every other form is checked against):
 *   SINR_i = g_ii p_i / (Σ_{j≠i} g_ij p_j + σ²),   R = Σ_i λ_i log(1 + SINR_i).
 * Rates are in bit/s/Hz (log2) unless `unit: 'nats'`.
 */
export type RateUnit = 'bits' | 'nats';

export interface ObjectiveOptions {
  readonly noise: number;
  readonly weights?: Float64Array;
  readonly unit?: RateUnit;
}

const LN2 = Math.LN2;

/** Per-user SINR, [B, K]. */
export function sinr(channels: ChannelBatch, powers: ArrayLike<number>, noise: number): Float64Array {
  const { batch, users, gains } = channels;
  const out = new Float64Array(batch * users);
  for (let b = 0; b < batch; b++) {
    const g = b * users * users;
    const p = b * users;
    for (let i = 0; i < users; i++) {
      let interference = noise;
      const row = g + i * users;
      for (let j = 0; j < users; j++) if (j !== i) interference += gains[row + j] * powers[p + j];
      out[p + i] = (gains[row + i] * powers[p + i]) / interference;
    }
  }
  return out;
}

/** Per-user rates log(1 + SINR_i), [B, K] (unweighted). */
export function userRates(channels: ChannelBatch, powers: ArrayLike<number>, opts: ObjectiveOptions): Float64Array {
  const s = sinr(channels, powers, opts.noise);
  const scale = opts.unit === 'nats' ? 1 : 1 / LN2;
  for (let n = 0; n < s.length; n++) s[n] = Math.log1p(s[n]) * scale;
  return s;
}

/** Weighted sum rate per sample, [B]. */
export function sumRates(channels: ChannelBatch, powers: ArrayLike<number>, opts: ObjectiveOptions): Float64Array {
  const { batch, users } = channels;
  const rates = userRates(channels, powers, opts);
  const w = resolveWeights(channels, opts.weights);
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let acc = 0;
    for (let i = 0; i < users; i++) acc += w[b * users + i] * rates[b * users + i];
    out[b] = acc;
  }
  return out;
}

export function meanSumRate(channels: ChannelBatch, powers: ArrayLike<number>, opts: ObjectiveOptions): number {
  const r = sumRates(channels, powers, opts);
  let acc = 0;
  for (const v of r) acc += v;
  return acc / r.length;
}

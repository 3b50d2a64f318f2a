import { ValidationError, requireInteger, type Rng } from '@rrm/core';

export const WEIGHT_KINDS = ['ones', 'uniform'] as const;
export type WeightsKind = (typeof WEIGHT_KINDS)[number];

/**
 * Link weights λ_i of the weighted sum rate Σ_i λ_i log(1 + SINR_i), row-major [B, K].
 * - `'ones'`: the sum-rate problem (all λ_i = 1).
 * - `'uniform'`: λ_i ~ U(0, 1) i.i.d. per link and sample, a weighted setting for training and testing
 *   weighted power control (random per-link priorities, as in the weighted-sum-rate experiments of GNN
 *   power-control work such as Shen et al., WCGCN, JSAC 2021).
 */
export function generateWeights(kind: WeightsKind, batch: number, users: number, rng: Rng): Float64Array {
  requireInteger('batch', batch, 1);
  requireInteger('users', users, 1);
  if (!WEIGHT_KINDS.includes(kind)) throw new ValidationError('weights', `one of ${WEIGHT_KINDS.join(', ')}`, kind);
  const out = new Float64Array(batch * users);
  fillWeights(kind, out, 0, batch * users, rng);
  return out;
}

/** Fills out[offset, offset+count) in place; `'ones'` draws nothing from the generator. */
export function fillWeights(kind: WeightsKind, out: Float64Array, offset: number, count: number, rng: Rng): void {
  const end = offset + count;
  if (kind === 'ones') {
    out.fill(1, offset, end);
    return;
  }
  for (let n = offset; n < end; n++) out[n] = rng.uniform();
}

import { ValidationError, requireInteger, z, type ChannelBatch, type Rng } from '@rrm/core';
import { removeLinksInPlace } from './interference-graph';
import { WEIGHT_KINDS, fillWeights } from './weights';

/**
 * Options every channel model accepts (spread into its schema), applied after the fading draw of each sample:
 * - `etaLc` η_lc ∈ [0, 1]: interference links removed at random (UWGNN, Yang et al., eq. (23)); 0 = none.
 * - `weights`: `'ones'` leaves ChannelBatch.weights undefined (all λ_i = 1 by core's resolveWeights);
 *   `'uniform'` fills it with λ_i ~ U(0, 1).
 * - `gain`: what the SINR multiplies by the power. `'power'` (the physical convention, the default):
 *   g = |h|². `'amplitude'`: g = |h|, the fading magnitude used directly as the power gain — the AD paper's
 *   eq. (1) squares nothing, and its figures sit at this scale (FPLinQ ≈ 2.35 bit/s/Hz at K = 20, σ² = 1,
 *   against ≈ 3.1 with |h|²). Offered to reproduce that paper; it is not a physical channel.
 */
export const commonShape = {
  gain: z
    .enum(['power', 'amplitude'], { error: "'power' (g = |h|²) or 'amplitude' (g = |h|, the AD paper's convention)" })
    .default('power'),
  etaLc: z.number({ error: 'a number in [0, 1]' }).min(0).max(1).default(0),
  weights: z.enum(WEIGHT_KINDS).default('ones'),
};
export type CommonOptions = z.output<z.ZodObject<typeof commonShape>>;

/** The generate() request of every model: B ≥ 1 samples of K ≥ 1 pairs. */
export function checkRequest(request: { batch: number; users: number }): { batch: number; users: number } {
  if (request === null || typeof request !== 'object') throw new ValidationError('request', 'an object { batch, users, rng }', request);
  return { batch: requireInteger('batch', request.batch, 1), users: requireInteger('users', request.users, 1) };
}

/**
 * The batched driver shared by the models. Samples are drawn one after another and each sample consumes
 * the generator completely (fading, then link removal, then weights) before the next starts, so the first
 * B' samples of a batch of B > B' are exactly the batch of B' for the same seed: data sets can be grown
 * without changing their prefix.
 */
export function generateSamples(
  request: { batch: number; users: number; rng: Rng },
  common: CommonOptions,
  fillSample: (gains: Float64Array, offset: number, b: number, rng: Rng) => void,
  extra: Pick<ChannelBatch, 'geometry'> = {},
): ChannelBatch {
  const { batch, users } = checkRequest(request);
  const rng = request.rng;
  const kk = users * users;
  const gains = new Float64Array(batch * kk);
  const weights = common.weights === 'ones' ? undefined : new Float64Array(batch * users);
  for (let b = 0; b < batch; b++) {
    fillSample(gains, b * kk, b, rng);
    if (common.gain === 'amplitude') {
      for (let n = b * kk; n < (b + 1) * kk; n++) gains[n] = Math.sqrt(gains[n]);
    }
    removeLinksInPlace(gains, b * kk, users, common.etaLc, rng);
    if (weights) fillWeights(common.weights, weights, b * users, users, rng);
  }
  // Values are finite and non-negative by construction, so the batch is built directly (no O(BK²)
  // re-validation by makeChannelBatch).
  return { batch, users, gains, weights, geometry: extra.geometry };
}

import { nonNegative, parseOptions, positive, strictOptions, type ChannelBatch, type ChannelModel, type Rng, type z } from '@rrm/core';
import { commonShape, generateSamples } from './common';
import { fillStandardNormal } from './sampling';

/**
 * Rician fading with K-factor κ and total mean power v (Goldsmith, "Wireless Communications", §3.2.1):
 *
 *   h = √(κ/(κ+1)) · √v · e^{jθ}  +  √(1/(κ+1)) · CN(0, v),      g = |h|²,
 *
 * a deterministic line-of-sight component of power κv/(κ+1) plus diffuse Rayleigh scattering of power
 * v/(κ+1), so E|h|² = v for every κ and Var|h|² = v²(1 + 2κ)/(1 + κ)² (κ = 0 is Rayleigh, κ → ∞ no fading).
 *
 * LOS phase θ: uniform per link and sample (independent links). Because the diffuse part is circularly
 * symmetric, |√a e^{jθ} + s|² has the same law as |√a + e^{−jθ}s|² = |√a + s'|² with s' ~ CN(0, σ²), so the
 * power gain does not depend on θ and we sample with θ = 0 — exactly the same distribution of g, without
 * a sin/cos per link. (A model that needs complex coefficients must draw θ itself.)
 *
 * Default κ = 1 (0 dB: equal LOS and scattered power), a moderate LOS channel between Rayleigh (κ = 0) and
 * strong-LOS short-range links (κ ≈ 10); set `kFactor` explicitly for a specific scenario.
 */
export const ricianSchema = strictOptions({
  /** κ ≥ 0, ratio of LOS to diffuse power (linear, not dB). */
  kFactor: nonNegative().default(1),
  /** v = E|h|² (linear). */
  variance: positive().default(1),
  ...commonShape,
});
export type RicianOptions = z.output<typeof ricianSchema>;
export const RICIAN_DEFAULTS: RicianOptions = parseOptions(ricianSchema, {}, 'channel');

/**
 * Fills out[offset, offset+count) with i.i.d. Rician power gains |h|². `scratch` (≥ 2·count values) holds
 * the normal draws, so a caller looping over samples allocates it once.
 */
export function fillRician(
  out: Float64Array,
  offset: number,
  count: number,
  kFactor: number,
  variance: number,
  rng: Rng,
  scratch: Float64Array = new Float64Array(2 * count),
): void {
  const los = Math.sqrt((kFactor / (kFactor + 1)) * variance); // |LOS amplitude| (θ = 0, see header)
  const s = Math.sqrt(variance / (kFactor + 1) / 2); // std of each real dimension of the diffuse part
  fillStandardNormal(rng, scratch, 0, 2 * count);
  for (let n = 0; n < count; n++) {
    const re = los + s * scratch[2 * n];
    const im = s * scratch[2 * n + 1];
    out[offset + n] = re * re + im * im;
  }
}

export function generateRician(request: { batch: number; users: number; rng: Rng }, options: RicianOptions = RICIAN_DEFAULTS): ChannelBatch {
  const kk = request.users * request.users;
  const scratch = new Float64Array(2 * kk);
  return generateSamples(request, options, (gains, offset, _b, rng) =>
    fillRician(gains, offset, kk, options.kFactor, options.variance, rng, scratch),
  );
}

/** Factory for the registry: `{ kind: 'rician', kFactor?, variance?, etaLc?, weights? }`. */
export function createRician(input: unknown = {}, field = 'channel'): ChannelModel & { readonly options: RicianOptions } {
  const options = parseOptions(ricianSchema, input, field);
  return {
    kind: 'rician',
    options,
    generate: (request) => generateRician(request, options),
  };
}

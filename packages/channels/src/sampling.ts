import type { Rng } from '@rrm/core';

/**
 * Fast standard-normal fill for the generators' hot loops: the Marsaglia polar method (Marsaglia & Bray,
 * SIAM Review 1964) on 32-bit uniforms. Per pair it needs ≈ 2.55 32-bit draws, one log and one sqrt, and no
 * sin/cos; measured here it is about 2× faster than core's Box–Muller `Rng.normal()` (≈ 18 vs 37 ns per
 * normal), which makes shadowing and Rician draws of 25 M links fit well inside a second each.
 *
 * 32 bits per coordinate are plenty: s = u² + v² has a granularity of about 2⁻⁶², so the tails are exact
 * out to ≈ 9 σ (a 2·10⁻¹⁹ event). Draws come from `rng.seed32()` (32 random bits of the same stream), so
 * results stay a pure function of the seed.
 */
const INV_2_31 = 1 / 2147483648;

export function fillStandardNormal(rng: Rng, out: Float64Array, offset: number, count: number): void {
  const end = offset + count;
  let n = offset;
  while (n < end) {
    let u: number, v: number, s: number;
    do {
      u = rng.seed32() * INV_2_31 - 1;
      v = rng.seed32() * INV_2_31 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    out[n++] = u * f;
    if (n < end) out[n++] = v * f;
  }
}

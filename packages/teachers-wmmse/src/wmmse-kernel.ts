import type { KernelSpec } from '@rrm/core';

/**
 * WMMSE for scalar channels (Shi, Razaviyayn, Luo, He, "An iteratively weighted MMSE approach to
 * distributed sum-utility maximization for a MIMO interfering broadcast channel", IEEE TSP 2011,
 * Algorithm 1 with scalar beamformers), with the update order of Sun et al.'s "Learning to optimize"
 * code (`WMMSE_sum_rate`), in this toolkit's rx-tx power-gain convention: g_ij is the power gain from
 * transmitter j to receiver i, h_ij = √g_ij, and the iterate is the amplitude v_i = √p_i.
 *
 *   u_i = h_ii v_i / (Σ_j g_ij v_j² + σ²)                          receiver (MMSE) coefficient
 *   w_i = 1 / (1 − u_i h_ii v_i) = 1 + SINR_i                        MSE weight
 *   v_i ← clamp( λ_i w_i u_i h_ii / Σ_j λ_j w_j u_j² g_ji , 0, √p_max )   transmitter; g_ji: the gain
 *                                                                    from transmitter i at receiver j
 *
 * Each (u, w) and v update minimises the weighted sum-MSE Σ λ_i (w_i e_i − log w_i) in its block, so
 * the weighted sum rate Σ λ_i log(1 + SINR_i) = Σ λ_i log w_i never decreases.
 *
 * Implementation notes (core's power-kernel.ts supplies n_i = Σ_{j≠i} g_ij p_j + σ² and d_i = Σ_j g_ji c_j):
 * - w_i is computed as T_i / n_i with T_i = n_i + g_ii p_i, which equals 1/(1 − u_i h_ii v_i) exactly in
 *   real arithmetic and avoids the cancellation in 1 − u h v when the SINR is large.
 * - When the denominator d_i is 0 the objective does not depend on v_i (then λ_i w_i u_i² g_ii = 0, so
 *   the numerator a_i is 0 as well): v_i keeps its value. A numerator with a zero (underflowed)
 *   denominator sends v_i to √p_max, the limit of the ratio.
 */
export const wmmseKernel: KernelSpec = {
  name: 'wmmse',
  // v_i = √p_i
  begin: (e, L) => e.store(L.v, e.sqrt(e.load(L.p))),
  evaluate: (e, L, x) => {
    const [T, u, lw] = x.tmp;
    return [
      ...e.set(T, e.add(e.load(L.n), e.mul(e.load(L.gd), e.load(L.p)))), // T_i = n_i + g_ii p_i
      ...e.set(u, e.div(e.mul(e.load(L.hd), e.load(L.v)), e.get(T))), // u_i = h_ii v_i / T_i
      ...e.store(L.w, e.div(e.get(T), e.load(L.n))), // w_i = T_i / n_i = 1 + SINR_i
      ...e.set(lw, e.mul(e.load(L.lam), e.load(L.w))), // λ_i w_i
      ...e.store(L.a, e.mul(e.mul(e.get(lw), e.get(u)), e.load(L.hd))), // a_i = λ_i w_i u_i h_ii
      ...e.store(L.c, e.mul(e.mul(e.get(lw), e.get(u)), e.get(u))), // c_i = λ_i w_i u_i²
    ];
  },
  update: (e, L, x) => {
    const [q, mask, v] = x.tmp;
    return [
      // q_i = clamp(a_i / d_i, 0, √p_max), d_i = Σ_j λ_j w_j u_j² g_ji
      ...e.set(q, e.pmax(e.pmin(e.div(e.load(L.a), e.load(L.d)), e.splatLocal(x.vmax)), e.splat(0))),
      ...e.set(mask, e.or(e.gt(e.load(L.d), e.splat(0)), e.gt(e.load(L.a), e.splat(0)))),
      ...e.set(v, e.select(e.get(mask), e.get(q), e.load(L.v))),
      ...e.store(L.v, e.get(v)),
      // p_i = v_i², capped at p_max: (√p_max)² can round one ulp above p_max
      ...e.store(L.p, e.pmin(e.mul(e.get(v), e.get(v)), e.splatLocal(x.pmax))),
    ];
  },
};

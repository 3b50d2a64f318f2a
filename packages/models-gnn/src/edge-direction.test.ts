import * as tf from '@tensorflow/tfjs';
import type { PowerModel } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { edgeChannels, edgeFeatures } from './features';
import { gnnBuilder } from './gnn';
import { disposeInputs, toInputs, type RawBatch } from './test-helpers';
import { uwgnnBuilder } from './uwgnn';

/**
 * Pins the direction of the edge features (gains[b][i][j] = g_ij, from transmitter j to receiver i):
 * on the edge j → i, 'incoming' carries f(g_ij) (interference receiver i suffers from transmitter j) and
 * 'outgoing' f(g_ji) (interference transmitter i causes at receiver j). All tests use asymmetric gains,
 * so swapping the two directions anywhere makes them fail.
 */

const CTX = { users: 2, pmax: 1, noise: 1, seed: 5 };

/** Two users, both interference edges present: g = [[2, g01], [0.3, 1.5]]. */
function twoUsers(g01: number): RawBatch {
  return {
    batch: 1,
    users: 2,
    gains: Float64Array.from([2, g01, 0.3, 1.5]),
    mask: Float64Array.from([0, 1, 1, 0]),
    weights: Float64Array.from([1, 1]),
  };
}

function powers(model: PowerModel, raw: RawBatch): number[] {
  const inputs = toInputs(raw, CTX.noise, CTX.pmax);
  const p = model.apply(inputs);
  const out = Array.from(p.dataSync());
  p.dispose();
  disposeInputs(inputs);
  return out;
}

/** Powers before and after changing only g_01 (the gain from transmitter 1 to receiver 0) from 0.5 to 4. */
function effectOfG01(model: PowerModel): { d0: number; d1: number } {
  const before = powers(model, twoUsers(0.5));
  const after = powers(model, twoUsers(4));
  return { d0: Math.abs(after[0] - before[0]), d1: Math.abs(after[1] - before[1]) };
}

/** Zeroes the named parameters (the rest keep their seeded values). */
function zero(model: PowerModel, names: readonly string[]): void {
  const weights: Record<string, tf.Tensor> = {};
  for (const { name, tensor } of model.namedWeights()) weights[name] = names.includes(name) ? tf.zerosLike(tensor) : tensor.clone();
  model.loadWeights(weights);
  tf.dispose(Object.values(weights));
}

describe('edge feature direction', () => {
  it('incoming is f(g_ij) and outgoing f(g_ji) at [b, i, j]; both = [incoming, outgoing]', () => {
    const inputs = toInputs(twoUsers(0.5), CTX.noise, CTX.pmax);
    const f = (g: number) => Math.log1p((g * CTX.pmax) / CTX.noise);
    const [incoming] = edgeChannels(inputs, 'incoming', 'log');
    const [outgoing] = edgeChannels(inputs, 'outgoing', 'log');
    const inc = incoming.arraySync()[0];
    const out = outgoing.arraySync()[0];
    // Edge 1 → 0 (receiver 0, transmitter 1): incoming g_01 = 0.5, outgoing g_10 = 0.3; edge 0 → 1 the reverse.
    expect(inc[0][1]).toBeCloseTo(f(0.5), 6);
    expect(inc[1][0]).toBeCloseTo(f(0.3), 6);
    expect(out[0][1]).toBeCloseTo(f(0.3), 6);
    expect(out[1][0]).toBeCloseTo(f(0.5), 6);
    const both = edgeFeatures(inputs, 'both', 'log').arraySync()[0];
    expect(both[0][1][0]).toBeCloseTo(f(0.5), 6);
    expect(both[0][1][1]).toBeCloseTo(f(0.3), 6);
    tf.dispose([incoming, outgoing]);
    disposeInputs(inputs);
  });

  // One layer from s^0 = 0: p_i depends on the gains only through f(g_ii) and the edge feature of the
  // edge into i, so g_01 (transmitter 1 → receiver 0) reaches p_0 under 'incoming' and p_1 under 'outgoing'.
  it('gnn edges: incoming — g_01 reaches receiver 0 only', () => {
    const model = gnnBuilder({ layers: 1, hidden: 4, message: [6], update: [6], edges: 'incoming' })(CTX);
    const { d0, d1 } = effectOfG01(model);
    expect(d0).toBeGreaterThan(1e-4);
    expect(d1).toBe(0);
    model.dispose();
  });

  it('gnn edges: outgoing — g_01 reaches node 1 (whose transmitter 1 causes it) only', () => {
    const model = gnnBuilder({ layers: 1, hidden: 4, message: [6], update: [6], edges: 'outgoing' })(CTX);
    const { d0, d1 } = effectOfG01(model);
    expect(d0).toBe(0);
    expect(d1).toBeGreaterThan(1e-4);
    model.dispose();
  });

  // UWGNN, one layer. With MLP4's first layer zeroed the v step's α_v is a constant, so p_i depends on the
  // edges only through the u step (13): α_u,i = MAX_j MLP1(h_jj, v_j, h_ij), i.e. receiver 0 reads g_01.
  it('uwgnn u step reads h_ij: with the v-step messages made constant, g_01 reaches p_0 only', () => {
    const model = uwgnnBuilder({ layers: 1 })(CTX);
    zero(model, ['shared/mlp4/w0']);
    const { d0, d1 } = effectOfG01(model);
    expect(d0).toBeGreaterThan(1e-4);
    expect(d1).toBe(0);
    model.dispose();
  });

  // With MLP1's first layer zeroed the u step ignores the edges, so p_i depends on them only through the
  // v step (16): α_v,i = MAX_j MLP4(h_ji, u_j, w_j), i.e. node 1 reads g_01 (the interference it causes at 0).
  it('uwgnn v step reads h_ji: with the u-step messages made constant, g_01 reaches p_1 only', () => {
    const model = uwgnnBuilder({ layers: 1 })(CTX);
    zero(model, ['shared/mlp1/w0']);
    const { d0, d1 } = effectOfG01(model);
    expect(d0).toBe(0);
    expect(d1).toBeGreaterThan(1e-4);
    model.dispose();
  });
});

describe('asymmetric graphs (one direction of a link removed, as η_lc link removal does)', () => {
  /** Only the edge 1 → 0 exists: transmitter 1 interferes at receiver 0, transmitter 0 reaches nobody. */
  function oneWay(g01: number): RawBatch {
    return { batch: 1, users: 2, gains: Float64Array.from([2, g01, 0, 1.5]), mask: Float64Array.from([0, 1, 0, 0]), weights: Float64Array.from([1, 1]) };
  }
  const change = (model: PowerModel) => {
    const a = powers(model, oneWay(0.5));
    const b = powers(model, oneWay(4));
    return { d0: Math.abs(a[0] - b[0]), d1: Math.abs(a[1] - b[1]) };
  };

  it("uwgnn's v step gathers over the receivers a transmitter reaches: p_1 depends on g_01", () => {
    // WMMSE's v_1 update has Σ_j λ_j w_j u_j² g_j1 over receivers j that transmitter 1 reaches (here j = 0).
    // Aggregating over in-neighbours instead would leave node 1 with no neighbours at all.
    const model = uwgnnBuilder({})(CTX);
    const { d0, d1 } = change(model);
    expect(d0).toBeGreaterThan(1e-6);
    expect(d1).toBeGreaterThan(1e-6);
    model.dispose();
  });

  it("gnn 'outgoing' gathers at the transmitter side, 'incoming' at the receiver side", () => {
    const outgoing = gnnBuilder({ edges: 'outgoing', layers: 1 })(CTX);
    const incoming = gnnBuilder({ edges: 'incoming', layers: 1 })(CTX);
    const o = change(outgoing);
    const i = change(incoming);
    expect(o.d1).toBeGreaterThan(1e-6); // node 1 caused the interference g_01
    expect(o.d0).toBeLessThan(1e-7);
    expect(i.d0).toBeGreaterThan(1e-6); // node 0 received it
    expect(i.d1).toBeLessThan(1e-7);
    outgoing.dispose();
    incoming.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { dense, rejectUnknownKeys, Rng, type Activation, type ModelBuilder, type ModelContext, type ModelInputs } from '@rrm/core';
import { gainFeatures, snrScale, weightFeature } from './features';
import { DenseGraph } from './graph';
import { INITS, initWeights, type Init } from './mlp';
import { GraphModel } from './model-base';
import { readBoolean, readChoice, readInteger } from './options';
import type { ParamStore } from './params';

/**
 * UWMMSE, Chowdhury, Verma, Gama and Segarra, "Unfolding WMMSE using graph neural networks for efficient
 * power allocation", IEEE TWC 20(9), 2021. Each of the `layers` (default 4) unfolded layers k is one WMMSE
 * iteration with two learned corrections (h_ij = √g_ij amplitudes, g_ij from transmitter j to receiver i,
 * λ the link weights, σ² the noise):
 *
 *   u_i = h_ii v_i / (Σ_j g_ij v_j² + σ²)                                 WMMSE u step (all j, i included)
 *   w_i = 1 / (1 − u_i h_ii v_i)                                          WMMSE w step
 *   ŵ_i = a_i^k w_i + b_i^k,   a^k = Ψ(H; θ_a^k),  b^k = Ψ(H; θ_b^k)        two GCNs per layer
 *   v_i = clamp(λ_i ŵ_i u_i h_ii / (Σ_j λ_j ŵ_j u_j² g_ji + μ^k), 0, √p_max)  v step with learned μ^k
 *
 * from v = √p_max, and p = v² ∈ [0, p_max]. With a = 1, b = 0, μ = 0 (`plainWmmse: true`) this is exactly
 * the weighted WMMSE iteration (uwmmse.test.ts checks it against an independent implementation).
 * Numerics (same values, float32-friendly): gains are divided by σ² first (u scales by σ, w and v are
 * unchanged, so μ means the same), and w is computed as (Σ_j g_ij v_j² + σ²)/(Σ_{j≠i} g_ij v_j² + σ²),
 * which equals 1/(1 − u h v) without the cancellation at high SNR. Interference uses gains ⊙ mask, so
 * absent links contribute nothing.
 *
 * Ψ (their eq. for the GCN, as in the authors' code): two graph-convolution layers,
 *   X' = act( S·X·W_nbr + diag(D)·X·W_self + b ),   relu then sigmoid (so a, b ∈ (0, 1)),
 * widths [2 → hidden → 1], input X = (1, λ_i). Our S is the interference graph with the log-SNR
 * features f(g_ij) = ln(1 + g_ij·p_max/σ²) on its edges (mask applied), row-normalised by the in-degree,
 * and D = f(g_ii); the authors use the raw amplitudes H (their channels have one fixed scale; ours vary).
 * Parameters: `layer{k}/a/{w_nbr,w_self,b}{l}`, `layer{k}/b/…`, `layer{k}/mu` (μ starts at 0).
 * μ^k is a free scalar, unconstrained in sign as in the original paper (and the authors' code): nothing
 * keeps Σ_j λ_j ŵ_j u_j² g_ji + μ^k positive, so a negative μ can drive the v step's denominator to or
 * below 0 (the clamp to [0, √p_max] then bounds the power). This is deliberate, matching the paper.
 */
export interface UwmmseOptions {
  /** Unfolded WMMSE iterations (default 4). */
  readonly layers: number;
  /** Hidden width of the a/b GCNs (default 5). */
  readonly hidden: number;
  /** a = 1, b = 0, μ = 0 and no parameters: plain WMMSE with `layers` iterations (default false). */
  readonly plainWmmse: boolean;
  readonly init: Init;
}

export const UWMMSE_DEFAULTS: UwmmseOptions = { layers: 4, hidden: 5, plainWmmse: false, init: 'glorot' };

const KNOWN = ['layers', 'hidden', 'plainWmmse', 'init'] as const;

export function resolveUwmmseOptions(options: Record<string, unknown> = {}, field = 'model'): UwmmseOptions {
  rejectUnknownKeys(field, options, KNOWN);
  const d = UWMMSE_DEFAULTS;
  return {
    layers: readInteger(`${field}.layers`, options.layers, d.layers),
    hidden: readInteger(`${field}.hidden`, options.hidden, d.hidden),
    plainWmmse: readBoolean(`${field}.plainWmmse`, options.plainWmmse, d.plainWmmse),
    init: readChoice(`${field}.init`, options.init, d.init, INITS),
  };
}

/** Keeps 0/0 out of the divisions when σ² = 0 or g_ii = 0 (far below any float32 gain scale that matters). */
const TINY = 1e-30;

/** GCN input features X = (1, λ_i). */
const GCN_IN = 2;

/** A graph convolution network X' = act(S X W_nbr + diag(D) X W_self + b), layer by layer (b is not scaled by D). */
export class Gcn {
  private readonly layers: { wNbr: tf.Variable; wSelf: tf.Variable; b: tf.Variable; act: Activation; fanIn: number; fanOut: number }[] = [];

  constructor(store: ParamStore, prefix: string, widths: readonly number[], fanIn: number, init: Init, rng: Rng) {
    widths.forEach((fanOut, l) => {
      const act: Activation = l === widths.length - 1 ? 'sigmoid' : 'relu';
      const wNbr = store.add(`${prefix}/w_nbr${l}`, initWeights(rng, fanIn, fanOut, init));
      const wSelf = store.add(`${prefix}/w_self${l}`, initWeights(rng, fanIn, fanOut, init));
      const b = store.add(`${prefix}/b${l}`, tf.zeros([fanOut]));
      this.layers.push({ wNbr, wSelf, b, act, fanIn, fanOut });
      fanIn = fanOut;
    });
  }

  /** x [B, K, F], s [B, K, K] (neighbour operator), d [B, K, 1] (self weights) → [B, K, out]. */
  forward(x: tf.Tensor3D, s: tf.Tensor3D, d: tf.Tensor3D): tf.Tensor3D {
    const [b, k] = [x.shape[0], x.shape[1]];
    let h = x;
    for (const layer of this.layers) {
      const x2 = tf.reshape(h, [b * k, layer.fanIn]) as tf.Tensor2D;
      const nbr = tf.reshape(dense(x2, layer.wNbr as tf.Tensor2D, null), [b, k, layer.fanOut]) as tf.Tensor3D;
      // The bias is added after the diag(D) scaling: a dead link (D = f(g_ii) = 0) keeps it.
      const self = tf.reshape(dense(x2, layer.wSelf as tf.Tensor2D, null), [b, k, layer.fanOut]);
      const z = tf.add(tf.add(tf.matMul(s, nbr), tf.mul(d, self)), layer.b);
      h = (layer.act === 'relu' ? tf.relu(z) : tf.sigmoid(z)) as tf.Tensor3D;
    }
    return h;
  }

  paramCount(): number {
    return this.layers.reduce((n, l) => n + 2 * l.fanIn * l.fanOut + l.fanOut, 0);
  }

  /** Per sample of K nodes: the two projections (2·K·in·out) and S·(XW) (K²·out). */
  macs(users: number): number {
    return this.layers.reduce((n, l) => n + 2 * users * l.fanIn * l.fanOut + users * users * l.fanOut, 0);
  }
}

interface UnfoldedLayer {
  readonly a: Gcn;
  readonly b: Gcn;
  readonly mu: tf.Variable;
}

export class UwmmseModel extends GraphModel {
  readonly unfolded: UnfoldedLayer[] = [];
  readonly config: UwmmseOptions;

  constructor(options: UwmmseOptions, ctx: Pick<ModelContext, 'seed'>) {
    super('uwmmse', { ...options });
    this.config = options;
    if (!options.plainWmmse) {
      const rng = new Rng(ctx.seed);
      const widths = [options.hidden, 1];
      for (let k = 0; k < options.layers; k++) {
        this.unfolded.push({
          a: new Gcn(this.store, `layer${k}/a`, widths, GCN_IN, options.init, rng),
          b: new Gcn(this.store, `layer${k}/b`, widths, GCN_IN, options.init, rng),
          mu: this.store.add(`layer${k}/mu`, tf.scalar(0)),
        });
      }
    }
  }

  protected forward(inputs: ModelInputs): tf.Tensor2D {
    const [bs, k] = inputs.direct.shape;
    const scale = inputs.noise > 0 ? 1 / inputs.noise : 1;
    const noise = inputs.noise > 0 ? 1 : 0;
    // Interference gains / σ² (mask applied) and their transpose (made once, explicit: no transposed matMul).
    const g = tf.mul(tf.mul(inputs.gains, inputs.mask), scale) as tf.Tensor3D;
    const gT = tf.transpose(g, [0, 2, 1]) as tf.Tensor3D;
    const d = tf.reshape(tf.mul(inputs.direct, scale), [bs, k, 1]) as tf.Tensor3D;
    const h = tf.sqrt(d);
    const lam = weightFeature(inputs);
    const vmax = Math.sqrt(inputs.pmax);

    let gcnIn: tf.Tensor3D | null = null;
    let s: tf.Tensor3D | null = null;
    let self: tf.Tensor3D | null = null;
    if (!this.config.plainWmmse) {
      const graph = new DenseGraph(inputs.mask);
      const sc = snrScale(inputs);
      const f = tf.reshape(gainFeatures(inputs.gains, sc, 'log'), [bs, k, k]);
      s = tf.mul(tf.mul(f, inputs.mask), graph.invDegree) as tf.Tensor3D;
      self = gainFeatures<tf.Tensor3D>(inputs.direct, sc, 'log');
      gcnIn = tf.concat([tf.onesLike(lam), lam], 2) as tf.Tensor3D;
    }

    let v: tf.Tensor3D = tf.fill([bs, k, 1], vmax);
    for (let layer = 0; layer < this.config.layers; layer++) {
      const v2 = tf.square(v);
      const interference = tf.add(tf.matMul(g, v2), noise + TINY); // Σ_{j≠i} g_ij v_j² + σ²
      const total = tf.add(interference, tf.mul(d, v2)); // + g_ii v_i²
      const u = tf.div(tf.mul(h, v), total); // u step
      let w: tf.Tensor3D = tf.div(total, interference); // w step, = 1/(1 − u h v)
      let mu: tf.Tensor | null = null;
      if (gcnIn && s && self) {
        const { a, b, mu: m } = this.unfolded[layer];
        w = tf.add(tf.mul(a.forward(gcnIn, s, self), w), b.forward(gcnIn, s, self)); // ŵ = a w + b
        mu = m;
      }
      const lw = tf.mul(lam, w);
      const c = tf.mul(lw, tf.square(u)); // λ_j ŵ_j u_j²
      // Σ_j λ_j ŵ_j u_j² g_ji (+ μ); the 1e-30 only turns 0/0 (a link with g_ii = 0 and no victims) into 0.
      let den = tf.add(tf.add(tf.matMul(gT, c), tf.mul(d, c)), TINY);
      if (mu) den = tf.add(den, mu);
      v = tf.clipByValue(tf.div(tf.mul(tf.mul(lw, u), h), den), 0, vmax) as tf.Tensor3D; // v step
    }
    return tf.reshape(tf.square(v), [bs, k]);
  }

  /** Per layer: two K×K mat-vecs, ~12 element-wise products per node, and the two GCNs. */
  macsPerSample(users: number): number {
    const wmmse = 2 * users * users + 12 * users;
    const gcns = this.unfolded.length ? this.unfolded[0].a.macs(users) + this.unfolded[0].b.macs(users) : 0;
    return this.config.layers * (wmmse + gcns);
  }
}

export function uwmmseBuilder(options: Record<string, unknown> = {}, field = 'model'): ModelBuilder {
  const resolved = resolveUwmmseOptions(options, field);
  return (ctx) => new UwmmseModel(resolved, ctx);
}

import * as tf from '@tensorflow/tfjs';
import { activate, dense, initWeights, integer, Rng, strictOptions, z, type Activation, type Init, type ModelContext, type ModelInputs, type ParamStore } from '@rrm/core';
import { gainFeatures, snrScale, weightFeature } from './features';
import { DenseGraph } from './graph';
import { MessagePassing, type PropagateInputs } from './message-passing';
import { GraphModel, initOption, modelBuilder } from './model-base';

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
export const uwmmseSchema = strictOptions({
  layers: integer(1).default(4).describe('unfolded WMMSE iterations'),
  hidden: integer(1).default(5).describe('hidden width of the a/b GCNs'),
  plainWmmse: z.boolean().default(false).describe('a = 1, b = 0, μ = 0 and no parameters: plain WMMSE with `layers` iterations'),
  init: initOption(),
});
export type UwmmseOptions = z.output<typeof uwmmseSchema>;

/** Keeps 0/0 out of the divisions when σ² = 0 or g_ii = 0 (far below any float32 gain scale that matters). */
const TINY = 1e-30;

/** GCN input features X = (1, λ_i). */
const GCN_IN = 2;

export interface GcnInputs extends PropagateInputs {
  /** The neighbour operator S [B, K, K] (edge weights, mask and degree normalisation applied). */
  readonly s: tf.Tensor3D;
  /** Self weights D [B, K, 1]. */
  readonly d: tf.Tensor3D;
}

/**
 * One graph-convolution layer X' = act(S·X·W_nbr + diag(D)·X·W_self + b). Its aggregated message
 * Σ_j S_ij·(X W_nbr)_j is one matMul (PyG's fused message-and-aggregate: no [B, K, K, F] tensor). The bias
 * is added after the diag(D) scaling, so a dead link (D = f(g_ii) = 0) keeps it.
 */
export class GcnConv extends MessagePassing<GcnInputs> {
  readonly wNbr: tf.Variable;
  readonly wSelf: tf.Variable;
  readonly b: tf.Variable;

  constructor(store: ParamStore, prefix: string, l: number, [fanIn, fanOut]: [number, number], readonly activation: Activation, init: Init, rng: Rng) {
    super('sum');
    const weight = () => tf.tensor2d(initWeights(rng, fanIn, fanOut, init).w, [fanIn, fanOut]);
    this.wNbr = store.add(`${prefix}/w_nbr${l}`, weight());
    this.wSelf = store.add(`${prefix}/w_self${l}`, weight());
    this.b = store.add(`${prefix}/b${l}`, tf.zeros([fanOut]));
  }

  protected message({ x, s }: GcnInputs): tf.Tensor4D {
    return tf.mul(tf.expandDims(s, 3), tf.expandDims(dense(x, this.wNbr as tf.Tensor2D, null), 1));
  }

  protected override messageAndAggregate({ x, s }: GcnInputs): tf.Tensor3D {
    return tf.matMul(s, dense(x, this.wNbr as tf.Tensor2D, null));
  }

  protected override update(m: tf.Tensor3D, { x, d }: GcnInputs): tf.Tensor3D {
    return activate(tf.add(tf.add(m, tf.mul(d, dense(x, this.wSelf as tf.Tensor2D, null))), this.b), this.activation);
  }

  /** Per sample of K nodes: the two projections (2·K·in·out) and S·(XW) (K²·out). */
  macs(users: number): number {
    const [fanIn, fanOut] = this.wNbr.shape;
    return 2 * users * fanIn * fanOut + users * users * fanOut;
  }
}

interface UnfoldedLayer {
  /** Ψ(H; θ_a^k) and Ψ(H; θ_b^k): two GcnConvs each, relu then sigmoid. */
  readonly a: readonly GcnConv[];
  readonly b: readonly GcnConv[];
  readonly mu: tf.Variable;
}

/** Ψ(H; θ): the GCN layers one after the other from X. */
function psi(convs: readonly GcnConv[], inputs: GcnInputs): tf.Tensor3D {
  return convs.reduce((x, conv) => conv.forward({ ...inputs, x }), inputs.x);
}

export class UwmmseModel extends GraphModel {
  readonly unfolded: UnfoldedLayer[] = [];

  constructor(
    readonly config: UwmmseOptions,
    ctx: Pick<ModelContext, 'seed'>,
  ) {
    super('uwmmse', { ...config });
    const rng = new Rng(ctx.seed);
    const gcn = (prefix: string) => [
      new GcnConv(this, prefix, 0, [GCN_IN, config.hidden], 'relu', config.init, rng),
      new GcnConv(this, prefix, 1, [config.hidden, 1], 'sigmoid', config.init, rng),
    ];
    for (let k = 0; k < (config.plainWmmse ? 0 : config.layers); k++) {
      this.unfolded.push({ a: gcn(`layer${k}/a`), b: gcn(`layer${k}/b`), mu: this.add(`layer${k}/mu`, tf.scalar(0)) });
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

    // Ψ's inputs, the same in every layer: S, D and X = (1, λ_i).
    let gcn: GcnInputs | null = null;
    if (!this.config.plainWmmse) {
      const graph = new DenseGraph(inputs.mask);
      const sc = snrScale(inputs);
      const f = tf.reshape(gainFeatures(inputs.gains, sc, 'log'), [bs, k, k]);
      const s = tf.mul(tf.mul(f, inputs.mask), graph.invDegree) as tf.Tensor3D;
      gcn = { x: tf.concat([tf.onesLike(lam), lam], 2) as tf.Tensor3D, s, d: gainFeatures<tf.Tensor3D>(inputs.direct, sc, 'log'), graph };
    }

    let v: tf.Tensor3D = tf.fill([bs, k, 1], vmax);
    for (let layer = 0; layer < this.config.layers; layer++) {
      const v2 = tf.square(v);
      const interference = tf.add(tf.matMul(g, v2), noise + TINY); // Σ_{j≠i} g_ij v_j² + σ²
      const total = tf.add(interference, tf.mul(d, v2)); // + g_ii v_i²
      const u = tf.div(tf.mul(h, v), total); // u step
      let w: tf.Tensor3D = tf.div(total, interference); // w step, = 1/(1 − u h v)
      const learned = this.unfolded[layer] as UnfoldedLayer | undefined;
      if (learned && gcn) w = tf.add(tf.mul(psi(learned.a, gcn), w), psi(learned.b, gcn)); // ŵ = a w + b
      const lw = tf.mul(lam, w);
      const c = tf.mul(lw, tf.square(u)); // λ_j ŵ_j u_j²
      // Σ_j λ_j ŵ_j u_j² g_ji (+ μ); the 1e-30 only turns 0/0 (a link with g_ii = 0 and no victims) into 0.
      let den = tf.add(tf.add(tf.matMul(gT, c), tf.mul(d, c)), TINY);
      if (learned) den = tf.add(den, learned.mu);
      v = tf.clipByValue(tf.div(tf.mul(tf.mul(lw, u), h), den), 0, vmax) as tf.Tensor3D; // v step
    }
    return tf.reshape(tf.square(v), [bs, k]);
  }

  /** Per layer: two K×K mat-vecs, ~12 element-wise products per node, and the two GCNs. */
  macsPerSample(users: number): number {
    const wmmse = 2 * users * users + 12 * users;
    const gcns = [...(this.unfolded[0]?.a ?? []), ...(this.unfolded[0]?.b ?? [])].reduce((n, conv) => n + conv.macs(users), 0);
    return this.config.layers * (wmmse + gcns);
  }
}

export const uwmmseBuilder = modelBuilder(uwmmseSchema, UwmmseModel);

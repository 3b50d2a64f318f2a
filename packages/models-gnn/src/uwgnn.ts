import * as tf from '@tensorflow/tfjs';
import { DenseStack, integer, Rng, strictOptions, z, type ModelContext, type ModelInputs, type ParamStore } from '@rrm/core';
import { directFeatures, edgeChannels, weightFeature } from './features';
import { DenseGraph } from './graph';
import { EdgeInput, MlpConv } from './message-passing';
import { GraphModel, initOption, modelBuilder } from './model-base';

/**
 * UWGNN, the unrolled-WMMSE GNN of Yang et al.: each layer mirrors one WMMSE iteration (u step, w step,
 * v step) with its closed forms replaced by MLPs and its sums over interferers by max aggregations,
 * eqs. (13)–(17):
 *
 *   (13)  α_u,i = MAX_j MLP1(h_ij, v_j)               what the WMMSE u step sums: Σ_j |h_ij|² v_j²
 *   (14)  u_i   = MLP2(h_ii, v_i, α_u,i)              u ∈ R^d
 *   (15)  w_i   = MLP3(h_ii, v_i, u_i)                w ∈ R^d
 *   (16)  α_v,i = MAX_j MLP4(h_ji, u_j, w_j)          what the v step sums: Σ_j |h_ji|² u_j² w_j
 *   (17)  v_i   = sigmoid(MLP5(λ_i, h_ii, u_i, w_i, α_v,i))
 *
 * MLPs are [in → hidden → out] (hidden width 8, relu; linear outputs except MLP5's sigmoid), messages
 * α ∈ R^16, u, w ∈ R^d (d = 4), and the `layers` = 3 unrolled layers share one set of parameters
 * (`shareWeights: false` gives each layer its own). Parameters: `shared/mlp{1..5}/{w,b}{0,1}` (or
 * `layer{l}/mlp…`).
 *
 * Input sizes, matched to the paper's {5,8,16}, {19,8,4}, {7,8,4}, {10,8,16}, {27,8,1}:
 *  - every channel coefficient h is 2 numbers, the paper's complex h as (Re, Im); our real power gains g
 *    give the 2 features of features.ts's 'log-sat' transform, (ln(1 + s), s/(1 + s)) with s = g·p_max/σ²;
 *  - v_i is 1 number: the normalised amplitude v̄_i ∈ [0, 1], v̄ = 1 (full power) before the first layer;
 *  - MLP1 reads the sender's node state (h_jj, v_j) and the edge h_ij: 2 + 1 + 2 = 5 (the 5 only fits if
 *    h_jj is included; it is the message-passing form φ(x_j, e_ij) with x_j = (h_jj, v_j));
 *  - MLP2: (h_ii, v_i) + α_u = 3 + 16 = 19;   MLP3: (h_ii, v_i, u_i) = 2 + 1 + 4 = 7;
 *  - MLP4: (u_j, w_j) + h_ji = 8 + 2 = 10 (h_ji: the interference node i causes at receiver j);
 *  - MLP5: (λ_i, h_ii, u_i, w_i) + α_v = 1 + 2 + 4 + 4 + 16 = 27.
 * Powers: p_i = p_max · v̄_i², i.e. the WMMSE power v_i² with v_i = √p_max · v̄_i ∈ [0, √p_max].
 */
export const uwgnnSchema = strictOptions({
  layers: integer(1).default(3).describe('unrolled layers'),
  dim: integer(1).default(4).describe('width d of u and w'),
  message: integer(1).default(16).describe('width of the aggregated messages α_u, α_v'),
  hidden: integer(1).default(8).describe('hidden width of every MLP'),
  shareWeights: z.boolean().default(true).describe('one set of MLPs for all layers'),
  init: initOption(),
});
export type UwgnnOptions = z.output<typeof uwgnnSchema>;

/** Features per channel coefficient ('log-sat'). */
const H_DIM = 2;

/** One unrolled WMMSE layer: (13)–(14) as a message-passing layer, (15) a node MLP, (16)–(17) another. */
export class UwgnnLayer {
  readonly convU: MlpConv;
  readonly mlp3: DenseStack;
  readonly convV: MlpConv;

  constructor(store: ParamStore, prefix: string, { dim, message, hidden, init }: UwgnnOptions, rng: Rng) {
    const conv = { targetDim: 0, edgeDim: H_DIM, message: [hidden, message], aggregation: 'max', messageActivation: 'none', init } as const;
    this.convU = new MlpConv(store, prefix, { ...conv, sourceDim: H_DIM + 1, nodeDim: H_DIM + 1, update: [hidden, dim], names: { message: 'mlp1', update: 'mlp2' } }, rng);
    this.mlp3 = new DenseStack(store, `${prefix}/mlp3`, { inputs: H_DIM + 1 + dim, widths: [hidden, dim], init }, rng);
    const names = { message: 'mlp4', update: 'mlp5' };
    this.convV = new MlpConv(store, prefix, { ...conv, sourceDim: 2 * dim, nodeDim: 1 + H_DIM + 2 * dim, update: [hidden, 1], outputActivation: 'sigmoid', names }, rng);
  }

  /**
   * One layer: v̄ [B, K, 1] → v̄'. `hii` = h_ii features [B, K, 2]; `lam` = λ [B, K, 1]; `eIn` = h_ij
   * features, `eOut` = h_ji features [B, K, K, 2]; `graphOut` is the reversed graph: the v step gathers
   * from the receivers j that transmitter i interferes with (g_ji).
   */
  forward(v: tf.Tensor3D, hii: tf.Tensor3D, lam: tf.Tensor3D, eIn: EdgeInput, eOut: EdgeInput, graph: DenseGraph, graphOut: DenseGraph): tf.Tensor3D {
    const hv = tf.concat([hii, v], 2) as tf.Tensor3D;
    const u = this.convU.forward({ x: hv, edge: eIn, graph }); // (13)–(14)
    const w = this.mlp3.apply(tf.concat([hv, u], 2) as tf.Tensor3D); // (15)
    const uw = tf.concat([u, w], 2) as tf.Tensor3D;
    const x5 = tf.concat([lam, hii, uw], 2) as tf.Tensor3D;
    return this.convV.forward({ x: x5, source: uw, edge: eOut, graph: graphOut }); // (16)–(17)
  }

  macs(users: number): number {
    return this.convU.macs(users) + users * this.mlp3.macs() + this.convV.macs(users);
  }
}

export class UwgnnModel extends GraphModel {
  readonly unrolled: UwgnnLayer[] = [];

  constructor(
    readonly config: UwgnnOptions,
    ctx: Pick<ModelContext, 'seed'>,
  ) {
    super('uwgnn', { ...config });
    const rng = new Rng(ctx.seed);
    for (let l = 0; l < (config.shareWeights ? 1 : config.layers); l++) this.unrolled.push(new UwgnnLayer(this, config.shareWeights ? 'shared' : `layer${l}`, config, rng));
  }

  protected forward(inputs: ModelInputs): tf.Tensor2D {
    const [b, k] = inputs.direct.shape;
    const graph = new DenseGraph(inputs.mask);
    // WMMSE's v step sums over the receivers j that transmitter i reaches (g_ji > 0): edges i → j, the
    // transposed mask. On symmetric graphs the two coincide; link removal (η_lc) makes them differ.
    const graphOut = new DenseGraph(tf.transpose(inputs.mask, [0, 2, 1]));
    const hii = directFeatures(inputs, 'log-sat');
    const lam = weightFeature(inputs);
    const eIn = new EdgeInput(edgeChannels(inputs, 'incoming', 'log-sat'));
    const eOut = new EdgeInput(edgeChannels(inputs, 'outgoing', 'log-sat'));
    let v: tf.Tensor3D = tf.ones([b, k, 1]);
    for (let l = 0; l < this.config.layers; l++) {
      const layer = this.unrolled[this.config.shareWeights ? 0 : l];
      v = layer.forward(v, hii, lam, eIn, eOut, graph, graphOut);
    }
    return tf.mul(tf.reshape(tf.square(v), [b, k]), inputs.pmax);
  }

  macsPerSample(users: number): number {
    return this.config.layers * this.unrolled[0].macs(users);
  }
}

export const uwgnnBuilder = modelBuilder(uwgnnSchema, UwgnnModel);

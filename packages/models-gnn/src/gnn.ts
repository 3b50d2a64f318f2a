import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, DenseStack, integer, Rng, strictOptions, widths, z, type ModelContext, type ModelInputs } from '@rrm/core';
import { EDGE_FEATURES, directFeatures, edgeChannels, transformWidth, weightFeature } from './features';
import { AGGREGATIONS, DenseGraph } from './graph';
import { EdgeInput, MlpConv } from './message-passing';
import { GraphModel, initOption, modelBuilder } from './model-base';

/**
 * The GNN of the algorithm-distillation (AD) paper, eqs. (6)–(7):
 *
 *   (6)  m_i = ⊕_{j ∈ N(i)} φ(h_jj, w_j, h_ji)          (w_j: link weight λ_j)
 *   (7)  p_i = ψ(h_ii, w_i, m_i)
 *
 * Stacked over L layers. What is carried from layer to layer (our reading; the paper states one layer):
 *   r_i   = (f(g_ii), λ_i)                                raw node features, fed to every layer
 *   s_i^0 = 0 ∈ R^hidden                                  initial node state
 *   m_i^l = ⊕_j φ_l([r_j, s_j^{l−1}], e_ij)                (6) with the sender's state appended
 *   s_i^l = ψ_l([r_i, s_i^{l−1}], m_i^l) ∈ R^hidden        (7) with the receiver's state appended
 *   p_i   = p_max · sigmoid(s_i^L · w_out + b_out)         readout, in (0, p_max)
 * so with s^0 = 0 layer 1 is (6)–(7) on the paper's inputs, and later layers see (h_jj, w_j) again next to
 * the learned state. φ does not read the receiver's state, as in (6). φ's layers all end in the hidden
 * activation (messages ≥ 0 under relu); ψ's last layer is linear (the state), as in the dense-GNN
 * reference (shared/bench/torch_reference.py). `shareWeights: true` uses one (φ, ψ) for all layers
 * (possible because s^0 has the width of the state).
 *
 * The edge feature: (6) writes h_ji inside the sum over senders j of receiver i. Under this repository's
 * convention (g_ij = from transmitter j to receiver i) h_ji is the interference that i CAUSES at j's
 * receiver; under the opposite convention it is the interference i RECEIVES from j. Which one is meant
 * hangs on the paper's index convention, so `edges: 'both'` (default) feeds both, e_ij = (f(g_ij), f(g_ji)),
 * as WCGCN does;
 * `incoming` (f(g_ij)) and `outgoing` (f(g_ji), the literal reading under our convention) select one.
 *
 * f is features.ts's 'log' transform, f(g) = ln(1 + g·p_max/σ²). Parameters: `layer{l}/msg/{w,b}{n}`,
 * `layer{l}/update/{w,b}{n}` (`shared/…` with shareWeights), `readout/w0`, `readout/b0`.
 * The torch reference's dense GNN is `{ shareWeights: true, edges: 'outgoing' }` (plus λ in r_i).
 */
export const gnnSchema = strictOptions({
  layers: integer(1).default(3).describe('stacked message-passing layers L'),
  hidden: integer(1).default(32).describe('width of the node state s^l carried between layers'),
  message: widths().default([32, 32]).describe("output widths of φ's layers; the last is the message width"),
  update: widths(true).default([32]).describe("hidden widths of ψ before its linear output of width `hidden`"),
  aggregation: z.enum(AGGREGATIONS).default('max').describe('⊕ over the neighbours'),
  activation: z.enum(ACTIVATIONS).default('relu').describe('activation of the hidden layers'),
  edges: z.enum(EDGE_FEATURES).default('both').describe('edge features: f(g_ij) (incoming), f(g_ji) (outgoing) or both'),
  shareWeights: z.boolean().default(false).describe('one (φ, ψ) for all layers'),
  init: initOption(),
});
export type GnnOptions = z.output<typeof gnnSchema>;

/** Raw node features r_i = (f(g_ii), λ_i). */
const NODE_DIM = 2;

export class GnnModel extends GraphModel {
  readonly layers: MlpConv[] = [];
  readonly readout: DenseStack;

  constructor(
    readonly config: GnnOptions,
    ctx: Pick<ModelContext, 'seed'>,
  ) {
    super('gnn', { ...config });
    const rng = new Rng(ctx.seed);
    const { hidden, message, aggregation, activation, init } = config;
    const stateDim = NODE_DIM + hidden;
    const edgeDim = transformWidth('log') * (config.edges === 'both' ? 2 : 1);
    const layer = { targetDim: 0, sourceDim: stateDim, edgeDim, nodeDim: stateDim, message, update: [...config.update, hidden], aggregation, activation, init };
    for (let l = 0; l < (config.shareWeights ? 1 : config.layers); l++) this.layers.push(new MlpConv(this, config.shareWeights ? 'shared' : `layer${l}`, layer, rng));
    this.readout = new DenseStack(this, 'readout', { inputs: hidden, widths: [1], outputActivation: 'sigmoid', init }, rng);
  }

  protected forward(inputs: ModelInputs): tf.Tensor2D {
    const [b, k] = inputs.direct.shape;
    // Neighbours are the links whose edge features the messages read: incoming j → i (mask), outgoing
    // i → j (transposed mask), or either for 'both'. They differ only on asymmetric graphs (η_lc).
    const t = tf.transpose(inputs.mask, [0, 2, 1]) as tf.Tensor3D;
    const mask = this.config.edges === 'incoming' ? inputs.mask : this.config.edges === 'outgoing' ? t : (tf.maximum(inputs.mask, t) as tf.Tensor3D);
    const graph = new DenseGraph(mask);
    const r = tf.concat([directFeatures(inputs, 'log'), weightFeature(inputs)], 2) as tf.Tensor3D;
    const edge = new EdgeInput(edgeChannels(inputs, this.config.edges, 'log'));
    let s: tf.Tensor3D = tf.zeros([b, k, this.config.hidden]);
    for (let l = 0; l < this.config.layers; l++) {
      const layer = this.layers[this.config.shareWeights ? 0 : l];
      s = layer.forward({ x: tf.concat([r, s], 2) as tf.Tensor3D, edge, graph });
    }
    const p = this.readout.apply(tf.reshape(s, [b * k, this.config.hidden]) as tf.Tensor2D);
    return tf.mul(tf.reshape(p, [b, k]), inputs.pmax);
  }

  macsPerSample(users: number): number {
    const perLayer = this.layers.map((l) => l.macs(users));
    const layers = this.config.shareWeights ? this.config.layers * perLayer[0] : perLayer.reduce((a, c) => a + c, 0);
    return layers + users * this.readout.macs();
  }
}

export const gnnBuilder = modelBuilder(gnnSchema, GnnModel);

import * as tf from '@tensorflow/tfjs';
import { integer, Rng, strictOptions, widths, z, type ModelContext, type ModelInputs } from '@rrm/core';
import { directFeatures, edgeChannels, weightFeature } from './features';
import { AGGREGATIONS, DenseGraph } from './graph';
import { EdgeInput, MlpConv } from './message-passing';
import { GraphModel, initOption, modelBuilder } from './model-base';

/**
 * WCGCN, the wireless channel graph convolution network of Shen, Shi, Zhang and Letaief, "Graph neural
 * networks for scalable radio resource management: architecture design and theoretical analysis",
 * IEEE JSAC 39(1), 2021 (power control for the K-user interference channel). Layer k (their WCGCN layer
 * with MLP1, MLP2 and max aggregation):
 *
 *   y_i^k = MAX_{j ∈ N(i)} MLP1(x_j^{k−1}, e_ji)         message on the sender's state and the edge
 *   x_i^k = MLP2(x_i^{k−1}, y_i^k)                        update
 *
 * Node state x_i = (f(g_ii), λ_i, p̃_i): direct-link feature, weight and the current power estimate
 * p̃ = p/p_max (1, full power, before the first layer). The update MLP outputs p̃_i ∈ (0, 1) through a
 * sigmoid and only that entry of the state changes (their code: cat([x[:, :-1], comb])). Edge features
 * e = (f(g_ij), f(g_ji)): the interference received from j and caused at j. The same layer (weights
 * shared) runs `layers` times (default 3); p = p_max · p̃ after the last.
 *
 * Defaults follow the reference implementation: MLP1 = [5 → 32 → 32] (relu after each layer),
 * MLP2 = [35 → 16 → 1] (relu, then sigmoid); its batch normalisation is left out.
 * f is features.ts's 'log' transform, ln(1 + g·p_max/σ²). Parameters: `shared/msg/…`, `shared/update/…`.
 */
export const wcgcnSchema = strictOptions({
  layers: integer(1).default(3).describe('how many times the shared layer runs'),
  message: widths().default([32, 32]).describe('MLP1 output widths'),
  update: widths(true).default([16]).describe('MLP2 hidden widths before its 1-wide sigmoid output'),
  aggregation: z.enum(AGGREGATIONS).default('max'),
  init: initOption(),
});
export type WcgcnOptions = z.output<typeof wcgcnSchema>;

/** x_i = (f(g_ii), λ_i, p̃_i). */
const STATE_DIM = 3;
/** e_ij = (f(g_ij), f(g_ji)). */
const EDGE_DIM = 2;

export class WcgcnModel extends GraphModel {
  readonly conv: MlpConv;

  constructor(
    readonly config: WcgcnOptions,
    ctx: Pick<ModelContext, 'seed'>,
  ) {
    super('wcgcn', { ...config });
    const { message, aggregation, init } = config;
    const layer = { targetDim: 0, sourceDim: STATE_DIM, edgeDim: EDGE_DIM, nodeDim: STATE_DIM, message, update: [...config.update, 1], aggregation, outputActivation: 'sigmoid', init } as const;
    this.conv = new MlpConv(this, 'shared', layer, new Rng(ctx.seed));
  }

  protected forward(inputs: ModelInputs): tf.Tensor2D {
    const [b, k] = inputs.direct.shape;
    const graph = new DenseGraph(inputs.mask);
    const fixed = tf.concat([directFeatures(inputs, 'log'), weightFeature(inputs)], 2) as tf.Tensor3D;
    const edge = new EdgeInput(edgeChannels(inputs, 'both', 'log'));
    let p: tf.Tensor3D = tf.ones([b, k, 1]);
    for (let l = 0; l < this.config.layers; l++) {
      const x = tf.concat([fixed, p], 2) as tf.Tensor3D;
      p = this.conv.forward({ x, edge, graph });
    }
    return tf.mul(tf.reshape(p, [b, k]), inputs.pmax);
  }

  macsPerSample(users: number): number {
    return this.config.layers * this.conv.macs(users);
  }
}

export const wcgcnBuilder = modelBuilder(wcgcnSchema, WcgcnModel);

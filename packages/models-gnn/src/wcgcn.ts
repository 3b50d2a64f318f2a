import * as tf from '@tensorflow/tfjs';
import { Rng, rejectUnknownKeys, type ModelBuilder, type ModelContext, type ModelInputs } from '@rrm/core';
import { directFeatures, edgeChannels, weightFeature } from './features';
import { AGGREGATIONS, DenseGraph, type Aggregation } from './graph';
import { EdgeInput, MessagePassing } from './message-passing';
import { INITS, type Init } from './mlp';
import { GraphModel } from './model-base';
import { readChoice, readInteger, readWidths } from './options';

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
export interface WcgcnOptions {
  /** How many times the shared layer runs (default 3). */
  readonly layers: number;
  /** MLP1 output widths (default [32, 32]). */
  readonly message: readonly number[];
  /** MLP2 hidden widths before its 1-wide sigmoid output (default [16]). */
  readonly update: readonly number[];
  readonly aggregation: Aggregation;
  readonly init: Init;
}

export const WCGCN_DEFAULTS: WcgcnOptions = { layers: 3, message: [32, 32], update: [16], aggregation: 'max', init: 'glorot' };

const KNOWN = ['layers', 'message', 'update', 'aggregation', 'init'] as const;

export function resolveWcgcnOptions(options: Record<string, unknown> = {}, field = 'model'): WcgcnOptions {
  rejectUnknownKeys(field, options, KNOWN);
  const d = WCGCN_DEFAULTS;
  return {
    layers: readInteger(`${field}.layers`, options.layers, d.layers),
    message: readWidths(`${field}.message`, options.message, d.message),
    update: readWidths(`${field}.update`, options.update, d.update, true),
    aggregation: readChoice(`${field}.aggregation`, options.aggregation, d.aggregation, AGGREGATIONS),
    init: readChoice(`${field}.init`, options.init, d.init, INITS),
  };
}

/** x_i = (f(g_ii), λ_i, p̃_i). */
const STATE_DIM = 3;
/** e_ij = (f(g_ij), f(g_ji)). */
const EDGE_DIM = 2;

export class WcgcnModel extends GraphModel {
  readonly conv: MessagePassing;
  readonly config: WcgcnOptions;

  constructor(options: WcgcnOptions, ctx: Pick<ModelContext, 'seed'>) {
    super('wcgcn', { ...options });
    this.config = options;
    this.conv = new MessagePassing(
      this.store,
      'shared',
      {
        targetDim: 0,
        sourceDim: STATE_DIM,
        edgeDim: EDGE_DIM,
        nodeDim: STATE_DIM,
        message: options.message,
        update: [...options.update, 1],
        aggregation: options.aggregation,
        activation: 'relu',
        outputActivation: 'sigmoid',
        init: options.init,
      },
      new Rng(ctx.seed),
    );
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

export function wcgcnBuilder(options: Record<string, unknown> = {}, field = 'model'): ModelBuilder {
  const resolved = resolveWcgcnOptions(options, field);
  return (ctx) => new WcgcnModel(resolved, ctx);
}

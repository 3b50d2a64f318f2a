import * as tf from '@tensorflow/tfjs';
import type { ChannelBatch } from './channel-batch';
import { resolveWeights } from './channel-batch';

/**
 * The contract every learned power-control policy implements (MLP, GNN, UWGNN, …). Inputs are built
 * once per data set (tensors stay on the backend), and a model maps them to powers in [0, pmax].
 */
export interface ModelInputs {
  /** [B, K, K] rx-tx power gains; absent interference links are 0. */
  readonly gains: tf.Tensor3D;
  /** [B, K] direct gains g_ii. */
  readonly direct: tf.Tensor2D;
  /** [B, K] link weights λ. */
  readonly weights: tf.Tensor2D;
  /** [B, K, K] 1 where the interference edge j → i exists, 0 elsewhere (and on the diagonal). */
  readonly mask: tf.Tensor3D;
  readonly noise: number;
  readonly pmax: number;
}

/** What a model needs to be built, known only once the pipeline has a scenario and a seed. */
export interface ModelContext {
  readonly users: number;
  readonly pmax: number;
  readonly noise: number;
  /** Seed for weight initialisation (a named stream of the run seed). */
  readonly seed: number;
}

export interface NamedTensor {
  readonly name: string;
  readonly tensor: tf.Tensor;
}

export interface PowerModel {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Powers [B, K] in [0, pmax], differentiable with respect to `trainable`. */
  apply(inputs: ModelInputs): tf.Tensor2D;
  readonly trainable: tf.Variable[];
  /** Everything to save, trainable or fixed (e.g. input statistics), under stable names. */
  namedWeights(): NamedTensor[];
  loadWeights(weights: Record<string, tf.Tensor>): void;
  /** Called once on the training inputs before training (e.g. to fit input standardisation). */
  fit?(train: ModelInputs): void;
  paramCount(): number;
  /** Multiply–accumulates for one sample with `users` links (UWGNN's paper compares these). */
  macsPerSample(users: number): number;
  dispose(): void;
}

/** Model plugins validate options at creation (before any work) and build once the context is known. */
export type ModelBuilder = (ctx: ModelContext) => PowerModel;

declare module './registry' {
  interface PluginKinds {
    model: ModelBuilder;
  }
}

/**
 * Tensors for a ChannelBatch. The mask marks interference edges with non-zero gain, so sparse
 * interference graphs (distance threshold, link removal) are represented without a separate format.
 */
export function modelInputs(
  channels: Pick<ChannelBatch, 'batch' | 'users'> & { readonly gains: ArrayLike<number>; readonly weights?: ArrayLike<number> },
  opts: { noise: number; pmax: number; weights?: Float64Array },
): ModelInputs {
  const { batch, users, gains } = channels;
  const w = channels.weights ?? resolveWeights({ batch, users }, opts.weights);
  const g32 = new Float32Array(gains.length);
  const mask = new Float32Array(gains.length);
  const direct = new Float32Array(batch * users);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < users; i++) {
      const row = (b * users + i) * users;
      for (let j = 0; j < users; j++) {
        const v = gains[row + j];
        g32[row + j] = v;
        if (i === j) direct[b * users + i] = v;
        else if (v > 0) mask[row + j] = 1;
      }
    }
  }
  return {
    gains: tf.tensor3d(g32, [batch, users, users]),
    direct: tf.tensor2d(direct, [batch, users]),
    weights: tf.tensor2d(Float32Array.from(w), [batch, users]),
    mask: tf.tensor3d(mask, [batch, users, users]),
    noise: opts.noise,
    pmax: opts.pmax,
  };
}

export function disposeInputs(inputs: ModelInputs): void {
  tf.dispose([inputs.gains, inputs.direct, inputs.weights, inputs.mask]);
}

/** Rows [start, end) of model inputs (for mini-batches), as new tensors. */
export function sliceInputs(inputs: ModelInputs, start: number, end: number): ModelInputs {
  const n = end - start;
  const k = inputs.direct.shape[1];
  return {
    gains: inputs.gains.slice([start, 0, 0], [n, k, k]),
    direct: inputs.direct.slice([start, 0], [n, k]),
    weights: inputs.weights.slice([start, 0], [n, k]),
    mask: inputs.mask.slice([start, 0, 0], [n, k, k]),
    noise: inputs.noise,
    pmax: inputs.pmax,
  };
}

/** Rows picked by index (for shuffled mini-batches), as new tensors. */
export function gatherInputs(inputs: ModelInputs, indices: Int32Array): ModelInputs {
  return tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    return {
      gains: tf.gather(inputs.gains, idx) as tf.Tensor3D,
      direct: tf.gather(inputs.direct, idx) as tf.Tensor2D,
      weights: tf.gather(inputs.weights, idx) as tf.Tensor2D,
      mask: tf.gather(inputs.mask, idx) as tf.Tensor3D,
      noise: inputs.noise,
      pmax: inputs.pmax,
    };
  });
}

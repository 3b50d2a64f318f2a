import * as tf from '@tensorflow/tfjs';
import {
  Rng,
  ValidationError,
  dense,
  rejectUnknownKeys,
  requireInteger,
  requireOneOf,
  type ModelBuilder,
  type ModelContext,
  type ModelInputs,
  type NamedTensor,
  type PowerModel,
} from '@rrm/core';

/**
 * A multilayer perceptron power-control policy (the "PCNet"/DNN baseline of both papers):
 *
 *   x = features(G, λ)            flattened gains [B, K·K] (plus the weights λ [B, K] when `useWeights`)
 *   h_0 = x,  h_{l+1} = act(h_l W_l + b_l)
 *   p = p_max · sigmoid(h_L W_out + b_out)        powers [B, K] in [0, p_max]
 *
 * Input transforms (`input`):
 * - `standardize` (default): per-feature (x − μ)/σ with μ, σ fitted on the training inputs by `fit` and
 *   stored as fixed named weights (`input/mean`, `input/std`), so they travel with saved weights.
 *   METHODS.md: with log(1+g) inputs unsupervised training got stuck at full power on 2 of 3 seeds;
 *   standardised inputs did not. Before `fit` the statistics are the identity (μ = 0, σ = 1).
 * - `log`: log(1 + g/σ²) with σ² the noise of the inputs (λ, when used, enters raw).
 * - `raw`: the gains as they are.
 *
 * Weight names (stable, used by save/load): `dense0/kernel` [in, h0], `dense0/bias` [h0], … ,
 * `output/kernel` [h_last, K], `output/bias` [K], and with `standardize` also `input/mean`, `input/std` [in].
 *
 * An MLP is tied to the K it was built for: inputs with another K are a ValidationError.
 * Initialisation follows PyTorch's nn.Linear default, W, b ~ U(−1/√fan_in, 1/√fan_in), drawn from the
 * core seeded Rng so the same seed gives the same weights on every backend.
 */
export type MlpActivation = 'relu' | 'leaky-relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid';
export type MlpInput = 'standardize' | 'log' | 'raw';

export const MLP_ACTIVATIONS: readonly MlpActivation[] = ['relu', 'leaky-relu', 'elu', 'selu', 'tanh', 'sigmoid'];
export const MLP_INPUTS: readonly MlpInput[] = ['standardize', 'log', 'raw'];

export interface MlpOptions {
  /** Hidden layer widths (default [200, 200]); an empty list is a single affine layer. */
  readonly hidden: readonly number[];
  readonly activation: MlpActivation;
  readonly input: MlpInput;
  /** Append the link weights λ to the features (for weighted sum-rate problems). */
  readonly useWeights: boolean;
}

export const MLP_DEFAULTS: MlpOptions = { hidden: [200, 200], activation: 'relu', input: 'standardize', useWeights: false };

const KNOWN_OPTIONS = ['hidden', 'activation', 'input', 'useWeights'] as const;

/** Validates config options (unknown keys rejected) and fills in defaults; errors name `field.<option>`. */
export function resolveMlpOptions(options: Record<string, unknown> = {}, field = 'model'): MlpOptions {
  rejectUnknownKeys(field, options, KNOWN_OPTIONS);
  let hidden = MLP_DEFAULTS.hidden;
  if (options.hidden !== undefined) {
    if (!Array.isArray(options.hidden)) throw new ValidationError(`${field}.hidden`, 'an array of layer widths, e.g. [200, 200]', options.hidden);
    hidden = options.hidden.map((h, i) => requireInteger(`${field}.hidden[${i}]`, h, 1));
  }
  const activation = requireOneOf(`${field}.activation`, options.activation ?? MLP_DEFAULTS.activation, MLP_ACTIVATIONS);
  const input = requireOneOf(`${field}.input`, options.input ?? MLP_DEFAULTS.input, MLP_INPUTS);
  const useWeights = options.useWeights ?? MLP_DEFAULTS.useWeights;
  if (typeof useWeights !== 'boolean') throw new ValidationError(`${field}.useWeights`, 'true or false', useWeights);
  return { hidden: [...hidden], activation, input, useWeights };
}

interface Layer {
  readonly name: string;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/**
 * tf variable names are global to the engine (two models may not share one), so variables get
 * engine-generated names and the stable names used for saving live beside them.
 */
function variable(init: () => tf.Tensor, trainable: boolean): tf.Variable {
  return tf.tidy(() => tf.variable(init(), trainable));
}

export class MlpModel implements PowerModel {
  readonly kind = 'mlp';
  readonly options: Readonly<Record<string, unknown>>;
  readonly users: number;
  /** Length of the feature vector: K² (+ K with `useWeights`). */
  readonly inputSize: number;
  readonly trainable: tf.Variable[];
  private readonly layers: Layer[];
  private readonly mean?: tf.Variable;
  private readonly std?: tf.Variable;
  private disposed = false;

  constructor(
    readonly config: MlpOptions,
    ctx: ModelContext,
  ) {
    this.options = { hidden: [...config.hidden], activation: config.activation, input: config.input, useWeights: config.useWeights };
    this.users = requireInteger('model context users', ctx.users, 1);
    const k = this.users;
    this.inputSize = k * k + (config.useWeights ? k : 0);
    const rng = new Rng(ctx.seed);
    const widths = [this.inputSize, ...config.hidden, k];
    this.layers = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      const fanIn = widths[l];
      const fanOut = widths[l + 1];
      const bound = 1 / Math.sqrt(fanIn);
      const name = l + 1 === widths.length - 1 ? 'output' : `dense${l}`;
      const w = rng.fillUniform(new Float32Array(fanIn * fanOut), -bound, bound);
      const b = rng.fillUniform(new Float32Array(fanOut), -bound, bound);
      this.layers.push({
        name,
        kernel: variable(() => tf.tensor2d(w, [fanIn, fanOut]), true),
        bias: variable(() => tf.tensor1d(b), true),
      });
    }
    this.trainable = this.layers.flatMap((layer) => [layer.kernel, layer.bias]);
    if (config.input === 'standardize') {
      this.mean = variable(() => tf.zeros([this.inputSize]), false);
      this.std = variable(() => tf.ones([this.inputSize]), false);
    }
  }

  /** Fits the input standardisation (per-feature mean and std over the training samples). */
  fit(train: ModelInputs): void {
    if (!this.mean || !this.std) return;
    this.checkUsers(train);
    const { mean, std } = tf.tidy(() => {
      const x = this.rawFeatures(train);
      const m = tf.moments(x, 0);
      const s = tf.sqrt(m.variance);
      // Constant features (e.g. all-ones weights, absent links) keep σ = 1 instead of dividing by 0.
      return { mean: m.mean, std: tf.where(tf.greater(s, 1e-12), s, tf.onesLike(s)) };
    });
    this.mean.assign(mean);
    this.std.assign(std);
    tf.dispose([mean, std]);
  }

  apply(inputs: ModelInputs): tf.Tensor2D {
    this.checkUsers(inputs);
    return tf.tidy(() => {
      let h: tf.Tensor2D = this.rawFeatures(inputs);
      if (this.mean && this.std) h = tf.div(tf.sub(h, this.mean), this.std);
      // Core's dense op: one fused matMul per layer and a hand-written gradient without the transposed
      // matMuls that are slow on wasm (3× faster training steps than tfjs's own matMul gradient there).
      // The first layer's input is data, so its input gradient is skipped.
      const last = this.layers.length - 1;
      this.layers.forEach((layer, l) => {
        const activation = l === last ? 'sigmoid' : this.config.activation;
        h = dense(h, layer.kernel as tf.Tensor2D, layer.bias as tf.Tensor1D, activation, l > 0);
      });
      return tf.mul(h, inputs.pmax) as tf.Tensor2D;
    });
  }

  namedWeights(): NamedTensor[] {
    const out: NamedTensor[] = this.layers.flatMap((layer) => [
      { name: `${layer.name}/kernel`, tensor: layer.kernel },
      { name: `${layer.name}/bias`, tensor: layer.bias },
    ]);
    if (this.mean && this.std) out.push({ name: 'input/mean', tensor: this.mean }, { name: 'input/std', tensor: this.std });
    return out;
  }

  /** Copies the given tensors into the model's weights (the caller keeps ownership of `weights`). */
  loadWeights(weights: Record<string, tf.Tensor>): void {
    const own = this.namedWeights();
    for (const { name, tensor } of own) {
      const w = weights[name];
      if (w === undefined) {
        throw new ValidationError(`weights['${name}']`, `a tensor of shape [${tensor.shape.join(', ')}] (missing from the saved weights)`);
      }
      if (w.shape.length !== tensor.shape.length || w.shape.some((d, i) => d !== tensor.shape[i])) {
        throw new ValidationError(`weights['${name}']`, `shape [${tensor.shape.join(', ')}]`, `shape [${w.shape.join(', ')}]`);
      }
    }
    const known = new Set(own.map((w) => w.name));
    for (const name of Object.keys(weights)) {
      if (!known.has(name)) throw new ValidationError(`weights['${name}']`, `one of this MLP's weights (${[...known].join(', ')})`, name);
    }
    for (const { name, tensor } of own) {
      const src = weights[name];
      tf.tidy(() => (tensor as tf.Variable).assign(src.dtype === 'float32' ? src : tf.cast(src, 'float32')));
    }
  }

  paramCount(): number {
    return this.trainable.reduce((acc, v) => acc + v.size, 0);
  }

  /** Σ over affine layers of fan_in · fan_out, for an MLP of this shape with `users` links. */
  macsPerSample(users: number = this.users): number {
    const widths = [users * users + (this.config.useWeights ? users : 0), ...this.config.hidden, users];
    let macs = 0;
    for (let l = 0; l + 1 < widths.length; l++) macs += widths[l] * widths[l + 1];
    return macs;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.namedWeights().map((w) => w.tensor));
  }

  private checkUsers(inputs: ModelInputs): void {
    const k = inputs.direct.shape[1];
    if (k !== this.users) {
      throw new ValidationError(
        'model',
        `inputs with K = ${this.users} users (this MLP was built for K = ${this.users}; an MLP is tied to one K, build a new one for K = ${k})`,
        `inputs with K = ${k} users`,
      );
    }
  }

  private rawFeatures(inputs: ModelInputs): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, k] = inputs.direct.shape;
      let g = inputs.gains.reshape([b, k * k]) as tf.Tensor2D;
      if (this.config.input === 'log') g = tf.log1p(tf.div(g, inputs.noise)) as tf.Tensor2D;
      return this.config.useWeights ? tf.concat([g, inputs.weights], 1) : g;
    });
  }
}

/** Validates options now (before any work) and returns the builder the pipeline calls with its context. */
export function mlpBuilder(options: Record<string, unknown> = {}, field = 'model'): ModelBuilder {
  const config = resolveMlpOptions(options, field);
  return (ctx: ModelContext) => new MlpModel(config, ctx);
}

/** Convenience: options and context at once. */
export function createMlp(options: Partial<MlpOptions> | Record<string, unknown>, ctx: ModelContext): MlpModel {
  return new MlpModel(resolveMlpOptions(options as Record<string, unknown>), ctx);
}

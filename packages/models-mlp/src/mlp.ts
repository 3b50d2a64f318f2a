import * as tf from '@tensorflow/tfjs';
import {
  DenseStack,
  kerasNames,
  ParamStore,
  parseLayerOptions,
  requireInteger,
  Rng,
  strictOptions,
  ValidationError,
  widths,
  z,
  type ModelBuilder,
  type ModelContext,
  type ModelInputs,
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
export const MLP_ACTIVATIONS = ['relu', 'leaky-relu', 'elu', 'selu', 'tanh', 'sigmoid'] as const;
export const MLP_INPUTS = ['standardize', 'log', 'raw'] as const;

export const mlpSchema = strictOptions({
  hidden: widths(true).default([200, 200]).describe('hidden layer widths; [] is a single affine layer'),
  activation: z.enum(MLP_ACTIVATIONS).default('relu').describe('activation of the hidden layers'),
  input: z.enum(MLP_INPUTS).default('standardize').describe('input transform of the gains: fitted standardisation, log(1 + g/σ²) or raw'),
  useWeights: z.boolean().default(false).describe('append the link weights λ to the features (weighted sum-rate problems)'),
});
export type MlpOptions = z.output<typeof mlpSchema>;

export class MlpModel extends ParamStore implements PowerModel {
  readonly kind = 'mlp';
  readonly options: Readonly<Record<string, unknown>>;
  readonly users: number;
  /** Length of the feature vector: K² (+ K with `useWeights`). */
  readonly inputSize: number;
  private readonly net: DenseStack;
  private readonly mean?: tf.Variable;
  private readonly std?: tf.Variable;

  constructor(
    readonly config: MlpOptions,
    ctx: ModelContext,
  ) {
    super('mlp');
    this.options = { ...config, hidden: [...config.hidden] };
    this.users = requireInteger('model context users', ctx.users, 1);
    const k = this.users;
    this.inputSize = k * k + (config.useWeights ? k : 0);
    const layers = { inputs: this.inputSize, widths: [...config.hidden, k], activation: config.activation, outputActivation: 'sigmoid', init: 'torch' } as const;
    this.net = new DenseStack(this, kerasNames, layers, new Rng(ctx.seed));
    if (config.input === 'standardize') {
      this.mean = this.add('input/mean', tf.zeros([this.inputSize]), false);
      this.std = this.add('input/std', tf.ones([this.inputSize]), false);
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
      // The features are data: the first layer skips its input gradient.
      return tf.mul(this.net.apply(h, 0, false), inputs.pmax) as tf.Tensor2D;
    });
  }

  /** Σ over affine layers of fan_in · fan_out, for an MLP of this shape with `users` links. */
  macsPerSample(users: number = this.users): number {
    const widths = [users * users + (this.config.useWeights ? users : 0), ...this.config.hidden, users];
    let macs = 0;
    for (let l = 0; l + 1 < widths.length; l++) macs += widths[l] * widths[l + 1];
    return macs;
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
  const config = parseLayerOptions(mlpSchema, options, field);
  return (ctx: ModelContext) => new MlpModel(config, ctx);
}

/** Convenience: options and context at once. */
export function createMlp(options: Partial<MlpOptions> | Record<string, unknown>, ctx: ModelContext): MlpModel {
  return new MlpModel(parseLayerOptions(mlpSchema, options, 'model'), ctx);
}

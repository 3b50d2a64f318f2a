import * as tf from '@tensorflow/tfjs';
import { ParamStore, parseLayerOptions, type ModelBuilder, type ModelContext, type ModelInputs, type PowerModel, z } from '@rrm/core';

/**
 * What every model of this package shares: parameters in the model's own ParamStore under stable names,
 * input checks, and one tf.tidy around `forward`. The parameters do not depend on K: any K runs.
 */
export abstract class GraphModel extends ParamStore implements PowerModel {
  constructor(
    readonly kind: string,
    readonly options: Readonly<Record<string, unknown>>,
  ) {
    super(kind);
  }

  /** Powers [B, K] in [0, pmax]. */
  apply(inputs: ModelInputs): tf.Tensor2D {
    checkInputs(inputs, this.kind);
    return tf.tidy(() => this.forward(inputs));
  }

  protected abstract forward(inputs: ModelInputs): tf.Tensor2D;

  abstract macsPerSample(users: number): number;
}

/**
 * The factory of a model whose options `schema` validates now (errors name `<field>.<option>`), before
 * the pipeline knows the seed the model is built with.
 */
export function modelBuilder<S extends z.ZodType>(schema: S, Model: new (options: z.output<S>, ctx: Pick<ModelContext, 'seed'>) => PowerModel) {
  return (options: Record<string, unknown> = {}, field = 'model'): ModelBuilder => {
    const resolved = parseLayerOptions(schema, options, field);
    return (ctx) => new Model(resolved, ctx);
  };
}

function checkInputs(inputs: ModelInputs, kind: string): void {
  const [b, k, k2] = inputs.gains.shape;
  const ok =
    k === k2 &&
    inputs.direct.shape[0] === b &&
    inputs.direct.shape[1] === k &&
    inputs.weights.shape[0] === b &&
    inputs.weights.shape[1] === k &&
    inputs.mask.shape.every((d, i) => d === inputs.gains.shape[i]);
  if (!ok) {
    throw new Error(
      `${kind}: inconsistent inputs (gains [${inputs.gains.shape}], direct [${inputs.direct.shape}], ` +
        `weights [${inputs.weights.shape}], mask [${inputs.mask.shape}]); expected [B,K,K], [B,K], [B,K], [B,K,K]`,
    );
  }
}

/** Weight initialisations a model config may name (core's `torch` is the MLP baseline's). */
export const INITS = ['glorot', 'he'] as const;
export const initOption = () => z.enum(INITS).default('glorot').describe('weights: Glorot uniform or He normal (biases 0)');

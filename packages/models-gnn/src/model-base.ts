import * as tf from '@tensorflow/tfjs';
import type { ModelInputs, NamedTensor, PowerModel } from '@rrm/core';
import { ParamStore } from './params';

/**
 * What every model of this package shares: parameters in a ParamStore under stable names, and the
 * PowerModel bookkeeping around them. Subclasses build their layers into `store` and implement `forward`
 * (called inside one tf.tidy) and `macsPerSample`.
 */
export abstract class GraphModel implements PowerModel {
  protected readonly store = new ParamStore();

  constructor(
    readonly kind: string,
    readonly options: Readonly<Record<string, unknown>>,
  ) {}

  /** Powers [B, K] in [0, pmax]; `inputs` may have any K (the parameters do not depend on it). */
  apply(inputs: ModelInputs): tf.Tensor2D {
    checkInputs(inputs, this.kind);
    return tf.tidy(() => this.forward(inputs));
  }

  protected abstract forward(inputs: ModelInputs): tf.Tensor2D;

  abstract macsPerSample(users: number): number;

  get trainable(): tf.Variable[] {
    return this.store.variables;
  }

  namedWeights(): NamedTensor[] {
    return this.store.named();
  }

  loadWeights(weights: Record<string, tf.Tensor>): void {
    this.store.load(weights, this.kind);
  }

  paramCount(): number {
    return this.store.count();
  }

  dispose(): void {
    this.store.dispose();
  }
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

import * as tf from '@tensorflow/tfjs';
import { disposeInputs, modelInputs, sliceInputs, type ModelInputs, type PowerModel } from './model';
import type { ChannelBatch } from './channel-batch';

export const DEFAULT_EVAL_BATCH = 1024;

/**
 * Batched inference without gradients: each batch runs inside tf.tidy and only its [b, K] powers leave
 * it (large typed arrays are never returned out of a tidy: STACK.md). Powers [N, K] in Float64.
 */
export function predictInputs(model: PowerModel, inputs: ModelInputs, batchSize = DEFAULT_EVAL_BATCH): Float64Array {
  const [n, k] = inputs.direct.shape;
  const out = new Float64Array(n * k);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const p = tf.tidy(() => model.apply(start === 0 && end === n ? inputs : sliceInputs(inputs, start, end)));
    out.set(p.dataSync(), start * k);
    p.dispose();
  }
  return out;
}

export interface PredictOptions {
  readonly noise: number;
  readonly pmax: number;
  readonly weights?: Float64Array;
}

/** Powers [N, K] of a model on a channel batch (builds and disposes the input tensors). */
export function predictPowers(model: PowerModel, channels: ChannelBatch, opts: PredictOptions, batchSize = DEFAULT_EVAL_BATCH): Float64Array {
  const inputs = modelInputs(channels, opts);
  try {
    return predictInputs(model, inputs, batchSize);
  } finally {
    disposeInputs(inputs);
  }
}


import * as tf from '@tensorflow/tfjs';
import { disposeInputs, modelInputs, sliceInputs, type ModelInputs, type PowerModel } from './model';
import type { ChannelBatch } from './channel-batch';
import { activeDispatchLimit } from './backends';
import { dispatchChunkSamples } from './dispatch-limit';

export const DEFAULT_EVAL_BATCH = 1024;

/**
 * Samples per inference batch at K users: the evaluation batch size, lowered to what one kernel dispatch
 * of the active backend can cover (dispatch-limit.ts; unlimited on wasm and cpu).
 */
export function inferenceBatch(users: number, batchSize = DEFAULT_EVAL_BATCH, limit = activeDispatchLimit()): number {
  return Math.min(batchSize, dispatchChunkSamples(users, limit));
}

/**
 * Batched inference without gradients: each batch runs inside tf.tidy and only its [b, K] powers leave
 * it (large typed arrays are never returned out of a tidy: STACK.md). The powers are read back
 * asynchronously (webgpu has no synchronous read under Node), after the tidy (a tidy cannot await).
 * Batches are at most `batchSize` samples and within the dispatch limit `limit`; per-sample powers do
 * not depend on either. Powers [N, K] in Float64.
 */
export async function predictInputs(model: PowerModel, inputs: ModelInputs, batchSize = DEFAULT_EVAL_BATCH, limit = activeDispatchLimit()): Promise<Float64Array> {
  const [n, k] = inputs.direct.shape;
  const size = inferenceBatch(k, batchSize, limit);
  const out = new Float64Array(n * k);
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const p = tf.tidy(() => model.apply(start === 0 && end === n ? inputs : sliceInputs(inputs, start, end)));
    try {
      out.set(await p.data(), start * k);
    } finally {
      p.dispose();
    }
  }
  return out;
}

export interface PredictOptions {
  readonly noise: number;
  readonly pmax: number;
  readonly weights?: Float64Array;
}

/** Powers [N, K] of a model on a channel batch (builds and disposes the input tensors). */
export async function predictPowers(model: PowerModel, channels: ChannelBatch, opts: PredictOptions, batchSize = DEFAULT_EVAL_BATCH, limit = activeDispatchLimit()): Promise<Float64Array> {
  const inputs = modelInputs(channels, opts);
  try {
    return await predictInputs(model, inputs, batchSize, limit);
  } finally {
    disposeInputs(inputs);
  }
}

import * as tf from '@tensorflow/tfjs';
import { disposeInputs, modelInputs, sliceInputs, sumRates, type ChannelBatch, type ModelInputs, type PowerModel, type RateUnit } from '@rrm/core';
import type { Dataset } from './dataset';
import { meanReference } from './dataset';

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

export interface TimedPrediction {
  readonly powers: Float64Array;
  /** Wall time of the inference (tensor inputs already built, powers read back), after one warm-up batch. */
  readonly seconds: number;
  readonly secondsPerSample: number;
  readonly samplesPerSecond: number;
}

/** predictPowers with timing per sample (the input tensors are built before the clock starts). */
export function predictPowersTimed(model: PowerModel, channels: ChannelBatch, opts: PredictOptions, batchSize = DEFAULT_EVAL_BATCH): TimedPrediction {
  const inputs = modelInputs(channels, opts);
  try {
    // Warm-up: the first call of a kernel may compile or allocate.
    const warm = sliceInputs(inputs, 0, Math.min(channels.batch, batchSize));
    const w = model.apply(warm);
    w.dataSync();
    tf.dispose(w);
    disposeInputs(warm);
    const t0 = performance.now();
    const powers = predictInputs(model, inputs, batchSize);
    const seconds = (performance.now() - t0) / 1000;
    return { powers, seconds, secondsPerSample: seconds / channels.batch, samplesPerSecond: channels.batch / Math.max(seconds, 1e-12) };
  } finally {
    disposeInputs(inputs);
  }
}

export interface SumRateEvaluation {
  /** Mean weighted sum rate over the samples (Float64, core sumRates). */
  readonly meanSumRate: number;
  /** 100 · meanSumRate / mean(reference) on the same samples; null without a reference. */
  readonly pctReference: number | null;
  readonly perSample: Float64Array;
  readonly powers: Float64Array;
}

/** Mean weighted sum rate of powers on a data set, and its percentage of the data set's reference. */
export function sumRateOf(dataset: Dataset, powers: Float64Array, unit: RateUnit = 'bits'): SumRateEvaluation {
  const perSample = sumRates(dataset.channels, powers, { noise: dataset.noise, weights: dataset.weights, unit });
  let acc = 0;
  for (const v of perSample) acc += v;
  const meanSumRate = acc / perSample.length;
  const ref = meanReference(dataset);
  return { meanSumRate, pctReference: ref === undefined ? null : (100 * meanSumRate) / ref, perSample, powers };
}

/** Evaluates a model on a data set (inference + Float64 objective). */
export function evaluateModel(model: PowerModel, dataset: Dataset, opts: { batchSize?: number; unit?: RateUnit } = {}): SumRateEvaluation {
  const powers = predictPowers(model, dataset.channels, dataset, opts.batchSize);
  return sumRateOf(dataset, powers, opts.unit);
}

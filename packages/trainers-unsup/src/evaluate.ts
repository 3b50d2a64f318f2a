import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EVAL_BATCH, disposeInputs, inferenceBatch, modelInputs, predictInputs, predictPowers, sliceInputs, sumRates, type ChannelBatch, type PowerModel, type PredictOptions, type RateUnit } from '@rrm/core';
import type { Dataset } from './dataset';
import { meanReference } from './dataset';

export { DEFAULT_EVAL_BATCH, predictInputs, predictPowers, type PredictOptions } from '@rrm/core';

export interface TimedPrediction {
  readonly powers: Float64Array;
  /** Wall time of the inference (tensor inputs already built, powers read back), after one warm-up batch. */
  readonly seconds: number;
  readonly secondsPerSample: number;
  readonly samplesPerSecond: number;
}

/**
 * predictPowers with timing per sample (the input tensors are built before the clock starts). The
 * warm-up batch is the first inference batch (within the backend's dispatch limit, like the timed run).
 */
export async function predictPowersTimed(model: PowerModel, channels: ChannelBatch, opts: PredictOptions, batchSize = DEFAULT_EVAL_BATCH): Promise<TimedPrediction> {
  const inputs = modelInputs(channels, opts);
  try {
    // Warm-up: the first call of a kernel may compile or allocate.
    const warm = sliceInputs(inputs, 0, Math.min(channels.batch, inferenceBatch(channels.users, batchSize)));
    const w = tf.tidy(() => model.apply(warm));
    disposeInputs(warm);
    try {
      await w.data();
    } finally {
      w.dispose();
    }
    const t0 = performance.now();
    const powers = await predictInputs(model, inputs, batchSize);
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
export async function evaluateModel(model: PowerModel, dataset: Dataset, opts: { batchSize?: number; unit?: RateUnit } = {}): Promise<SumRateEvaluation> {
  const powers = await predictPowers(model, dataset.channels, dataset, opts.batchSize);
  return sumRateOf(dataset, powers, opts.unit);
}

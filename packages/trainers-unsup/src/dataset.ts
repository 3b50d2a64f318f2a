import * as tf from '@tensorflow/tfjs';
import { ValidationError, gatherBatch, modelInputs, type ChannelBatch, type ModelInputs } from '@rrm/core';

/**
 * The dataset pattern: a fixed set of channel realisations, reused every epoch (as opposed to the RL
 * pattern, where an environment draws fresh channels every step).
 */
export interface Dataset {
  readonly channels: ChannelBatch;
  readonly noise: number;
  readonly pmax: number;
  /** Length-K link weights for every sample (per-sample weights live on `channels.weights`). */
  readonly weights?: Float64Array;
  /** Teacher powers [N, K] (supervised targets, distillation labels). */
  readonly labels?: Float64Array;
  /** Reference per-sample sum rates [N] (WMMSE-100), so results read as "% of WMMSE". */
  readonly reference?: Float64Array;
}

/** Checks the shapes of the optional arrays; errors name `field.<array>`. */
export function checkDataset(dataset: Dataset, field = 'dataset'): void {
  const { batch, users } = dataset.channels;
  if (!(dataset.noise > 0) || !Number.isFinite(dataset.noise)) throw new ValidationError(`${field}.noise`, 'a finite number > 0', dataset.noise);
  if (!(dataset.pmax > 0) || !Number.isFinite(dataset.pmax)) throw new ValidationError(`${field}.pmax`, 'a finite number > 0', dataset.pmax);
  if (dataset.weights !== undefined && dataset.weights.length !== users) {
    throw new ValidationError(`${field}.weights`, `${users} weights (one per user)`, dataset.weights);
  }
  if (dataset.labels !== undefined && dataset.labels.length !== batch * users) {
    throw new ValidationError(`${field}.labels`, `${batch * users} teacher powers ([N, K] = [${batch}, ${users}])`, dataset.labels);
  }
  if (dataset.reference !== undefined && dataset.reference.length !== batch) {
    throw new ValidationError(`${field}.reference`, `${batch} reference sum rates (one per sample)`, dataset.reference);
  }
}

/** The model inputs (tensors) of a data set; dispose them with core `disposeInputs`. */
export function datasetInputs(dataset: Dataset): ModelInputs {
  return modelInputs(dataset.channels, { noise: dataset.noise, pmax: dataset.pmax, weights: dataset.weights });
}

/** Mean of the reference sum rates, or undefined when the data set has none. */
export function meanReference(dataset: Dataset): number | undefined {
  const r = dataset.reference;
  if (!r || r.length === 0) return undefined;
  let acc = 0;
  for (const v of r) acc += v;
  return acc / r.length;
}

/**
 * Mini-batches of a data set, gathered on the host: the rows are copied in JavaScript and uploaded as
 * new tensors, which is much cheaper than tf.gather on the wasm backend (≈1 ms per [64, 20, 20] gather
 * there, about as long as the MLP's whole forward pass).
 */
export class DatasetBatches {
  constructor(readonly dataset: Dataset) {}

  /** Model inputs of the samples `indices` (dispose them with core `disposeInputs`). */
  inputs(indices: ArrayLike<number>): ModelInputs {
    const { noise, pmax, weights } = this.dataset;
    return modelInputs(gatherBatch(this.dataset.channels, indices), { noise, pmax, weights });
  }

  /** Teacher powers [B, K] of the samples `indices`; undefined when the data set has no labels. */
  labels(indices: ArrayLike<number>): tf.Tensor2D | undefined {
    const all = this.dataset.labels;
    if (!all) return undefined;
    const k = this.dataset.channels.users;
    const out = new Float32Array(indices.length * k);
    for (let r = 0; r < indices.length; r++) for (let i = 0; i < k; i++) out[r * k + i] = all[indices[r] * k + i];
    return tf.tensor2d(out, [indices.length, k]);
  }
}

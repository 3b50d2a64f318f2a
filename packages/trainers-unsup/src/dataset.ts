import { ValidationError, modelInputs, type ChannelBatch, type ModelInputs } from '@rrm/core';

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

import * as tf from '@tensorflow/tfjs';
import { requireInteger, requireNonNegative, rejectUnknownKeys, ValidationError, type PowerModel } from '@rrm/core';
import type { TrainingProgress } from './loss';
import type { NamedTensor } from '@rrm/core';
import type { EpochRecord, TrainResult } from './trainer';

/**
 * Everything around the fit loop that is not the loop (STYLE.md, after Lightning's fit loop): logging,
 * checkpoints and early stopping are callbacks. A callback may be async; the loop awaits it.
 */
export interface CallbackContext {
  readonly model: PowerModel;
  /** Records of the finished epochs so far (epoch 0 = evaluation before training). */
  readonly records: readonly EpochRecord[];
  /** Asks the loop to stop: after onEpochEnd it stops before the next epoch; after onBatchEnd it stops
   *  before the next batch and the unfinished epoch leaves no record. */
  stop(reason: string): void;
  readonly stopRequested: boolean;
  /** The optimizer's state (for checkpoints; tf Optimizer.getWeights()). */
  optimizerWeights(): Promise<NamedTensor[]>;
}

export interface BatchInfo {
  /** 1-based epoch number of the batch (as in EpochRecord.epoch). */
  readonly epoch: number;
  /** 0-based index of the batch within the epoch. */
  readonly batch: number;
  readonly batchSize: number;
  /** Progress at the start of this batch's step. */
  readonly progress: TrainingProgress;
  readonly learningRate: number;
  readonly coefficient: number;
}

export interface TrainerCallbacks {
  onTrainBegin?(ctx: CallbackContext): void | Promise<void>;
  onBatchEnd?(info: BatchInfo, ctx: CallbackContext): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, ctx: CallbackContext): void | Promise<void>;
  onTrainEnd?(result: TrainResult, ctx: CallbackContext): void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /** Epochs without an improvement of the test sum rate by more than `minDelta` before stopping. Default 10. */
  readonly patience?: number;
  /** Smallest increase of the test sum rate that counts as an improvement (absolute, bit/s/Hz). Default 0. */
  readonly minDelta?: number;
  /** Load the weights of the best epoch back into the model when training ends. Default false. */
  readonly restoreBest?: boolean;
}

export function resolveEarlyStopping(options: EarlyStoppingOptions | Record<string, unknown>, field = 'earlyStopping'): Required<EarlyStoppingOptions> {
  rejectUnknownKeys(field, options, ['patience', 'minDelta', 'restoreBest']);
  const o = options as Record<string, unknown>;
  const patience = requireInteger(`${field}.patience`, o.patience ?? 10, 1);
  const minDelta = requireNonNegative(`${field}.minDelta`, o.minDelta ?? 0);
  const restoreBest = o.restoreBest ?? false;
  if (typeof restoreBest !== 'boolean') throw new ValidationError(`${field}.restoreBest`, 'true or false', restoreBest);
  return { patience, minDelta, restoreBest };
}

/**
 * Early stopping on the test sum rate (higher is better). The epoch-0 evaluation is the first baseline.
 * Stops once `patience` epochs in a row failed to beat the best by more than `minDelta`.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): TrainerCallbacks & { readonly best: () => EpochRecord | undefined } {
  const { patience, minDelta, restoreBest } = resolveEarlyStopping(options);
  let best: EpochRecord | undefined;
  let wait = 0;
  let snapshot: Record<string, tf.Tensor> | undefined;
  const dropSnapshot = () => {
    if (snapshot) tf.dispose(Object.values(snapshot));
    snapshot = undefined;
  };
  return {
    best: () => best,
    onTrainBegin() {
      best = undefined;
      wait = 0;
      dropSnapshot();
    },
    onEpochEnd(record, ctx) {
      if (best === undefined || record.testSumRate > best.testSumRate + minDelta) {
        best = record;
        wait = 0;
        if (restoreBest) {
          dropSnapshot();
          snapshot = Object.fromEntries(ctx.model.namedWeights().map((w) => [w.name, tf.clone(w.tensor)]));
        }
        return;
      }
      wait++;
      if (wait >= patience) {
        ctx.stop(
          `early stopping: test sum rate did not improve by more than ${minDelta} for ${patience} epoch(s) ` +
            `(best ${best.testSumRate.toFixed(4)} at epoch ${best.epoch})`,
        );
      }
    },
    onTrainEnd(_result, ctx) {
      if (restoreBest && snapshot) ctx.model.loadWeights(snapshot);
      dropSnapshot();
    },
  };
}

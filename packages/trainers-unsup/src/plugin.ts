import {
  ValidationError,
  rejectUnknownKeys,
  requireInteger,
  requireOneOf,
  type Plugin,
  type PowerModel,
  type RateUnit,
  type Registry,
} from '@rrm/core';
import { resolveEarlyStopping, type EarlyStoppingOptions, type TrainerCallbacks } from './callbacks';
import type { Dataset } from './dataset';
import { SUPERVISED_DISTANCES, type LossTerm, type SupervisedDistance } from './loss';
import { resolveOptimizer, type ResolvedOptimizer } from './optimizers';
import { trainDataset, type TrainResult } from './trainer';

/**
 * The `trainer` plugin kind. A Trainer is resolved from config options (validated at creation, before
 * any work) and run later with what the pipeline has built:
 *
 *   const trainer = registry.create('trainer', { kind: 'unsupervised', epochs: 50, batchSize: 64 });
 *   const result = await trainer.run({ model, train, test, seed, extraLoss, callbacks, signal });
 *
 * `pattern` says what the trainer consumes: 'dataset' trainers take fixed train/test sets (this
 * package). A trainer of another pattern (RL: an environment drawing fresh channels) registers under
 * its own kind with its own context, so this contract stays small.
 */
export interface DatasetTrainContext {
  readonly model: PowerModel;
  readonly train: Dataset;
  readonly test: Dataset;
  /** Shuffling seed (a named stream of the run seed). */
  readonly seed?: number;
  /** The AD term (from @rrm/distill) or any other extra loss. */
  readonly extraLoss?: LossTerm;
  readonly callbacks?: TrainerCallbacks | readonly TrainerCallbacks[];
  readonly signal?: AbortSignal;
}

export interface Trainer {
  readonly kind: string;
  readonly pattern: 'dataset';
  /** Resolved options (defaults filled in), for the run record. */
  readonly options: Readonly<Record<string, unknown>>;
  run(ctx: DatasetTrainContext): Promise<TrainResult>;
}

declare module '@rrm/core' {
  interface PluginKinds {
    trainer: Trainer;
  }
}

export interface DatasetTrainerOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: ResolvedOptimizer;
  readonly earlyStopping?: Required<EarlyStoppingOptions>;
  readonly unit: RateUnit;
  readonly evalBatchSize: number;
  readonly shuffle: boolean;
  /** supervised only. */
  readonly distance?: SupervisedDistance;
}

const COMMON_KEYS = ['epochs', 'batchSize', 'optimizer', 'earlyStopping', 'unit', 'evalBatchSize', 'shuffle'];

/** Validates a trainer's config options; errors name `field.<option>` (e.g. `trainer.epochs`). */
export function resolveTrainerOptions(kind: 'unsupervised' | 'supervised', options: Record<string, unknown>, field = 'trainer'): DatasetTrainerOptions {
  rejectUnknownKeys(field, options, kind === 'supervised' ? [...COMMON_KEYS, 'distance'] : COMMON_KEYS);
  const epochs = requireInteger(`${field}.epochs`, options.epochs ?? 100, 0);
  const batchSize = requireInteger(`${field}.batchSize`, options.batchSize ?? 64, 1);
  const optimizer = resolveOptimizer(options.optimizer as never, `${field}.optimizer`);
  let earlyStopping: Required<EarlyStoppingOptions> | undefined;
  if (options.earlyStopping !== undefined && options.earlyStopping !== false) {
    const es = options.earlyStopping === true ? {} : options.earlyStopping;
    if (typeof es !== 'object' || es === null) throw new ValidationError(`${field}.earlyStopping`, '{ patience, minDelta, restoreBest } or true', es);
    earlyStopping = resolveEarlyStopping(es as Record<string, unknown>, `${field}.earlyStopping`);
  }
  const unit = requireOneOf(`${field}.unit`, options.unit ?? 'bits', ['bits', 'nats'] as const);
  const evalBatchSize = requireInteger(`${field}.evalBatchSize`, options.evalBatchSize ?? 1024, 1);
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new ValidationError(`${field}.shuffle`, 'true or false', shuffle);
  const distance = kind === 'supervised' ? requireOneOf(`${field}.distance`, options.distance ?? 'mse', SUPERVISED_DISTANCES) : undefined;
  return { epochs, batchSize, optimizer, earlyStopping, unit, evalBatchSize, shuffle, distance };
}

export function datasetTrainer(kind: 'unsupervised' | 'supervised', options: Record<string, unknown> = {}, field = 'trainer'): Trainer {
  const o = resolveTrainerOptions(kind, options, field);
  return {
    kind,
    pattern: 'dataset',
    options: { ...o },
    run: (ctx) =>
      trainDataset({
        model: ctx.model,
        train: ctx.train,
        test: ctx.test,
        seed: ctx.seed,
        extraLoss: ctx.extraLoss,
        callbacks: ctx.callbacks,
        signal: ctx.signal,
        epochs: o.epochs,
        batchSize: o.batchSize,
        optimizer: o.optimizer,
        earlyStopping: o.earlyStopping,
        unit: o.unit,
        evalBatchSize: o.evalBatchSize,
        shuffle: o.shuffle,
        loss: kind === 'supervised' ? { kind, distance: o.distance } : { kind },
      }),
  };
}

/** Registers trainers `unsupervised` (−sum rate) and `supervised` (distance to teacher labels). */
export const trainersPlugin: Plugin = {
  name: '@rrm/trainers-unsup',
  register(registry: Registry) {
    registry.add('trainer', {
      name: 'unsupervised',
      description: 'dataset pattern, loss = −mean weighted sum rate (+ β·D with an AD term)',
      create: (options, ctx) => datasetTrainer('unsupervised', options, ctx.field),
    });
    registry.add('trainer', {
      name: 'supervised',
      description: 'dataset pattern, loss = distance to teacher labels (mse, l1 or l2)',
      create: (options, ctx) => datasetTrainer('supervised', options, ctx.field),
    });
  },
};

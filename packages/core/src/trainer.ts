import type * as tf from '@tensorflow/tfjs';
import type { ChannelBatch } from './channel-batch';
import type { ChannelModel, Teacher } from './contracts';
import type { ModelBuilder, PowerModel } from './model';
import type { TrainingProgress } from './training-progress';

/**
 * The `trainer` plugin contract. A pipeline run resolves everything a config names (channel model,
 * teacher, model, β schedule, …), then hands a trainer one context; the trainer decides what it consumes
 * (a fixed data set, an environment drawing fresh channels, …) and reports records. The dataset and RL
 * patterns differ only inside their trainer plugins, so a new trainer is one plugin file.
 */

/** An extra loss term added as coefficient · loss (the AD term β(t)·D(p, p_teacher) implements it). */
export interface LossTermContext {
  /** The model's powers for the batch [B, K], inside the gradient closure (differentiable). */
  readonly powers: tf.Tensor2D;
  /** Row indices of the batch in the labels the term was built on. */
  readonly indices: Int32Array;
  readonly progress: TrainingProgress;
}

export interface LossTermValue {
  /** The term's unweighted value (a scalar, differentiable with respect to `powers`). */
  readonly loss: tf.Scalar;
  /** Its weight in the total loss at this point of training (β(t) for distillation). */
  readonly coefficient: number;
}

export interface LossTerm {
  readonly name: string;
  value(ctx: LossTermContext): LossTermValue;
}

/** The AD part of a run, resolved by the pipeline from `distill` (absent without distillation). */
export interface DistillService {
  /** β(t). */
  readonly schedule: { readonly kind: string; value(progress: TrainingProgress): number };
  /** D(p, p_teacher) on [B, K] tensors. */
  readonly distance: { readonly kind: string; compute(powers: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar };
  /** The term on teacher powers [N, K] (rows addressed by `indices`). */
  term(labels: Float64Array | Float32Array, users: number): LossTerm;
}

/** One logged point of training, the same for every trainer; extra numeric metrics ride along. */
export interface TrainRecord {
  /** Epochs finished (0 = before training; RL trainers report 0). */
  readonly epoch: number;
  /** Optimiser (or environment) steps taken. */
  readonly step: number;
  /** Training samples consumed so far. */
  readonly samples: number;
  /** Mean weighted sum rate on the run's test set. */
  readonly testSumRate: number;
  /** 100 · testSumRate / the reference's mean on the same samples. */
  readonly pctReference: number | null;
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  readonly [metric: string]: number | null;
}

export type TrainStatus = 'completed' | 'stopped' | 'interrupted';

/** What a trainer saves so that a run can continue where it stopped (`rrm train --resume`). */
export interface TrainerCheckpoint {
  /** The trainer's own plain-data state (steps, clocks, …). */
  readonly state: Readonly<Record<string, unknown>>;
  /** Tensors beyond the model's weights (optimizer moments, critic, …), by stable name. */
  readonly tensors: Readonly<Record<string, tf.Tensor>>;
}

export interface TrainerContext {
  readonly scenario: { readonly users: number; readonly noise: number; readonly pmax: number };
  readonly seed: number;
  /** Training samples the config asks for (`data.train`; dataset trainers). */
  readonly trainSamples: number;
  readonly channel: ChannelModel;
  /** Labels for supervised training and distillation. */
  readonly teacher: Teacher;
  /** The model to train (built and seeded by the pipeline). */
  readonly model: PowerModel;
  /** Builds more models of the same architecture (target networks). */
  readonly buildModel: ModelBuilder;
  readonly distill?: DistillService;
  /** The held-out test set and the reference's per-sample rates on it. */
  readonly test: { readonly channels: ChannelBatch; readonly reference: Float64Array };
  /** Channels from the run's named random stream ('train' gives the training set). */
  draw(stream: string, batch: number): ChannelBatch;
  /** The teacher's powers on `channels`, through the run's label cache. */
  labels(channels: ChannelBatch, name: string): Promise<Float64Array>;
  /** How gradient worker threads rebuild this run's model and AD term (data-parallel trainers). */
  replica(labels?: Float64Array): { readonly module: string; readonly export?: string; readonly args: unknown };
  /**
   * Records a finished epoch (or logging interval): the pipeline writes metrics, weights, the summary and,
   * when `checkpoint` is given, the resumable state.
   */
  record(record: TrainRecord, checkpoint?: () => Promise<TrainerCheckpoint>): Promise<void>;
  /** The checkpoint of an earlier run of this config, when resuming. */
  readonly resume?: { readonly records: readonly TrainRecord[]; readonly checkpoint: TrainerCheckpoint };
  log(line: string): void;
  /** Progress within a long phase (an epoch's batches, a teacher pass), for displays. */
  progress(what: string, done: number, total: number): void;
  readonly signal: AbortSignal;
}

export interface Trainer {
  readonly kind: string;
  /** What the trainer consumes: 'dataset' (fixed train/test sets) or 'environment' (fresh channels per step). */
  readonly pattern: string;
  /** The record field on the x axis of convergence plots. */
  readonly progressKey: 'epoch' | 'samples';
  /** Resolved options (defaults filled in), for the run record. */
  readonly options: Readonly<Record<string, unknown>>;
  run(ctx: TrainerContext): Promise<{ readonly status: TrainStatus; readonly message?: string }>;
}

declare module './registry' {
  interface PluginKinds {
    trainer: Trainer;
  }
}

/** Lets the event loop run (signal handlers, IPC) between synchronous tfjs steps. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

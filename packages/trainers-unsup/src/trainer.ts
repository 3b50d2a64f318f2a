import * as tf from '@tensorflow/tfjs';
import {
  ValidationError,
  disposeInputs,
  requireInteger,
  streams,
  yieldToEventLoop,
  type NamedTensor,
  type PowerModel,
  type RateUnit,
} from '@rrm/core';
import { earlyStopping as earlyStoppingCallback, type CallbackContext, type EarlyStoppingOptions, type TrainerCallbacks } from './callbacks';
import { DatasetBatches, checkDataset, datasetInputs, type Dataset } from './dataset';
import { GradientWorkers, resolveWorkers, type ReplicaSpec } from './data-parallel';
import { shardGradients } from './shard';
import { DEFAULT_EVAL_BATCH, predictInputs, sumRateOf } from './evaluate';
import { resolveLoss, taskLoss, trainingProgress, type LossKind, type LossSpec, type LossTerm, type ResolvedLoss, type TrainingProgress } from './loss';
import {
  createOptimizer,
  learningRateAt,
  resolveOptimizer,
  setLearningRate,
  type OptimizerKind,
  type OptimizerSpec,
} from './optimizers';

/** One line of the training history. Epoch 0 is the evaluation of the initial model (before any step). */
export interface EpochRecord {
  /** 0 = before training; 1..epochs afterwards. */
  readonly epoch: number;
  /** Optimiser steps taken so far. */
  readonly step: number;
  /** Mean over the epoch's samples of task + coefficient · extra term (epoch 0: forward pass at the init). */
  readonly trainLoss: number;
  /** Mean task loss (−sum rate for unsupervised, distance to labels for supervised). */
  readonly taskLoss: number;
  /** Mean unweighted extra term (the AD distance D); 0 without an extra term. */
  readonly distillLoss: number;
  /** Mean coefficient of the extra term over the epoch's steps (β); 0 without an extra term. */
  readonly beta: number;
  /** Learning rate of the epoch's last step (epoch 0: the initial one). */
  readonly learningRate: number;
  /** Mean weighted sum rate on the test set (Float64, core sumRates on the model's powers). */
  readonly testSumRate: number;
  /** 100 · testSumRate / mean test reference (WMMSE) on the same samples; null without a reference. */
  readonly pctReference: number | null;
  /** Seconds spent in optimiser steps so far (evaluation excluded). */
  readonly trainSeconds: number;
  /** Seconds since trainDataset was called (evaluation, set-up and callbacks included). */
  readonly wallSeconds: number;
  /** Training samples per second in this epoch (0 for epoch 0). */
  readonly samplesPerSecond: number;
}

export type StopReason = 'completed' | 'stopped' | 'aborted';

export interface TrainResult {
  /** Finished epochs only (an interrupted epoch leaves no record). */
  readonly records: EpochRecord[];
  readonly stopReason: StopReason;
  /** Why a callback stopped training (e.g. early stopping). */
  readonly message?: string;
  readonly steps: number;
  /** The record with the highest test sum rate. */
  readonly best: EpochRecord;
  readonly last: EpochRecord;
}

export interface TrainOptions {
  /** A built model (its trainable variables are updated in place; the caller keeps ownership). */
  readonly model: PowerModel;
  readonly train: Dataset;
  readonly test: Dataset;
  readonly epochs: number;
  /** Mini-batch size (default 64); the last batch of an epoch may be smaller. */
  readonly batchSize?: number;
  /** Seed of the shuffling stream (core streams(seed).get('shuffle')); default 0. */
  readonly seed?: number;
  /** Shuffle the training samples every epoch (default true). */
  readonly shuffle?: boolean;
  /** Default: Adam, learning rate 1e-3, constant. */
  readonly optimizer?: OptimizerKind | OptimizerSpec;
  /** Task loss, default 'unsupervised'. 'supervised' needs train.labels. */
  readonly loss?: LossKind | LossSpec;
  /** An extra loss term added as coefficient · loss (the AD term of @rrm/distill). */
  readonly extraLoss?: LossTerm;
  readonly callbacks?: TrainerCallbacks | readonly TrainerCallbacks[];
  /** Adds the earlyStopping callback (on the test sum rate). */
  readonly earlyStopping?: EarlyStoppingOptions;
  /** Interrupts training between batches; finished epochs stay valid. */
  readonly signal?: AbortSignal;
  /** Rate unit of the loss and the evaluation (default 'bits'). */
  readonly unit?: RateUnit;
  /** Batch size of the test-set inference (default 1024). */
  readonly evalBatchSize?: number;
  /** Call model.fit(train inputs) before training, e.g. to fit input standardisation (default true). */
  readonly fitModel?: boolean;
  /**
   * Threads computing each step's gradient (data-parallel; default 1 = this thread only; 'auto' = one
   * per core). More than 1 needs `replica`, which tells the worker threads how to build the model and the
   * extra loss term. Results agree with one thread up to float rounding.
   */
  readonly workers?: number | 'auto';
  readonly replica?: ReplicaSpec;
  /**
   * Continue a run from the end of its last finished epoch: its records and the optimizer's state
   * (tf Optimizer.getWeights()); the model must already hold that epoch's weights. Shuffles are replayed
   * and schedules are functions of the step, so the continuation equals an uninterrupted run.
   */
  readonly resume?: { readonly records: readonly EpochRecord[]; readonly optimizer: NamedTensor[] };
}

/** Mean per sample of per-batch scalars, read back with one (asynchronous) read per epoch. */
class LossAccumulator {
  private readonly task: tf.Scalar[] = [];
  private readonly extra: tf.Scalar[] = [];
  private readonly coefficients: number[] = [];
  private readonly sizes: number[] = [];

  add(task: tf.Scalar, extra: tf.Scalar | undefined, coefficient: number, size: number): void {
    this.task.push(task);
    if (extra) this.extra.push(extra);
    this.coefficients.push(coefficient);
    this.sizes.push(size);
  }

  /** Reads the values back and disposes the tensors. */
  async finish(): Promise<{ trainLoss: number; taskLoss: number; distillLoss: number; beta: number }> {
    const read = async (xs: tf.Scalar[]) => {
      const stacked = tf.stack(xs);
      try {
        return await stacked.data();
      } finally {
        tf.dispose([stacked, ...xs]);
      }
    };
    const task = this.task.length ? await read(this.task) : new Float32Array(0);
    const extra = this.extra.length ? await read(this.extra) : undefined;
    let n = 0;
    let sumTotal = 0;
    let sumTask = 0;
    let sumExtra = 0;
    let sumCoef = 0;
    for (let b = 0; b < task.length; b++) {
      const size = this.sizes[b];
      const d = extra ? extra[b] : 0;
      n += size;
      sumTask += size * task[b];
      sumExtra += size * d;
      sumTotal += size * (task[b] + (extra ? this.coefficients[b] * d : 0));
      sumCoef += size * this.coefficients[b];
    }
    const m = n > 0 ? 1 / n : NaN;
    return { trainLoss: sumTotal * m, taskLoss: sumTask * m, distillLoss: sumExtra * m, beta: sumCoef * m };
  }

  /** Disposes the tensors without reading them (an unfinished epoch). */
  dispose(): void {
    tf.dispose([...this.task, ...this.extra]);
    this.task.length = 0;
    this.extra.length = 0;
  }
}

type EpochLosses = Awaited<ReturnType<LossAccumulator['finish']>>;

function range(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/**
 * The dataset-pattern fit loop (Lightning-style: the loop is short; early stopping, logging and
 * checkpoints are callbacks). Every epoch: shuffle (seeded), mini-batch steps minimising
 * task + coefficient · extra, then a Float64 evaluation on the test set. Epoch 0 evaluates the initial
 * model so convergence curves start at the init.
 *
 * Mini-batches are gathered outside the gradient closure (tf.gather has no gradient on wasm; we never
 * differentiate through the data).
 */
export async function trainDataset(opts: TrainOptions): Promise<TrainResult> {
  const wall0 = performance.now();
  const { model, train, test, extraLoss, signal } = opts;
  const epochs = requireInteger('epochs', opts.epochs, 0);
  const batchSize = requireInteger('batchSize', opts.batchSize ?? 64, 1);
  const evalBatch = requireInteger('evalBatchSize', opts.evalBatchSize ?? DEFAULT_EVAL_BATCH, 1);
  const seed = requireInteger('seed', opts.seed ?? 0, Number.MIN_SAFE_INTEGER);
  const unit: RateUnit = opts.unit ?? 'bits';
  checkDataset(train, 'train');
  checkDataset(test, 'test');
  if (train.channels.users !== test.channels.users) {
    throw new ValidationError('test.channels', `K = ${train.channels.users} users like the training set`, `K = ${test.channels.users}`);
  }
  const loss = resolveLoss(opts.loss);
  if (loss.kind === 'supervised' && !train.labels) {
    throw new ValidationError('train.labels', 'teacher powers [N, K] for the supervised loss (compute them with a teacher first)');
  }
  // A model without parameters (e.g. uwmmse with plainWmmse: true) cannot be trained: say so up front,
  // not after fit and the epoch-0 evaluation (where tf's variableGrads would fail).
  if (epochs > 0 && model.trainable.length === 0) {
    throw new ValidationError('model', 'a model with trainable parameters', `${model.kind} with none (use epochs: 0 to only evaluate it)`);
  }
  const workers = resolveWorkers(opts.workers);
  if (workers > 1 && epochs > 0 && !opts.replica) {
    throw new ValidationError('replica', `a replica factory { module, export?, args } for workers = ${workers} (worker threads build their own model with it)`);
  }
  const optSpec = resolveOptimizer(opts.optimizer);
  const callbacks: TrainerCallbacks[] = opts.callbacks === undefined ? [] : Array.isArray(opts.callbacks) ? [...opts.callbacks] : [opts.callbacks as TrainerCallbacks];
  const stopper = opts.earlyStopping ? earlyStoppingCallback(opts.earlyStopping) : undefined;
  if (stopper) callbacks.push(stopper);
  const resumed = opts.resume?.records ?? [];
  if (opts.resume && resumed.length === 0) throw new ValidationError('resume.records', 'the records of at least the epoch-0 evaluation');

  const n = train.channels.batch;
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const steps = epochs * batchesPerEpoch;
  const records: EpochRecord[] = [];
  let stopMessage: string | undefined;
  const ctx: CallbackContext = {
    model,
    records,
    stop(reason: string) {
      stopMessage = reason;
    },
    get stopRequested() {
      return stopMessage !== undefined;
    },
    optimizerWeights: () => optimizer.getWeights(),
  };

  const batches = new DatasetBatches(train);
  const testInputs = datasetInputs(test);
  const optimizer = createOptimizer(optSpec);
  let group: GradientWorkers | undefined;
  try {
    if (opts.fitModel !== false && model.fit) {
      const all = datasetInputs(train);
      try {
        model.fit(all);
      } finally {
        disposeInputs(all);
      }
    }
    if (workers > 1 && epochs > 0) {
      group = await GradientWorkers.start({ count: workers - 1, replica: opts.replica!, backend: tf.getBackend(), model, train, loss, unit });
    }
    if (opts.resume) await optimizer.setWeights(opts.resume.optimizer);
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);

    const evaluate = async () => sumRateOf(test, await predictInputs(model, testInputs, evalBatch), unit);
    const previous = resumed[resumed.length - 1];
    let step = previous?.step ?? 0;
    let trainSeconds = previous?.trainSeconds ?? 0;
    const wallOffset = previous?.wallSeconds ?? 0;
    let learningRate = optSpec.learningRate;
    const finishEpoch = async (epoch: number, losses: EpochLosses, epochSeconds: number, samples: number) => {
      const ev = await evaluate();
      const record: EpochRecord = {
        epoch,
        step,
        ...losses,
        learningRate,
        testSumRate: ev.meanSumRate,
        pctReference: ev.pctReference,
        trainSeconds,
        wallSeconds: wallOffset + (performance.now() - wall0) / 1000,
        samplesPerSecond: epochSeconds > 0 ? samples / epochSeconds : 0,
      };
      records.push(record);
      for (const cb of callbacks) await cb.onEpochEnd?.(record, ctx);
    };

    const rng = streams(seed).get('shuffle');
    const order = range(0, n);
    if (previous) {
      records.push(...resumed);
      // Early stopping's state is a function of the records; the shuffles are replayed draw for draw.
      for (const r of resumed) await stopper?.onEpochEnd?.(r, ctx);
      if (opts.shuffle !== false) for (let e = 1; e <= previous.epoch; e++) rng.shuffle(order);
    } else {
      // Epoch 0: the initial model, losses from a forward pass over the training set.
      await finishEpoch(0, await initialLosses(model, batches, loss, extraLoss, batchSize, trainingProgress(0, epochs, 0, steps), unit), 0, 0);
    }

    let aborted = false;
    for (let epoch = (previous?.epoch ?? 0) + 1; epoch <= epochs && !ctx.stopRequested; epoch++) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      if (opts.shuffle !== false) rng.shuffle(order);
      const acc = new LossAccumulator();
      const t0 = performance.now();
      let finished = true;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (signal?.aborted || ctx.stopRequested) {
          aborted = signal?.aborted ?? false;
          finished = false;
          break;
        }
        const indices = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const progress = trainingProgress(epoch - 1, epochs, step, steps);
        const lr = learningRateAt(optSpec.learningRate, optSpec.schedule, progress);
        if (lr !== learningRate) {
          setLearningRate(optimizer, lr);
          learningRate = lr;
        }
        const coefficient = await trainStep(group, model, optimizer, batches, loss, extraLoss, indices, progress, unit, acc);
        step++;
        // One-thread steps are synchronous: without this a SIGINT handler would never run.
        await yieldToEventLoop();
        if (callbacks.some((cb) => cb.onBatchEnd)) {
          const info = { epoch, batch: b, batchSize: indices.length, progress, learningRate, coefficient };
          for (const cb of callbacks) await cb.onBatchEnd?.(info, ctx);
        }
      }
      if (!finished) {
        // The unfinished epoch leaves no record; release its per-batch losses.
        acc.dispose();
        break;
      }
      const losses = await acc.finish(); // reads back: the epoch's steps have all run
      const epochSeconds = (performance.now() - t0) / 1000;
      trainSeconds += epochSeconds;
      await finishEpoch(epoch, losses, epochSeconds, n);
    }

    const stopReason: StopReason = aborted ? 'aborted' : stopMessage !== undefined ? 'stopped' : 'completed';
    const best = records.reduce((a, r) => (r.testSumRate > a.testSumRate ? r : a), records[0]);
    const result: TrainResult = { records, stopReason, message: stopMessage, steps: step, best, last: records[records.length - 1] };
    for (const cb of callbacks) await cb.onTrainEnd?.(result, ctx);
    return result;
  } finally {
    disposeInputs(testInputs);
    optimizer.dispose();
    await group?.close();
  }
}

/**
 * One optimiser step on the rows `indices` (split over this thread and the gradient workers when there
 * are any); returns the extra term's coefficient.
 */
async function trainStep(
  group: GradientWorkers | undefined,
  model: PowerModel,
  optimizer: tf.Optimizer,
  batches: DatasetBatches,
  loss: ResolvedLoss,
  extraLoss: LossTerm | undefined,
  indices: Int32Array,
  progress: TrainingProgress,
  unit: RateUnit,
  acc: LossAccumulator,
): Promise<number> {
  const r = group
    ? await group.gradients(model, batches, loss, extraLoss, indices, progress, unit)
    : shardGradients(model, batches, loss, extraLoss, indices, progress, unit);
  applyGradients(optimizer, model, r.grads);
  acc.add(r.task, r.extra, r.coefficient, indices.length);
  return r.coefficient;
}

/** Applies gradients given in `model.trainable` order; disposes them. */
function applyGradients(optimizer: tf.Optimizer, model: PowerModel, grads: tf.Tensor[]): void {
  const map: tf.NamedTensorMap = {};
  model.trainable.forEach((v, i) => (map[v.name] = grads[i]));
  optimizer.applyGradients(map);
  tf.dispose(grads);
}

/** Task and extra losses of the initial model over the training set (forward only, in order). */
async function initialLosses(
  model: PowerModel,
  batches: DatasetBatches,
  loss: ResolvedLoss,
  extraLoss: LossTerm | undefined,
  batchSize: number,
  progress: TrainingProgress,
  unit: RateUnit,
): Promise<EpochLosses> {
  const n = batches.dataset.channels.batch;
  const acc = new LossAccumulator();
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const indices = range(start, end);
    let coefficient = 0;
    const [task, extra] = tf.tidy(() => {
      const batch = batches.inputs(indices);
      const batchLabels = loss.kind === 'supervised' ? batches.labels(indices) : undefined;
      const powers = model.apply(batch);
      const t = taskLoss(loss, batch, powers, batchLabels, unit);
      if (!extraLoss) return [t];
      const term = extraLoss.value({ powers, indices, progress });
      coefficient = term.coefficient;
      return [t, term.loss];
    });
    acc.add(task, extra, coefficient, end - start);
  }
  return await acc.finish();
}

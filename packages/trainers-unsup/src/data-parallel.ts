import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { ValidationError, type PowerModel, type RateUnit, type TrainingProgress } from '@rrm/core';
import type { Dataset, DatasetBatches } from './dataset';
import type { LossTerm, ResolvedLoss } from './loss';
import { shardGradients, splitShards, type ShardGradients } from './shard';

/**
 * Data-parallel training over worker_threads. The wasm backend runs each kernel on one thread under
 * Node, so a second core is only used by a second tfjs engine: every worker holds a replica of the model
 * and computes the gradient of its shard of each mini-batch; the main thread computes the first shard,
 * averages the shards' gradients (weighted by shard size, which equals the full batch's gradient up to
 * float rounding since every loss is a mean over samples) and takes the optimiser step. The replicas'
 * weights are overwritten with the main thread's before every step, so they cannot drift.
 *
 * A worker cannot receive a model or a loss term (they hold tensors and closures), so it builds its own
 * with a *replica factory*: a module export called with plain data, returning a model of the same shape
 * (its weights are replaced by the main model's at start) and the same extra loss term.
 */
export interface Replica {
  readonly model: PowerModel;
  readonly extraLoss?: LossTerm;
}

export interface ReplicaSpec {
  /** Absolute path, file URL or package specifier of the module that exports the factory. */
  readonly module: string;
  /** Name of the exported factory `(args) => Replica | Promise<Replica>` (default `createReplica`). */
  readonly export?: string;
  /** Plain data for the factory (structured-cloneable: numbers, strings, typed arrays, …). */
  readonly args?: unknown;
}

/** `workers: 'auto'`: one gradient thread per available core (the main thread counts as one). */
export function resolveWorkers(value: unknown, field = 'workers'): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.max(1, availableParallelism());
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ValidationError(field, `an integer >= 1 or 'auto'`, value);
  return value;
}

/** @internal Messages between the trainer and its gradient workers. */
export interface WorkerInit {
  readonly type: 'init';
  readonly id: number;
  readonly backend: string;
  readonly replica: ReplicaSpec;
  readonly train: Dataset;
  readonly loss: ResolvedLoss;
  readonly unit: RateUnit;
  readonly weights: { name: string; shape: number[]; data: Float32Array }[];
  /** The main model's trainable shapes, which the replica must have. */
  readonly shapes: number[][];
}
/** @internal */
export interface WorkerStep {
  readonly type: 'step';
  readonly id: number;
  readonly indices: Int32Array;
  readonly progress: TrainingProgress;
  readonly trainable: Float32Array[];
}
/** @internal */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { name: string; message: string; stack?: string; field?: string; expected?: string } };

/** What a worker returns for its shard. */
export interface RemoteShard {
  readonly grads: Float32Array[];
  readonly task: number;
  readonly extra?: number;
  readonly coefficient: number;
}

function remoteError(e: { name: string; message: string; stack?: string; field?: string; expected?: string }): Error {
  // A ValidationError raised in a worker stays one (the CLI maps it to a clear message and exit code 2).
  const err: Error = e.name === 'ValidationError' && e.field !== undefined ? new ValidationError(e.field, e.expected ?? 'valid input') : new Error(e.message);
  err.message = e.message;
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

class GradientWorker {
  private readonly worker = new Worker(new URL('./gradient-worker.mjs', import.meta.url));
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private failure?: Error;

  constructor() {
    this.worker.on('message', (msg: WorkerReply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(remoteError(msg.error));
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`gradient worker exited with code ${code}`)));
  }

  request<T>(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  async close(): Promise<void> {
    if (!this.failure) await this.request({ type: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}

/** The main thread's handle on its gradient workers (started once per training run). */
export class GradientWorkers {
  private constructor(private readonly workers: GradientWorker[]) {}

  get size(): number {
    return this.workers.length;
  }

  /**
   * Starts `count` workers, each with a replica built by `replica` on the backend `backend`, the training
   * data and the current weights of `model` (after `model.fit`). Each worker checks that its replica has
   * the main model's trainable shapes.
   */
  static async start(opts: {
    count: number;
    replica: ReplicaSpec;
    backend: string;
    model: PowerModel;
    train: Dataset;
    loss: ResolvedLoss;
    unit: RateUnit;
  }): Promise<GradientWorkers> {
    // Asynchronous reads: webgpu has no synchronous read under Node.
    const weights = await Promise.all(opts.model.namedWeights().map(async ({ name, tensor }) => ({ name, shape: tensor.shape, data: Float32Array.from((await tensor.data()) as Float32Array) })));
    const workers = Array.from({ length: opts.count }, () => new GradientWorker());
    const group = new GradientWorkers(workers);
    try {
      const train: Dataset = { channels: opts.train.channels, noise: opts.train.noise, pmax: opts.train.pmax, weights: opts.train.weights, labels: opts.train.labels };
      const shapes = opts.model.trainable.map((v) => v.shape);
      await Promise.all(workers.map((w) => w.request({ type: 'init', backend: opts.backend, replica: opts.replica, train, loss: opts.loss, unit: opts.unit, weights, shapes })));
      return group;
    } catch (err) {
      await group.close();
      throw err;
    }
  }

  /** Sends shard i to worker i, with the main model's current trainable weights. */
  run(shards: Int32Array[], progress: TrainingProgress, trainable: Float32Array[]): Promise<RemoteShard[]> {
    if (shards.length > this.workers.length) throw new Error(`${shards.length} shards for ${this.workers.length} gradient workers`);
    return Promise.all(shards.map((indices, i) => this.workers[i].request<RemoteShard>({ type: 'step', indices: Int32Array.from(indices), progress, trainable })));
  }

  /**
   * The gradient of the mini-batch `indices`, split over this thread and the workers: the workers get
   * their shards (and the current weights) first, this thread computes the first shard meanwhile.
   * Same contract as `shardGradients` on the whole batch (the caller owns the returned tensors).
   */
  async gradients(
    model: PowerModel,
    data: DatasetBatches,
    loss: ResolvedLoss,
    extraLoss: LossTerm | undefined,
    indices: Int32Array,
    progress: TrainingProgress,
    unit: RateUnit,
  ): Promise<ShardGradients> {
    const [own, ...rest] = splitShards(indices, this.workers.length + 1);
    // Read before this thread's shard runs (postMessage copies them at once); nothing changes the
    // variables between here and the optimiser step.
    const trainable = await Promise.all(model.trainable.map(async (v) => (await v.data()) as Float32Array));
    const pending = this.run(rest, progress, trainable);
    let local: ShardGradients;
    try {
      local = shardGradients(model, data, loss, extraLoss, own, progress, unit);
    } catch (err) {
      await pending.catch(() => undefined);
      throw err;
    }
    try {
      const remote = await pending;
      const sizes = rest.map((r) => r.length);
      const n = indices.length;
      const mix = (mine: tf.Scalar, theirs: number[]) =>
        tf.tidy(() => theirs.reduce<tf.Scalar>((a, v, s) => tf.add(a, (v * sizes[s]) / n), tf.mul(mine, own.length / n)));
      return {
        grads: combineShards(local.grads, own.length, remote, sizes),
        task: mix(local.task, remote.map((r) => r.task)),
        extra: local.extra ? mix(local.extra, remote.map((r) => r.extra ?? 0)) : undefined,
        coefficient: local.coefficient,
      };
    } finally {
      tf.dispose([...local.grads, local.task, ...(local.extra ? [local.extra] : [])]);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/**
 * Σ_s (n_s / n) · g_s per variable: the full batch's mean-loss gradient from its shards' (the local
 * shard's tensors first, then the workers' in worker order: a fixed order, so runs are reproducible).
 */
export function combineShards(local: tf.Tensor[], localSize: number, remote: readonly RemoteShard[], remoteSizes: readonly number[]): tf.Tensor[] {
  const n = localSize + remoteSizes.reduce((a, b) => a + b, 0);
  return tf.tidy(() =>
    local.map((g, i) => {
      let acc = tf.mul(g, localSize / n);
      remote.forEach((r, s) => {
        acc = tf.add(acc, tf.mul(tf.tensor(r.grads[i], g.shape, 'float32'), remoteSizes[s] / n));
      });
      return acc;
    }),
  );
}

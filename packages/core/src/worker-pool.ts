import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChannelBatch } from './channel-batch';
import type { PowerProblem } from './contracts';
import { ValidationError } from './errors';
import { z } from './schema';

/**
 * Runs a batched teacher on several cores with worker_threads, with results identical to one thread.
 *
 * The batch is cut into contiguous chunks. The main thread and a pool of workers take chunks from one
 * queue (the main thread yields to the event loop between its chunks, so a worker that is still
 * starting costs nothing: the main thread simply does more chunks); each result is written at its
 * chunk's place. Chunk functions receive the global index of their first sample (`offset`) so that
 * anything random is drawn per sample (iterative-solver.ts) and does not depend on the split.
 *
 * A chunk function is an exported `(task: ChunkTask<O>) => Float64Array` of a TypeScript module; the
 * worker (pool-worker.mjs, plain ESM) registers tsx and imports that module by file URL. Workers persist
 * between calls (and do not keep the process alive while idle); `shutdownWorkers()` ends them.
 */

export type WorkersOption = number | 'auto';

export interface ChunkTask<O> {
  readonly problem: PowerProblem;
  readonly options: O;
  /** Global index of the chunk's first sample. */
  readonly offset: number;
}

/**
 * Work (B·K²·iterations·restarts for WMMSE/FP, ≈ multiply-adds; B·2^K·K for binary) below which
 * `workers: 'auto'` stays on one thread: 2e7 is ≈ 12 ms of WMMSE on one core here. Measured on two
 * cores: K = 20, B = 1000 (4e7) 23 → 15 ms; K = 50, B = 1000 (2.5e8) 112 → 66 ms; K = 10, B = 1000 (1e7,
 * ≈ 9 ms) stays single-threaded, where messages and chunk copies would eat the gain.
 */
export const AUTO_PARALLEL_MIN_WORK = 2e7;

/** The `workers` option of a parallel teacher (default 'auto'). */
export const workersOption = z
  .custom<WorkersOption>((v) => v === 'auto' || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1024), "'auto' or an integer in [1, 1024]")
  .default('auto');

/** Threads to use (main thread included) for `work` units over `batch` samples. */
export function chooseWorkers(option: WorkersOption, work: number, batch: number): number {
  const n = option === 'auto' ? (work >= AUTO_PARALLEL_MIN_WORK ? availableParallelism() : 1) : option;
  return Math.max(1, Math.min(n, batch));
}

/** Samples [start, end) of a problem, as fresh arrays. */
export function sliceProblem(problem: PowerProblem, start: number, end: number): PowerProblem {
  const { channels } = problem;
  const K = channels.users;
  const sliced: ChannelBatch = {
    batch: end - start,
    users: K,
    gains: channels.gains.slice(start * K * K, end * K * K),
    weights: channels.weights?.slice(start * K, end * K),
  };
  let weights = problem.weights;
  if (weights && weights.length !== K) weights = weights.slice(start * K, end * K);
  return {
    channels: sliced,
    noise: problem.noise,
    pmax: problem.pmax,
    weights: weights && Float64Array.from(weights),
    init: problem.init?.slice(start * K, end * K),
  };
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

class PoolWorker {
  readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly loaded = new Map<string, Promise<boolean>>();
  private nextId = 1;
  dead = false;
  closing = false;

  constructor() {
    this.worker = new Worker(new URL('./pool-worker.mjs', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: { name: string; message: string; stack?: string; field?: string; expected?: string; got?: unknown } }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.ok) p.resolve(msg.value);
      else {
        const e = msg.error;
        // A ValidationError raised in a worker stays one (the CLI maps it to a clear message, exit 2).
        const err: Error =
          e?.name === 'ValidationError' && e.field !== undefined
            ? new ValidationError(e.field, e.expected ?? 'valid input', e.got)
            : new Error(e?.message ?? 'worker task failed');
        err.name = e?.name ?? 'Error';
        if (msg.error?.stack) err.stack = msg.error.stack;
        p.reject(err);
      }
    });
    const fail = (err: Error) => {
      if (this.dead) return;
      this.dead = true;
      if (!this.closing) lastWorkerError = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      const i = pool.indexOf(this);
      if (i >= 0) pool.splice(i, 1);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
  }

  private send(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.dead) return Promise.reject(lastWorkerError ?? new Error('worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  /** Resolves true once `module` is imported in this worker, false if the worker cannot load it. */
  load(module: string): Promise<boolean> {
    let p = this.loaded.get(module);
    if (!p) {
      p = this.send({ type: 'load', module }).then(
        () => true,
        (err: Error) => {
          lastWorkerError = err;
          return false;
        },
      );
      this.loaded.set(module, p);
    }
    return p;
  }

  run(module: string, fn: string, args: unknown, transfer: ArrayBuffer[]): Promise<Float64Array> {
    return this.send({ type: 'run', module, fn, args }, transfer) as Promise<Float64Array>;
  }
}

const pool: PoolWorker[] = [];
let lastWorkerError: Error | undefined;
let lastRun = { chunks: 0, remoteChunks: 0, threads: 1 };

function ensurePool(size: number): PoolWorker[] {
  while (pool.length < size) pool.push(new PoolWorker());
  return pool.slice(0, size);
}

/** Starts `count` workers and waits until each has imported `module` (e.g. before timing). */
export async function warmWorkers(count: number, module: string): Promise<boolean> {
  const ok = await Promise.all(ensurePool(count).map((w) => w.load(module)));
  return ok.every(Boolean);
}

/** Ends every pooled worker. */
export async function shutdownWorkers(): Promise<void> {
  const all = pool.splice(0, pool.length);
  for (const w of all) w.closing = true;
  await Promise.all(all.map((w) => w.worker.terminate()));
}

/** Pool size, the last run's split, and the last worker failure (diagnostics and tests). */
export function workerPoolInfo(): { size: number; lastRun: typeof lastRun; lastError?: string } {
  return { size: pool.length, lastRun: { ...lastRun }, lastError: lastWorkerError?.message };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ParallelRequest<O> {
  readonly problem: PowerProblem;
  readonly options: O;
  /** Threads in all, main thread included (≥ 1). */
  readonly threads: number;
  /** File URL of the module that exports `fn` (use `import.meta.url` of that module). */
  readonly module: string;
  readonly fn: string;
  /** The same function, called in the main thread. */
  readonly local: (task: ChunkTask<O>) => Float64Array;
  /** Global index of sample 0 (default 0). */
  readonly offset?: number;
  /** Output values per sample (default K). */
  readonly width?: number;
  /** Chunks per thread (default 8): more balances better, fewer costs fewer messages. */
  readonly chunksPerThread?: number;
}

/** Runs `fn` over contiguous chunks of the batch on `threads` threads; returns the concatenated output. */
export async function runParallel<O>(req: ParallelRequest<O>): Promise<Float64Array> {
  const { problem, options, module, fn, local } = req;
  const B = problem.channels.batch;
  const width = req.width ?? problem.channels.users;
  const offset = req.offset ?? 0;
  const threads = Math.max(1, Math.min(req.threads, B));
  // One thread and nobody watching: no chunking at all. With a progress callback the main thread works
  // through the same chunks as a pool would (results are identical: chunks carry their global offset).
  if (threads === 1 && !problem.onProgress) return local({ problem, options, offset });

  const count = Math.min(B, threads * (req.chunksPerThread ?? 8));
  const bounds: number[] = [];
  for (let c = 0; c <= count; c++) bounds.push(Math.round((c * B) / count));
  let done = 0;
  const finished = (c: number) => {
    done += bounds[c + 1] - bounds[c];
    problem.onProgress?.(done, B);
  };
  const out = new Float64Array(B * width);
  let next = 0;
  let failed = false;
  let remoteChunks = 0;
  const take = (): number => (failed || next >= count ? -1 : next++);

  // Two chunks in flight per worker: the worker starts its next chunk at once instead of waiting
  // for the main thread (busy with its own chunk) to read the result and send more.
  const lane = async (w: PoolWorker) => {
    for (let c = take(); c >= 0; c = take()) {
      const task = { problem: sliceProblem(problem, bounds[c], bounds[c + 1]), options, offset: offset + bounds[c] };
      const ch = task.problem.channels;
      const transfer = [ch.gains.buffer, ch.weights?.buffer, task.problem.weights?.buffer, task.problem.init?.buffer].filter(
        (x): x is ArrayBuffer => x instanceof ArrayBuffer,
      );
      try {
        const value = await w.run(module, fn, task, transfer);
        out.set(value, bounds[c] * width);
        remoteChunks++;
        finished(c);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const remote = async (w: PoolWorker) => {
    if (!(await w.load(module))) return;
    await Promise.all([lane(w), lane(w)]);
  };
  const main = async () => {
    await yieldToEventLoop(); // let ready workers take their first chunks
    for (let c = take(); c >= 0; c = take()) {
      try {
        out.set(local({ problem: sliceProblem(problem, bounds[c], bounds[c + 1]), options, offset: offset + bounds[c] }), bounds[c] * width);
        finished(c);
      } catch (err) {
        failed = true;
        throw err;
      }
      await yieldToEventLoop();
    }
  };
  await Promise.all([...ensurePool(threads - 1).map(remote), main()]);
  lastRun = { chunks: count, remoteChunks, threads };
  return out;
}

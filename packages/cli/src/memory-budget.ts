import { totalmem } from 'node:os';
import { ValidationError } from '@rrm/core';

/**
 * How many samples one pass (inference, a teacher, channel generation) may hold at once. Work on a data set
 * is cut into chunks whose estimated memory fits a budget, so any number of samples at any K runs in bounded
 * memory, and a chunk that would not fit is refused before it is allocated: the wasm backend's heap cannot
 * grow past 4 GiB, and an allocation beyond it corrupts the heap for the rest of the process (tfjs reports
 * "table index is out of bounds" / "memory access out of bounds" later), so it must never be attempted.
 */

/** The largest heap the tfjs wasm backend can grow to (emscripten getHeapMax() of tfjs-backend-wasm 4.22). */
export const WASM_HEAP_LIMIT = 4294901760;
/** Share of the wasm heap one chunk may use: the allocator needs headroom and fragments. */
export const WASM_HEAP_SHARE = 0.5;
/** Environment variable for the budget (same syntax as --memory-budget). */
export const MEMORY_BUDGET_ENV = 'RRM_MEMORY_BUDGET';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 2 ** 10, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30, t: 1e12, tb: 1e12, tib: 2 ** 40 };

/** '512M', '2G', '1.5GiB', '300000' → bytes (k, M, G, T are powers of 1000; KiB, MiB, GiB, TiB of 1024). */
export function parseBytes(field: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:e(\d+))?\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[3].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ValidationError(field, 'a size in bytes such as 512M, 2G or 1.5GiB', text);
  const bytes = Math.floor(Number(m[1]) * 10 ** Number(m[2] ?? 0) * unit);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw new ValidationError(field, 'a size > 0 bytes', text);
  return bytes;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * Default: 512 MiB, or an eighth of the machine's memory if that is less (at least 128 MiB). Larger chunks
 * are not faster: measured with tools/src/bench-evaluate.ts, a UWGNN at K = 50 infers at 1.55 ms/sample in
 * 512 MiB chunks and 3.5 ms/sample in 2 GiB ones (the wasm heap grows, caches miss), and equally fast at K = 200.
 */
export function defaultMemoryBudget(total = totalmem()): number {
  return Math.min(2 ** 29, Math.max(2 ** 27, Math.floor(total / 8)));
}

/** The budget from --memory-budget, else RRM_MEMORY_BUDGET, else the default. */
export function resolveMemoryBudget(flag?: string | number, env: NodeJS.ProcessEnv = process.env): number {
  if (typeof flag === 'number') {
    if (!(flag > 0)) throw new ValidationError('--memory-budget', 'a size > 0 bytes', flag);
    return flag;
  }
  if (flag !== undefined) return parseBytes('--memory-budget', flag);
  const fromEnv = env[MEMORY_BUDGET_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseBytes(MEMORY_BUDGET_ENV, fromEnv);
  return defaultMemoryBudget();
}

/** Widest layer in a model's options: the largest number, or entry of a number array, except depths. */
export function modelWidth(options: Readonly<Record<string, unknown>>): number {
  let width = 1;
  for (const [key, value] of Object.entries(options)) {
    if (key === 'layers') continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) width = Math.max(width, v);
  }
  return width;
}

/**
 * A conservative estimate of a model's tensor bytes per sample at K users, before anything runs: the inputs
 * (gains and edge mask, [K, K] float32 each) and the edge tensors of message passing, [K, K, F] float32 for
 * width F, of which a dozen can be alive at once (messages, their MLP's hidden layers, the aggregation; a
 * UWGNN with F = 16 measures ≈ 190·K² floats at its peak). A model may declare its own figure as
 * `bytesPerSample(users)`; MLPs over flattened gains are overestimated, which only makes chunks smaller.
 */
export function modelBytesFormula(model: { readonly options: Readonly<Record<string, unknown>>; bytesPerSample?: (users: number) => number }, users: number): number {
  if (typeof model.bytesPerSample === 'function') return model.bytesPerSample(users);
  return 4 * users * users * (4 + 12 * modelWidth(model.options));
}

/** Host (JavaScript) bytes per sample of a chunk read from a channel file: the file's values, the Float64 canonical copy, the model's float32 staging. */
export function channelHostBytes(users: number, fileWidth: number, extraCopies = 0): number {
  return users * users * (fileWidth + 8 + 8 + 8 * extraCopies);
}

export interface ChunkPlan {
  /** Samples per chunk. */
  readonly samples: number;
  readonly chunks: number;
  readonly budget: number;
  /** Estimated bytes of one sample: host (JS) plus device (tensor backend). */
  readonly bytesPerSample: number;
}

export interface ChunkRequest {
  /** What runs, for messages ("UWGNN inference at K = 200"). */
  readonly what: string;
  readonly batch: number;
  readonly budget: number;
  /** JS-side bytes per sample. */
  readonly hostBytesPerSample: number;
  /** Tensor bytes per sample (0 for work without tensors). */
  readonly deviceBytesPerSample?: number;
  /** Backend name: 'wasm' also caps a chunk's tensors to a share of its 4 GiB heap. */
  readonly backend?: string;
  /** Tensor bytes already allocated (model weights). */
  readonly deviceBytesInUse?: number;
  /** Forces a chunk size (tests, benchmarks); still checked against the limits. */
  readonly chunkSamples?: number;
}

/** The largest chunk whose estimate fits the budget (and the wasm heap); an error, before any work, if one sample does not. */
export function planChunks(req: ChunkRequest): ChunkPlan {
  const device = req.deviceBytesPerSample ?? 0;
  const perSample = req.hostBytesPerSample + device;
  let samples = Math.floor(req.budget / perSample);
  if (samples < 1) {
    throw new ValidationError(
      'memory budget',
      `at least ${formatBytes(perSample)} for one sample of ${req.what} (raise --memory-budget or ${MEMORY_BUDGET_ENV}, or use fewer users)`,
      formatBytes(req.budget),
    );
  }
  if (req.backend === 'wasm' && device > 0) {
    const room = WASM_HEAP_SHARE * WASM_HEAP_LIMIT - (req.deviceBytesInUse ?? 0);
    const fit = Math.floor(room / device);
    if (fit < 1) {
      throw new ValidationError(
        'backend wasm',
        `a sample of ${req.what} that fits its ${formatBytes(WASM_HEAP_LIMIT)} heap (one needs ≈ ${formatBytes(device)}; use --backend cpu or tensorflow, or fewer users)`,
        formatBytes(device),
      );
    }
    samples = Math.min(samples, fit);
  }
  if (req.chunkSamples !== undefined) samples = Math.min(samples, Math.max(1, Math.floor(req.chunkSamples)));
  samples = Math.max(1, Math.min(samples, req.batch));
  return { samples, chunks: Math.ceil(req.batch / samples), budget: req.budget, bytesPerSample: perSample };
}

/** [start, end) of each chunk. */
export function* chunkRanges(batch: number, samples: number): Generator<[number, number]> {
  for (let start = 0; start < batch; start += samples) yield [start, Math.min(batch, start + samples)];
}

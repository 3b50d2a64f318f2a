import { ValidationError } from './errors';

/**
 * Splitting a batch so that no kernel launch exceeds what the backend can dispatch. WebGPU bounds one
 * dispatch (maxComputeWorkgroupsPerDimension, 65 535 by default), and a kernel over a large [B, K, K]
 * batch fails with "Dispatch size exceeds WebGPU limits". Inference has no coupling between samples, so
 * a batch can run in chunks of B_chunk samples with B_chunk · K² · width ≤ limit and be concatenated:
 * each sample goes through the same kernels on the same inputs, so the powers (and the Float64 sum rates
 * computed from them on the host) equal the unsplit ones. Training batches are not split here: that
 * would change a step's gradient summation (keep the training batch size moderate on such backends).
 *
 * Nothing here names a backend: the limit comes from the active TensorBackend (`maxDispatchElements`,
 * see backends.ts) or from the RRM_MAX_DISPATCH_ELEMENTS override.
 */

/** Overrides the active backend's limit (tests, or a GPU whose limit differs from the default). */
export const MAX_DISPATCH_ELEMENTS_ENV = 'RRM_MAX_DISPATCH_ELEMENTS';

/**
 * The override from the environment: undefined when unset or empty, else a positive integer (a clear
 * error naming the variable otherwise, so a typo does not silently mean "unlimited").
 */
export function dispatchLimitOverride(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[MAX_DISPATCH_ELEMENTS_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(MAX_DISPATCH_ELEMENTS_ENV, 'a positive integer (elements one kernel dispatch may cover; unset = the backend default)', raw);
  }
  return value;
}

/**
 * Samples per chunk: the most b with b · K² · width ≤ limit (Infinity without a limit). At least 1: a
 * single sample above the limit is not split further (models have no per-sample split), so it runs alone.
 * `width` is the per-element factor of the widest batch-carrying tensor (1 for the [B, K, K] inputs).
 */
export function dispatchChunkSamples(users: number, limit: number, width = 1): number {
  if (!(users >= 1) || !(width > 0)) throw new RangeError(`dispatchChunkSamples: users ${users} and width ${width} must be positive`);
  if (limit === Infinity) return Infinity;
  if (!(limit >= 1)) throw new RangeError(`dispatchChunkSamples: limit ${limit} must be >= 1`);
  return Math.max(1, Math.floor(limit / (users * users * width)));
}

/** [start, end) ranges covering 0..batch in order, each at most dispatchChunkSamples(users, limit, width) long. */
export function dispatchChunks(batch: number, users: number, limit: number, width = 1): [number, number][] {
  const size = Math.min(batch, dispatchChunkSamples(users, limit, width));
  const out: [number, number][] = [];
  for (let start = 0; start < batch; start += size) out.push([start, Math.min(batch, start + size)]);
  return out;
}

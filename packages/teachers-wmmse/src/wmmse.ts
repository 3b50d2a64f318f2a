import {
  checkProblem,
  iterateKernel,
  iterativeSchema,
  parseOptions,
  solveIterative,
  warmWorkers,
  type ChunkTask,
  type IterativeOptions,
  type IterativeResult,
  type PowerProblem,
  type ResolvedIterativeOptions,
} from '@rrm/core';
import { wmmseKernel } from './wmmse-kernel';

/**
 * WMMSE power control (Shi et al. 2011) for a batch of scalar interference channels; the equations
 * and their source are in wmmse-kernel.ts. From p_max (default) it reproduces Sun et al.'s
 * `WMMSE_sum_rate` with a fixed iteration count.
 */

export type WmmseOptions = IterativeOptions;
export type WmmseResult = IterativeResult;

/** WMMSE on one thread: powers [B, K], per-sample objective and iteration counts (and the trace, on request). */
export function wmmse(problem: PowerProblem, options: WmmseOptions = {}): WmmseResult {
  const opts = parseOptions(iterativeSchema, options, 'wmmse');
  return iterateKernel(wmmseKernel, checkProblem(problem, opts.init === 'given'), opts, options);
}

/** Chunk function for core's worker pool: the powers of samples [offset, offset + B). */
export function wmmseChunk(task: ChunkTask<ResolvedIterativeOptions>): Float64Array {
  const checked = checkProblem(task.problem, task.options.init === 'given');
  return iterateKernel(wmmseKernel, checked, task.options, { sampleOffset: task.offset }).powers;
}

/** WMMSE powers [B, K] on `options.workers` threads (default 'auto'); identical to `wmmse(problem, options).powers`. */
export function solveWmmse(problem: PowerProblem, options: WmmseOptions = {}): Promise<Float64Array> {
  const opts = parseOptions(iterativeSchema, options, 'wmmse');
  return solveIterative({ problem, options: opts, sampleOffset: options.sampleOffset, module: import.meta.url, fn: 'wmmseChunk', local: wmmseChunk });
}

/** Starts `count` pooled workers with this module loaded (e.g. before timing); false if they cannot start. */
export function warmWmmseWorkers(count: number): Promise<boolean> {
  return warmWorkers(count, import.meta.url);
}

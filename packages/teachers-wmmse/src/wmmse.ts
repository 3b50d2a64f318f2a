import type { PowerProblem } from '@rrm/core';
import {
  checkProblem,
  iterateKernel,
  resolveIterativeOptions,
  solveIterative,
  type IterativeOptions,
  type IterativeResult,
  type ResolvedIterativeOptions,
} from './iterate';
import { warmWorkers, type ChunkTask, type WorkersOption } from './parallel';
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
  const opts = resolveIterativeOptions('wmmse', options);
  const checked = checkProblem(problem, opts.init === 'given');
  return iterateKernel(wmmseKernel, checked, opts, { trace: options.trace, sampleOffset: options.sampleOffset });
}

/** Chunk function for the worker pool (parallel.ts): the powers of samples [offset, offset + B). */
export function wmmseChunk(task: ChunkTask<ResolvedIterativeOptions>): Float64Array {
  const checked = checkProblem(task.problem, task.options.init === 'given');
  return iterateKernel(wmmseKernel, checked, task.options, { sampleOffset: task.offset }).powers;
}

export interface SolveOptions {
  /** Threads, main thread included: an integer, or 'auto' (all cores for large batches; default). */
  readonly workers?: WorkersOption;
}

/** WMMSE powers [B, K], on several threads for large batches; identical to `wmmse(problem, options).powers`. */
export function solveWmmse(problem: PowerProblem, options: WmmseOptions & SolveOptions = {}): Promise<Float64Array> {
  return solveIterative({
    field: 'wmmse',
    problem,
    options: resolveIterativeOptions('wmmse', options),
    workers: options.workers,
    sampleOffset: options.sampleOffset,
    module: import.meta.url,
    fn: 'wmmseChunk',
    local: wmmseChunk,
  });
}

/** Starts `count` pooled workers with this module loaded (e.g. before timing); false if they cannot start. */
export function warmWmmseWorkers(count: number): Promise<boolean> {
  return warmWorkers(count, import.meta.url);
}

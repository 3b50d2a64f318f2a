import { NpyWriter, ValidationError, requireInteger, streams, type PluginSpec, type Registry } from '@rrm/core';
import { chunkRanges, planChunks, resolveMemoryBudget } from '../memory-budget';
import { checkDistinctOutputs, checkOutputPath } from '../output-paths';

export interface GenerateOptions {
  readonly registry: Registry;
  readonly channel: PluginSpec;
  readonly users: number;
  readonly samples: number;
  readonly seed: number;
  readonly out: string;
  readonly weightsOut?: string;
  readonly dtype?: 'float32' | 'float64';
  /** Memory budget in bytes or as '512M' (default RRM_MEMORY_BUDGET, else a share of the machine's memory). */
  readonly memoryBudget?: string | number;
  /** Forces at most this many samples per chunk (tests). */
  readonly chunkSamples?: number;
  /** Called after every chunk with samples written so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  readonly batch: number;
  readonly users: number;
  readonly chunks: number;
  readonly seconds: number;
}

/**
 * Draws a seeded channel data set from a registered model and streams it to .npy ([B, K, K], rx-tx power
 * gains): the header first, then chunk after chunk, renamed into place only when complete, so memory is one
 * chunk and files may exceed Node's 2 GiB write limit. All chunks draw from one generator stream of the
 * seed, in order; every built-in channel model draws sample after sample from it (channels' generateSamples),
 * so the file is byte for byte the one a single draw of all samples gives, whatever the chunk size.
 */
export function generate(opts: GenerateOptions): GenerateResult {
  const users = requireInteger('--users', opts.users, 1);
  const samples = requireInteger('--samples', opts.samples, 1);
  const seed = requireInteger('--seed', opts.seed, 0);
  const dtype = opts.dtype ?? 'float64';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValidationError('--dtype', "'float32' or 'float64'", dtype);
  checkOutputPath('--out', opts.out, { ext: '.npy' });
  if (opts.weightsOut !== undefined) checkOutputPath('--weights-out', opts.weightsOut, { ext: '.npy' });
  checkDistinctOutputs([['--out', opts.out], ['--weights-out', opts.weightsOut]]);
  const model = opts.registry.create('channel', opts.channel, 'channel');
  // Per sample: the model's Float64 gains, a float32 copy when asked, weights.
  const plan = planChunks({
    what: `${model.kind} channel generation at K = ${users}`,
    batch: samples,
    budget: resolveMemoryBudget(opts.memoryBudget),
    hostBytesPerSample: users * users * (8 + (dtype === 'float32' ? 4 : 0)) + 16 * users,
    chunkSamples: opts.chunkSamples,
  });
  const start = performance.now();
  const rng = streams(seed).get('channels');
  const gains = new NpyWriter(opts.out, dtype, [samples, users, users]);
  let weights: NpyWriter | undefined;
  try {
    if (opts.weightsOut) weights = new NpyWriter(opts.weightsOut, 'float64', [samples, users]);
    for (const [a, b] of chunkRanges(samples, plan.samples)) {
      const chunk = model.generate({ batch: b - a, users, rng });
      gains.append(chunk.gains);
      weights?.append(chunk.weights ?? new Float64Array((b - a) * users).fill(1));
      opts.onProgress?.(b, samples);
    }
    gains.close();
    weights?.close();
  } catch (err) {
    gains.abort();
    weights?.abort();
    throw err;
  }
  return { batch: samples, users, chunks: plan.chunks, seconds: (performance.now() - start) / 1000 };
}

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ValidationError,
  disposeInputs,
  makeScenario,
  modelInputs,
  predictInputs,
  sumRates,
  summarize,
  useBackend,
  writeNpy,
  type ChannelBatch,
  type PowerModel,
  type RateUnit,
  type Registry,
} from '@rrm/core';
import { MODEL_JSON, WEIGHTS_BIN, loadModelWeights } from '@rrm/trainers-unsup';
import { RunFolder, buildModel, checkConfig, type PipelineConfig } from '@rrm/pipeline';
import { runStatusWarnings } from '../run-status';
import { openChannelFile, type ChannelFileOptions, type ChannelSource } from '../channel-files';
import { WASM_HEAP_LIMIT, WASM_HEAP_SHARE, channelHostBytes, chunkRanges, formatBytes, modelBytesFormula, planChunks, resolveMemoryBudget, type ChunkPlan } from '../memory-budget';
import { checkOutputPath, runFolderFiles } from '../output-paths';

export interface RunEvalOptions {
  readonly registry: Registry;
  readonly run: string;
  readonly input: ChannelFileOptions;
  /** Overrides the run's σ² (e.g. a test at another SNR); p_max always comes from the run. */
  readonly noise?: number;
  readonly backend?: string;
  /** Memory budget in bytes or as '512M' (default RRM_MEMORY_BUDGET, else a share of the machine's memory). */
  readonly memoryBudget?: string | number;
  /** Forces at most this many samples per chunk (tests, benchmarks). */
  readonly chunkSamples?: number;
  /** Samples finished out of the file's total, after each chunk and as the reference teacher reports. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Warnings about the run folder or the chunking (stderr in the CLI), as soon as they are known. */
  readonly warn?: (message: string) => void;
}

/** The run's config, validated; errors name the file. */
function readRunConfig(dir: string): PipelineConfig {
  const raw = RunFolder.readConfig(dir);
  try {
    return checkConfig(raw);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${join(dir, 'config.json')}: ${err.field}`, err.expected, err.got);
    throw err;
  }
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** Loads saved weights; a truncated or corrupt weights file is a ValidationError naming it, not a stack trace. */
async function loadRunWeights(model: PowerModel, dir: string): Promise<void> {
  const json = join(dir, MODEL_JSON);
  const bin = join(dir, WEIGHTS_BIN);
  let expected: number | undefined;
  try {
    const manifest = JSON.parse(readFileSync(json, 'utf8')).weightsManifest as { weights: { shape: number[]; dtype?: string }[] }[];
    expected = manifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[w.dtype ?? 'float32'] ?? 4), 0);
  } catch {
    // loadModelWeights names an unreadable model.json.
  }
  if (expected !== undefined) {
    let size: number;
    try {
      size = statSync(bin).size;
    } catch {
      throw new ValidationError(bin, 'the weights file written by rrm train', 'no such file');
    }
    if (size !== expected) throw new ValidationError(bin, `${expected} bytes for the weights ${MODEL_JSON} lists (truncated, or from another run)`, `${size} bytes`);
  }
  try {
    await loadModelWeights(model, dir);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(bin, 'intact weights written by rrm train for this run config', (err as Error).message);
  }
}

interface LoadedRun {
  readonly config: PipelineConfig;
  readonly source: ChannelSource;
  readonly problem: { readonly noise: number; readonly pmax: number };
  readonly model: PowerModel;
  readonly backend: string;
  readonly warnings: string[];
}

/** Loads a run's config and weights and builds its model for the channels' K (GNNs accept any K). */
async function loadRun(opts: RunEvalOptions): Promise<LoadedRun> {
  const config = readRunConfig(opts.run);
  const warnings = runStatusWarnings(opts.run);
  for (const w of warnings) opts.warn?.(w);
  const source = openChannelFile(opts.input);
  try {
    const scenario = makeScenario({ users: source.users, noise: opts.noise ?? config.scenario.noise, pmax: config.scenario.pmax });
    const backend = await useBackend(opts.registry, opts.backend ?? config.backend);
    // Built as trained: GNNs then accept the channels' K, and a model tied to one K (the MLP) says so clearly.
    const model = buildModel(opts.registry, config, config.scenario.users);
    try {
      await loadRunWeights(model, new RunFolder(opts.run).weightsDir);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return { config, source, problem: { noise: scenario.noise, pmax: scenario.pmax }, model, backend, warnings };
  } catch (err) {
    source.close();
    throw err;
  }
}

/**
 * Peak tensor bytes of one sample through the model (inputs included), measured with tf.profile; it is
 * also the warm-up call (the first call of a kernel may compile or allocate). The powers are read back
 * asynchronously (webgpu has no synchronous read under Node; tf.profile awaits its function).
 */
async function measureSampleBytes(model: PowerModel, one: ChannelBatch, problem: { noise: number; pmax: number }): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    const inputs = modelInputs(one, problem);
    try {
      const p = model.apply(inputs);
      await p.data();
      return p;
    } finally {
      disposeInputs(inputs);
    }
  });
  tf.dispose(info.result as tf.Tensor);
  return Math.max(0, info.peakBytes - before);
}

/**
 * Chunks for inference at the file's K: a conservative formula checks that one sample can run at all
 * (before anything is allocated), then one sample is measured and the chunk is the most samples whose
 * measured peak (+25 %) and host copies fit the budget and, on wasm, half of its 4 GiB heap.
 */
async function planInference(run: LoadedRun, opts: RunEvalOptions): Promise<ChunkPlan> {
  const { source, model, backend, problem } = run;
  const users = source.users;
  const budget = resolveMemoryBudget(opts.memoryBudget);
  const what = `${model.kind} inference at K = ${users}`;
  const inUse = tf.memory().numBytes;
  const formula = modelBytesFormula(model as PowerModel & { bytesPerSample?: (k: number) => number }, users);
  if (backend === 'wasm' && formula > WASM_HEAP_SHARE * WASM_HEAP_LIMIT - inUse) {
    throw new ValidationError('backend wasm', `a sample of ${what} that fits its ${formatBytes(WASM_HEAP_LIMIT)} heap (one needs ≈ ${formatBytes(formula)}; use --backend cpu or tensorflow, or fewer users)`, formatBytes(formula));
  }
  const measured = await measureSampleBytes(model, source.read(0, 1), problem);
  const device = Math.max(Math.ceil(1.25 * measured), 8 * users * users);
  const plan = planChunks({
    what,
    batch: source.batch,
    budget,
    hostBytesPerSample: channelHostBytes(users, source.fileWidth, 1),
    deviceBytesPerSample: device,
    backend,
    deviceBytesInUse: inUse,
    chunkSamples: opts.chunkSamples,
  });
  return plan;
}

export interface RunEvalResult {
  readonly mean: number;
  readonly std: number;
  readonly ci95: [number, number];
  readonly samples: number;
  readonly wmmse: number;
  /** mean / wmmse (1.0 = WMMSE's sum rate on the same channels). */
  readonly ratio: number;
  readonly msPerSample: number;
  readonly users: number;
  readonly unit: RateUnit;
  /** Samples per chunk and chunks (memory budget). */
  readonly chunkSamples: number;
  readonly chunks: number;
  /** Run-folder warnings (died, interrupted, …). */
  readonly warnings: readonly string[];
}

/**
 * A saved model on any channel file: mean sum rate, the reference teacher (WMMSE) on the same channels,
 * inference time. The file is read, run and scored chunk by chunk within the memory budget; per-sample
 * results do not depend on the chunking.
 */
export async function evaluateRun(opts: RunEvalOptions & { unit?: RateUnit }): Promise<RunEvalResult> {
  const run = await loadRun(opts);
  const { config, source, problem, model } = run;
  const unit = opts.unit ?? 'bits';
  try {
    const reference = opts.registry.create('teacher', config.reference, 'reference');
    const plan = await planInference(run, opts);
    const { batch, users } = source;
    const rates = new Float64Array(batch);
    const refRates = new Float64Array(batch);
    let seconds = 0;
    for (const [a, b] of chunkRanges(batch, plan.samples)) {
      const channels = source.read(a, b);
      const inputs = modelInputs(channels, problem);
      const t0 = performance.now();
      let powers: Float64Array;
      try {
        powers = await predictInputs(model, inputs, b - a);
      } finally {
        seconds += (performance.now() - t0) / 1000;
        disposeInputs(inputs);
      }
      rates.set(sumRates(channels, powers, { noise: problem.noise, unit }), a);
      const refPowers = await reference.solve({ channels, ...problem, onProgress: opts.onProgress && ((done) => opts.onProgress!(a + done, batch)) });
      refRates.set(sumRates(channels, refPowers, { noise: problem.noise, unit }), a);
      opts.onProgress?.(b, batch);
    }
    const s = summarize(rates);
    const wmmse = summarize(refRates).mean;
    return { ...s, wmmse, ratio: s.mean / wmmse, msPerSample: (1000 * seconds) / batch, users, unit, chunkSamples: plan.samples, chunks: plan.chunks, warnings: run.warnings };
  } finally {
    model.dispose();
    source.close();
  }
}

export interface RunPredictResult {
  readonly batch: number;
  readonly users: number;
  readonly msPerSample: number;
  readonly chunkSamples: number;
  readonly chunks: number;
  readonly warnings: readonly string[];
}

/** Writes a saved model's powers [B, K] for a channel file (chunked like evaluateRun). */
export async function predictRun(opts: RunEvalOptions & { out: string }): Promise<RunPredictResult> {
  checkOutputPath('--out', opts.out, {
    ext: '.npy',
    inputs: [['--channels', opts.input.channels], ['--weights', opts.input.weights], ...runFolderFiles(opts.run)],
  });
  const run = await loadRun(opts);
  const { source, problem, model } = run;
  try {
    const plan = await planInference(run, opts);
    const { batch, users } = source;
    const out = new Float64Array(batch * users);
    let seconds = 0;
    for (const [a, b] of chunkRanges(batch, plan.samples)) {
      const inputs = modelInputs(source.read(a, b), problem);
      const t0 = performance.now();
      try {
        out.set(await predictInputs(model, inputs, b - a), a * users);
      } finally {
        seconds += (performance.now() - t0) / 1000;
        disposeInputs(inputs);
      }
      opts.onProgress?.(b, batch);
    }
    writeNpy(opts.out, out, [batch, users]);
    return { batch, users, msPerSample: (1000 * seconds) / batch, chunkSamples: plan.samples, chunks: plan.chunks, warnings: run.warnings };
  } finally {
    model.dispose();
    source.close();
  }
}

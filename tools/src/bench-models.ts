/**
 * Training-step and inference timings of the registered models on the wasm backend, at the shapes of
 * ../shared/bench/torch_reference.py (MLP K = 20, 400→200→200→20; dense max-aggregation GNN K = 40,
 * B = 64), plus UWGNN, WCGCN and WMMSE-100 per-sample inference at K = 10, 30, 50.
 * When Debian's python3-torch is installed, the PyTorch reference is timed in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Registry, backendsPlugin, modelInputs, disposeInputs, streams, useBackend, type PluginSpec } from '@rrm/core';
import { createTrainStep } from './train-step';
import { channelsPlugin } from '@rrm/channels';
import { gnnPlugin } from '@rrm/models-gnn';
import { mlpPlugin } from '@rrm/models-mlp';
import { wmmsePlugin } from '@rrm/teachers-wmmse';
import type { BenchRecord } from './bench-teachers';

const registry = new Registry().use(backendsPlugin).use(channelsPlugin).use(gnnPlugin).use(mlpPlugin).use(wmmsePlugin);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function channels(users: number, batch: number, seed = 0) {
  return registry.create('channel', { kind: 'rayleigh' }).generate({ batch, users, rng: streams(seed).get('bench') });
}

/** Median ms of one full training step (tools/src/train-step.ts) at batch B, over `workers` threads. */
async function trainStep(spec: PluginSpec, users: number, batch: number, runs = 7, steps = 5, workers = 1): Promise<number> {
  const t = await createTrainStep(registry, spec, users, batch, workers);
  try {
    for (let w = 0; w < 3; w++) await t.step();
    const per: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) await t.step();
      per.push((performance.now() - t0) / steps);
    }
    return median(per);
  } finally {
    await t.dispose();
  }
}

/** Median ms per sample of batched inference (no gradient bookkeeping). */
function inferPerSample(spec: PluginSpec, users: number, batch = 1000, runs = 5): number {
  const model = registry.create('model', spec)({ users, pmax: 1, noise: 1, seed: 1 });
  const inputs = modelInputs(channels(users, batch), { noise: 1, pmax: 1 });
  model.fit?.(inputs);
  const once = () => tf.tidy(() => model.apply(inputs).dataSync());
  once();
  const per: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    once();
    per.push((performance.now() - t0) / batch);
  }
  disposeInputs(inputs);
  model.dispose();
  return median(per);
}

async function wmmsePerSample(users: number, batch = 1000): Promise<number> {
  const teacher = registry.create('teacher', { kind: 'wmmse', workers: 1 });
  const ch = channels(users, batch);
  await teacher.solve({ channels: ch, noise: 1, pmax: 1 });
  const per: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    await teacher.solve({ channels: ch, noise: 1, pmax: 1 });
    per.push((performance.now() - t0) / batch);
  }
  return median(per);
}

interface TorchRow {
  name: string;
  K: number;
  step_ms_median: number;
}

const TORCH_ENV = { BENCH_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE', MALLOC_MMAP_THRESHOLD_: '1073741824', MALLOC_TRIM_THRESHOLD_: '17179869184' };

/** Runs a PyTorch reference script with `args` plus `--json FILE` in its best configuration (STACK.md). */
function runTorch<T>(script: string, args: string[]): T {
  const json = join(mkdtempSync(join(tmpdir(), 'rrm-torch-')), 'torch.json');
  execFileSync('/usr/bin/python3', [script, ...args, '--json', json], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...TORCH_ENV } });
  return JSON.parse(readFileSync(json, 'utf8')) as T;
}

/**
 * PyTorch times of the same work, keyed by our benchmark ids, when Debian's python3-torch is installed:
 * ../shared/bench/torch_reference.py (MLP and dense GNN steps) and tools/reference/uwgnn_torch.py (UWGNN
 * steps and inference).
 */
function torchReference(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return out;
  }
  const shared = ['../shared/bench/torch_reference.py', '../../shared/bench/torch_reference.py'].map((p) => join(process.cwd(), p)).find(existsSync);
  if (shared) {
    const res = runTorch<{ models: TorchRow[] }>(shared, ['--what', 'mlp', 'gnn']);
    for (const row of res.models) out.set(row.name.startsWith('MLP') ? 'train-mlp-k20' : 'train-gnn-dense-k40', row.step_ms_median);
  }
  const uwgnn = fileURLToPath(new URL('../reference/uwgnn_torch.py', import.meta.url));
  const res = runTorch<{ models: TorchRow[]; inference: { K: number; ms_per_sample: number }[] }>(uwgnn, ['--what', 'train', 'infer']);
  for (const row of res.models) out.set(`train-uwgnn-k${row.K}`, row.step_ms_median);
  for (const row of res.inference) out.set(`infer-uwgnn-k${row.K}`, row.ms_per_sample);
  return out;
}

export async function benchModels(): Promise<(BenchRecord & { reference?: string; ratio?: string })[]> {
  const backend = await useBackend(registry, 'wasm');
  const records: (BenchRecord & { reference?: string; ratio?: string })[] = [];
  const torch = torchReference();
  /** `torchKey`: the id of the PyTorch time of the same work (default: `id` itself). */
  const push = (id: string, ms: number, unit: string, samples: number, torchKey: string = id, engine = `tfjs-${backend}`) => {
    const ref = torch.get(torchKey);
    records.push({
      id,
      backend: engine,
      median_ms: ms,
      unit,
      samples_per_s: (samples * 1000) / ms,
      reference: ref === undefined ? undefined : `PyTorch ${ref.toFixed(ref < 1 ? 4 : 2)} ms`,
      ratio: ref === undefined ? undefined : `ours/PyTorch ${(ms / ref).toFixed(2)}×`,
    });
    console.error(`  ${id}: ${ms.toFixed(ms < 1 ? 4 : 2)} ${unit}`);
  };
  // Training steps: one thread, then the batch split over two threads (one tfjs engine per core).
  const trainShapes: [string, PluginSpec, number, number, number][] = [
    ['train-mlp-k20', { kind: 'mlp', hidden: [200, 200], input: 'raw' }, 20, 9, 10],
    // shareWeights + outgoing edge feature = the torch_reference.py DenseGNN (plus λ as an input).
    ['train-gnn-dense-k40', { kind: 'gnn', shareWeights: true, edges: 'outgoing' }, 40, 3, 2],
    ['train-wcgcn-k40', { kind: 'wcgcn' }, 40, 3, 2],
    ['train-uwgnn-k10', { kind: 'uwgnn' }, 10, 7, 5],
    ['train-uwgnn-k50', { kind: 'uwgnn' }, 50, 3, 2],
  ];
  for (const [id, spec, K, runs, steps] of trainShapes) {
    push(id, await trainStep(spec, K, 64, runs, steps), 'ms/step (B=64)', 64);
    push(`${id}-2w`, await trainStep(spec, K, 64, runs, steps, 2), 'ms/step (B=64)', 64, id, `tfjs-${backend} ×2 threads`);
  }
  for (const K of [10, 30, 50]) {
    for (const kind of ['uwgnn', 'wcgcn', 'gnn']) push(`infer-${kind}-k${K}`, inferPerSample({ kind }, K, 500), 'ms/sample', 1);
    push(`wmmse100-infer-k${K}`, await wmmsePerSample(K), 'ms/sample', 1, '', 'wasm-simd teacher (1 thread)');
  }
  // The other backends present on this machine (same ids, another `backend` field). The pure-JS `cpu`
  // reference takes seconds per GNN step at K ≥ 30, so it runs the small shapes only.
  for (const name of registry.list('backend').map((e) => e.name).filter((n) => n !== 'wasm')) {
    let engine: string;
    try {
      engine = await useBackend(registry, name);
    } catch {
      console.error(`  backend ${name}: not available on this machine (skipped)`);
      continue;
    }
    const small = name === 'cpu';
    for (const [id, spec, K, runs, steps] of trainShapes) {
      if (!small || K <= 20) push(id, await trainStep(spec, K, 64, Math.min(runs, 3), steps), 'ms/step (B=64)', 64, id, `tfjs-${engine}`);
    }
    for (const K of small ? [10] : [10, 30, 50]) {
      for (const kind of ['uwgnn', 'wcgcn', 'gnn']) push(`infer-${kind}-k${K}`, inferPerSample({ kind }, K, small ? 100 : 500, 3), 'ms/sample', 1, `infer-${kind}-k${K}`, `tfjs-${engine}`);
    }
  }
  await useBackend(registry, 'wasm');
  return records;
}

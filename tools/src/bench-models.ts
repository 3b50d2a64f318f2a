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
import * as tf from '@tensorflow/tfjs';
import { Registry, backendsPlugin, modelInputs, disposeInputs, streams, sumRateTensor, useBackend, type PluginSpec } from '@rrm/core';
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

/** Median ms of one full Adam step (forward, sum-rate loss, backward, update) at batch B. */
function trainStep(spec: PluginSpec, users: number, batch: number, runs = 7, steps = 5): number {
  const model = registry.create('model', spec)({ users, pmax: 1, noise: 1, seed: 1 });
  const inputs = modelInputs(channels(users, batch), { noise: 1, pmax: 1 });
  model.fit?.(inputs);
  const opt = tf.train.adam(1e-3);
  const step = () =>
    tf.tidy(() => {
      opt.minimize(() => tf.neg(tf.mean(sumRateTensor(inputs.gains, inputs.direct, model.apply(inputs), 1, inputs.weights))) as tf.Scalar, false, model.trainable);
    });
  for (let w = 0; w < 3; w++) step();
  const per: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) step();
    per.push((performance.now() - t0) / steps);
  }
  opt.dispose();
  disposeInputs(inputs);
  model.dispose();
  return median(per);
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

/** Runs ../shared/bench/torch_reference.py in its best configuration (STACK.md) when torch is installed. */
function torchReference(): Map<string, number> {
  const script = ['../shared/bench/torch_reference.py', '../../shared/bench/torch_reference.py'].map((p) => join(process.cwd(), p)).find(existsSync);
  const out = new Map<string, number>();
  if (!script) return out;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return out;
  }
  const json = join(mkdtempSync(join(tmpdir(), 'rrm-torch-')), 'torch.json');
  execFileSync('/usr/bin/python3', [script, '--what', 'mlp', 'gnn', '--json', json], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, BENCH_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE', MALLOC_MMAP_THRESHOLD_: '1073741824', MALLOC_TRIM_THRESHOLD_: '17179869184' },
  });
  const res = JSON.parse(readFileSync(json, 'utf8')) as { models: TorchRow[] };
  for (const row of res.models) out.set(row.name.startsWith('MLP') ? 'mlp' : 'gnn', row.step_ms_median);
  return out;
}

export async function benchModels(): Promise<(BenchRecord & { reference?: string; ratio?: string })[]> {
  const backend = await useBackend(registry, 'wasm');
  const records: (BenchRecord & { reference?: string; ratio?: string })[] = [];
  const torch = torchReference();
  const push = (id: string, ms: number, unit: string, samples: number, torchKey?: string, engine = `tfjs-${backend}`) => {
    const ref = torchKey ? torch.get(torchKey) : undefined;
    records.push({
      id,
      backend: engine,
      median_ms: ms,
      unit,
      samples_per_s: (samples * 1000) / ms,
      reference: ref === undefined ? undefined : `PyTorch ${ref.toFixed(2)} ms`,
      ratio: ref === undefined ? undefined : `ours/PyTorch ${(ms / ref).toFixed(2)}×`,
    });
    console.error(`  ${id}: ${ms.toFixed(ms < 1 ? 4 : 2)} ${unit}`);
  };
  push('train-mlp-k20', trainStep({ kind: 'mlp', hidden: [200, 200], input: 'raw' }, 20, 64), 'ms/step (B=64)', 64, 'mlp');
  // shareWeights + outgoing edge feature = the torch_reference.py DenseGNN (plus λ as an input).
  push('train-gnn-dense-k40', trainStep({ kind: 'gnn', shareWeights: true, edges: 'outgoing' }, 40, 64, 3, 2), 'ms/step (B=64)', 64, 'gnn');
  push('train-wcgcn-k40', trainStep({ kind: 'wcgcn' }, 40, 64, 3, 2), 'ms/step (B=64)', 64);
  push('train-uwgnn-k10', trainStep({ kind: 'uwgnn' }, 10, 64), 'ms/step (B=64)', 64);
  push('train-uwgnn-k50', trainStep({ kind: 'uwgnn' }, 50, 64, 3, 2), 'ms/step (B=64)', 64);
  for (const K of [10, 30, 50]) {
    for (const kind of ['uwgnn', 'wcgcn', 'gnn']) push(`infer-${kind}-k${K}`, inferPerSample({ kind }, K, 500), 'ms/sample', 1);
    push(`wmmse100-infer-k${K}`, await wmmsePerSample(K), 'ms/sample', 1, undefined, 'wasm-simd teacher (1 thread)');
  }
  return records;
}

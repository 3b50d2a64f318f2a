import * as tf from '@tensorflow/tfjs';
import { Registry, backendsPlugin, useBackend } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { createMlp } from '@rrm/models-mlp';
import { trainDataset } from './trainer';
import { dataset } from './test-fixtures';

// Results must not depend on the backend beyond float tolerance: the same seeded training on the pure-JS
// `cpu` backend and on `wasm` (XNNPACK kernels, other summation orders) ends at the same weights.
// This file runs in its own process (pool: forks), so switching the global backend is safe.
describe('training results across backends', () => {
  it('cpu and wasm give the same weights and test sum rates up to float rounding', async () => {
    const registry = new Registry().use(backendsPlugin);
    const train = dataset(96, 4, 1, { labels: true });
    const test = dataset(48, 4, 2);
    const results: { weights: Float32Array; rates: number[] }[] = [];
    for (const backend of ['cpu', 'wasm']) {
      expect(await useBackend(registry, backend)).toBe(backend);
      const model = createMlp({ hidden: [16, 16] }, { users: 4, pmax: 1, noise: 1, seed: 1 });
      const r = await trainDataset({ model, train, test, epochs: 3, batchSize: 32, optimizer: { kind: 'adam', learningRate: 1e-2 } });
      const weights = Float32Array.from(model.namedWeights().flatMap((w) => Array.from(w.tensor.dataSync())));
      results.push({ weights, rates: r.records.map((x) => x.testSumRate) });
      model.dispose();
    }
    const [cpu, wasm] = results;
    let moved = 0;
    let diff = 0;
    const init = createMlp({ hidden: [16, 16] }, { users: 4, pmax: 1, noise: 1, seed: 1 });
    const w0 = init.namedWeights().flatMap((w) => Array.from(w.tensor.dataSync()));
    init.dispose();
    for (let i = 0; i < cpu.weights.length; i++) {
      diff = Math.max(diff, Math.abs(cpu.weights[i] - wasm.weights[i]));
      moved = Math.max(moved, Math.abs(cpu.weights[i] - w0[i]));
    }
    expect(moved).toBeGreaterThan(1e-2);
    expect(diff).toBeLessThan(1e-4);
    cpu.rates.forEach((v, i) => expect(wasm.rates[i]).toBeCloseTo(v, 4));
    expect(tf.getBackend()).toBe('wasm');
  });
});

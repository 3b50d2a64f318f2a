import * as tf from '@tensorflow/tfjs';
import { sumRateTensor, wasmBackend, type ModelBuilder } from '@rrm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gnnBuilder } from './gnn';
import { disposeInputs, randomBatch, toInputs } from './test-helpers';
import { uwgnnBuilder } from './uwgnn';
import { uwmmseBuilder } from './uwmmse';
import { wcgcnBuilder } from './wcgcn';

/**
 * The kernels every model uses exist on the wasm backend WITH gradients (STACK.md: e.g. gather's gradient
 * does not), and wasm and cpu agree on the loss and on every parameter gradient.
 */
const MODELS: Record<string, ModelBuilder> = {
  gnn: gnnBuilder({ hidden: 8, message: [8, 8], update: [8] }),
  'gnn (sum)': gnnBuilder({ hidden: 8, message: [8], aggregation: 'sum', shareWeights: true }),
  'gnn (mean, tanh)': gnnBuilder({ hidden: 8, message: [8], aggregation: 'mean', activation: 'tanh', edges: 'outgoing' }),
  wcgcn: wcgcnBuilder(),
  uwgnn: uwgnnBuilder(),
  uwmmse: uwmmseBuilder(),
};

beforeAll(async () => {
  tf.enableProdMode();
  await wasmBackend.init();
});

function lossAndGrads(builder: ModelBuilder, batch = 3): { loss: number; grads: Record<string, Float32Array> } {
  const model = builder({ users: 6, pmax: 2, noise: 0.5, seed: 9 });
  const inputs = toInputs(randomBatch(batch, 6, 31, { density: 0.7, directMean: 4 }), 0.5, 2);
  const f = () => tf.neg(tf.mean(sumRateTensor(inputs.gains, inputs.direct, model.apply(inputs), inputs.noise, inputs.weights))) as tf.Scalar;
  const { value, grads } = tf.variableGrads(f, model.trainable);
  const names = model.namedWeights().map((w) => w.name);
  const out: Record<string, Float32Array> = {};
  model.trainable.forEach((v, i) => (out[names[i]] = grads[v.name].dataSync() as Float32Array));
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  disposeInputs(inputs);
  model.dispose();
  return { loss, grads: out };
}

function expectSameAsCpu(builder: ModelBuilder, batch: number) {
  return async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const wasm = lossAndGrads(builder, batch);
    expect(tf.getBackend()).toBe('wasm');
    await tf.setBackend('cpu');
    const cpu = lossAndGrads(builder, batch);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    expect(Object.keys(wasm.grads)).toEqual(Object.keys(cpu.grads));
    for (const name of Object.keys(cpu.grads)) {
      const a = wasm.grads[name];
      const b = cpu.grads[name];
      const scale = Math.max(1e-3, ...Array.from(b).map(Math.abs));
      for (let i = 0; i < a.length; i++) {
        expect(Number.isFinite(a[i])).toBe(true);
        expect(Math.abs(a[i] - b[i]) / scale).toBeLessThan(1e-3);
      }
    }
  };
}

describe.each(Object.entries(MODELS))('%s on wasm', (_name, builder) => {
  it('differentiates on wasm and matches cpu', expectSameAsCpu(builder, 3));
  // 40 · 6² = 1 440 edge rows: the per-edge weight and bias gradients go through core's streaming
  // wasm kernels (RrmMatMulTN, RrmSumRows need ≥ 1 024 rows), checked against cpu's plain matMuls.
  it('matches cpu where the streaming gradient kernels run (B·K² ≥ 1 024)', expectSameAsCpu(builder, 40));
});

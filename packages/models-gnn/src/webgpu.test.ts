import * as tf from '@tensorflow/tfjs';
import { predictPowers, sumRateTensor, webgpuBackend, type ModelBuilder } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { gnnBuilder } from './gnn';
import { disposeInputs, randomBatch, toInputs } from './test-helpers';
import { uwgnnBuilder } from './uwgnn';
import { wcgcnBuilder } from './wcgcn';

/**
 * The models on the webgpu backend against the cpu backend: same weights, same channels. These run only
 * where a GPU adapter exists (tools/scripts/gpu-check.sh on the GPU machine); elsewhere the suite is
 * reported as skipped with its reason in its name, never as passed. RRM_REQUIRE_GPU=1 turns a missing
 * adapter into a failure (the GPU check sets it, so a broken setup cannot pass silently).
 *
 * UNVERIFIED: no GPU machine has run this file yet (written without one; see docs/performance.md).
 */
const available = await webgpuBackend.init().catch(() => false);
const requireGpu = process.env.RRM_REQUIRE_GPU === '1';
const reason = available ? '' : 'skipped: no GPU adapter (needs the webgpu package, a GPU and a Vulkan driver)';

const MODELS: Record<string, ModelBuilder> = {
  gnn: gnnBuilder(),
  wcgcn: wcgcnBuilder(),
  uwgnn: uwgnnBuilder(),
};

/** Loss and every parameter gradient of a model built with `seed`, on the current backend (async reads). */
async function lossAndGrads(builder: ModelBuilder, users: number, batch: number): Promise<{ loss: number; grads: Float32Array[] }> {
  const model = builder({ users, pmax: 1, noise: 0.1, seed: 5 });
  const inputs = toInputs(randomBatch(batch, users, 17, { density: 0.8 }), 0.1, 1);
  const f = () => tf.neg(tf.mean(sumRateTensor(inputs.gains, inputs.direct, model.apply(inputs), inputs.noise, inputs.weights))) as tf.Scalar;
  const { value, grads } = tf.variableGrads(f, model.trainable);
  const out = await Promise.all(model.trainable.map(async (v) => (await grads[v.name].data()) as Float32Array));
  const loss = (await value.data())[0];
  tf.dispose([value, ...Object.values(grads)]);
  disposeInputs(inputs);
  model.dispose();
  return { loss, grads: out };
}

describe.skipIf(!available && !requireGpu)(`webgpu backend${reason ? ` (${reason})` : ''}`, () => {
  it('has a GPU adapter (RRM_REQUIRE_GPU=1 makes its absence a failure)', () => {
    expect(available, 'webgpu backend initialised').toBe(true);
  });

  for (const [name, builder] of Object.entries(MODELS)) {
    it(`${name}: loss and every parameter gradient equal the cpu backend's (K = 30, B = 64)`, async () => {
      await tf.setBackend('cpu');
      const cpu = await lossAndGrads(builder, 30, 64);
      await tf.setBackend('webgpu');
      const gpu = await lossAndGrads(builder, 30, 64);
      expect(gpu.loss).toBeCloseTo(cpu.loss, 4);
      cpu.grads.forEach((g, k) => {
        let worst = 0;
        let scale = 0;
        for (let n = 0; n < g.length; n++) {
          worst = Math.max(worst, Math.abs(g[n] - gpu.grads[k][n]));
          scale = Math.max(scale, Math.abs(g[n]));
        }
        expect(worst, `${name} gradient ${k}`).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
      });
    });
  }

  it('UWGNN inference at K = 50 on 2 000 samples (one dispatch would exceed the limit) equals cpu per sample', async () => {
    const batch = randomBatch(2000, 50, 3);
    const channels = { batch: 2000, users: 50, gains: batch.gains, weights: batch.weights };
    const model = uwgnnBuilder()({ users: 50, pmax: 1, noise: 0.1, seed: 2 });
    await tf.setBackend('cpu');
    const cpu = await predictPowers(model, channels, { noise: 0.1, pmax: 1 }, 500);
    await tf.setBackend('webgpu');
    const gpu = await predictPowers(model, channels, { noise: 0.1, pmax: 1 }, 2000);
    let worst = 0;
    for (let n = 0; n < cpu.length; n++) worst = Math.max(worst, Math.abs(cpu[n] - gpu[n]));
    expect(worst).toBeLessThan(1e-5);
    model.dispose();
  });
});

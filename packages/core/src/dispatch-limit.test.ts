import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { activeDispatchLimit, backendsPlugin, cpuBackend, useBackend, wasmBackend, webgpuBackend, WEBGPU_MAX_DISPATCH_ELEMENTS } from './backends';
import { MAX_DISPATCH_ELEMENTS_ENV, dispatchChunkSamples, dispatchChunks, dispatchLimitOverride } from './dispatch-limit';
import { makeChannelBatch } from './channel-batch';
import { ValidationError } from './errors';
import type { ModelInputs, PowerModel } from './model';
import { sumRates } from './objective';
import { inferenceBatch, predictPowers } from './predict';
import { Rng } from './random';
import { Registry } from './registry';

// Runs in its own process (pool: forks): the backend switch and the environment variable are global.
const registry = new Registry().use(backendsPlugin);

afterEach(() => {
  delete process.env[MAX_DISPATCH_ELEMENTS_ENV];
});

/**
 * A small model that mixes all of a sample's gains (a matMul over the flattened [K, K] gains plus masked
 * row sums), recording the batch size of every call so the chunks can be counted.
 */
function countingModel(users: number): PowerModel & { calls: number[] } {
  const k2 = users * users;
  const w = tf.variable(tf.tensor2d(Float32Array.from({ length: k2 * users }, (_, i) => Math.sin(1.3 * i + 0.2)), [k2, users]), true, 'toy/w');
  const calls: number[] = [];
  return {
    kind: 'toy',
    options: {},
    calls,
    apply(inputs: ModelInputs) {
      const b = inputs.direct.shape[0];
      calls.push(b);
      return tf.tidy(() => {
        const mixed = tf.matMul(tf.reshape(tf.log1p(inputs.gains), [b, k2]), w);
        const interference = tf.sum(tf.mul(inputs.gains, inputs.mask), 2);
        return tf.mul(tf.sigmoid(tf.sub(tf.add(mixed, tf.log1p(inputs.direct)), interference)), inputs.pmax) as tf.Tensor2D;
      });
    },
    trainable: [w],
    namedWeights: () => [{ name: 'w', tensor: w }],
    loadWeights: () => undefined,
    paramCount: () => k2 * users,
    macsPerSample: () => k2 * users,
    dispose: () => w.dispose(),
  };
}

function channels(batch: number, users: number) {
  const rng = new Rng(5);
  const gains = new Float64Array(batch * users * users);
  for (let n = 0; n < gains.length; n++) gains[n] = -Math.log(1 - rng.uniform());
  return makeChannelBatch(gains, [batch, users, users]);
}

describe('dispatch chunks', () => {
  it('b · K² · width ≤ limit, at least one sample, unlimited without a limit', () => {
    expect(dispatchChunkSamples(4, 100)).toBe(6); // 6 · 16 = 96 ≤ 100 < 7 · 16
    expect(dispatchChunkSamples(4, 96)).toBe(6);
    expect(dispatchChunkSamples(4, 95)).toBe(5);
    expect(dispatchChunkSamples(4, 100, 2)).toBe(3);
    expect(dispatchChunkSamples(4, 10)).toBe(1); // one sample above the limit still runs (alone)
    expect(dispatchChunkSamples(50, WEBGPU_MAX_DISPATCH_ELEMENTS)).toBe(1677);
    expect(dispatchChunkSamples(4, Infinity)).toBe(Infinity);
    expect(() => dispatchChunkSamples(0, 100)).toThrow(RangeError);
    expect(() => dispatchChunkSamples(4, 0)).toThrow(RangeError);
  });

  it('covers the batch in order with ceil(B / chunk) ranges', () => {
    expect(dispatchChunks(50, 4, 100)).toEqual([[0, 6], [6, 12], [12, 18], [18, 24], [24, 30], [30, 36], [36, 42], [42, 48], [48, 50]]);
    expect(dispatchChunks(50, 4, Infinity)).toEqual([[0, 50]]);
    expect(dispatchChunks(3, 4, 1)).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(dispatchChunks(0, 4, 100)).toEqual([]);
  });
});

describe('the dispatch limit of the active backend', () => {
  it('webgpu sets one (65 535 workgroups × 64 threads); wasm and cpu are unlimited', () => {
    expect(webgpuBackend.maxDispatchElements).toBe(65_535 * 64);
    expect(wasmBackend.maxDispatchElements).toBeUndefined();
    expect(cpuBackend.maxDispatchElements).toBeUndefined();
  });

  it(`${MAX_DISPATCH_ELEMENTS_ENV} overrides it; a malformed value is an error naming the variable`, async () => {
    await useBackend(registry, 'cpu');
    expect(activeDispatchLimit()).toBe(Infinity);
    process.env[MAX_DISPATCH_ELEMENTS_ENV] = '4096';
    expect(activeDispatchLimit()).toBe(4096);
    process.env[MAX_DISPATCH_ELEMENTS_ENV] = ' ';
    expect(activeDispatchLimit()).toBe(Infinity);
    expect(dispatchLimitOverride({})).toBeUndefined();
    process.env[MAX_DISPATCH_ELEMENTS_ENV] = '64k';
    await expect(useBackend(registry, 'cpu')).rejects.toThrow(/RRM_MAX_DISPATCH_ELEMENTS: expected a positive integer .*got "64k"/);
    for (const bad of ['0', '-5', '1.5', '1e6', 'lots', '9007199254740993']) {
      expect(() => dispatchLimitOverride({ [MAX_DISPATCH_ELEMENTS_ENV]: bad }), bad).toThrow(ValidationError);
      expect(() => dispatchLimitOverride({ [MAX_DISPATCH_ELEMENTS_ENV]: bad }), bad).toThrow(new RegExp(`^${MAX_DISPATCH_ELEMENTS_ENV}: expected a positive integer`));
    }
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`split inference on ${backend} under a forced limit`, () => {
    const batch = 50;
    const users = 4;
    const ch = channels(batch, users);
    const opts = { noise: 0.5, pmax: 2 };

    it('gives the unsplit powers and sum rates, in the number of chunks the formula says, and leaks nothing', async () => {
      await useBackend(registry, backend);
      const model = countingModel(users);
      const whole = await predictPowers(model, ch, opts);
      expect(model.calls).toEqual([batch]);
      const before = tf.memory().numTensors;
      for (const [limit, batchSize, chunks] of [
        [100, 1024, 9], // 6 samples per chunk (6 · 16 ≤ 100)
        [16, 1024, 50], // one sample per chunk
        [10, 1024, 50], // below one sample: still one per chunk
        [100, 4, 13], // the evaluation batch size is smaller than the dispatch chunk
        [Infinity, 1024, 1],
      ] as const) {
        model.calls.length = 0;
        const split = await predictPowers(model, ch, opts, batchSize, limit);
        expect(model.calls.length, `limit ${limit}, batch size ${batchSize}`).toBe(chunks);
        expect(model.calls.length).toBe(Math.ceil(batch / inferenceBatch(users, batchSize, limit)));
        expect(Math.max(...model.calls)).toBe(Math.min(batch, batchSize, dispatchChunkSamples(users, limit)));
        expect(Array.from(split)).toEqual(Array.from(whole));
        expect(Array.from(sumRates(ch, split, { noise: opts.noise }))).toEqual(Array.from(sumRates(ch, whole, { noise: opts.noise })));
      }
      // The default limit is read from the environment (and the backend).
      process.env[MAX_DISPATCH_ELEMENTS_ENV] = '100';
      model.calls.length = 0;
      expect(Array.from(await predictPowers(model, ch, opts))).toEqual(Array.from(whole));
      expect(model.calls).toEqual([6, 6, 6, 6, 6, 6, 6, 6, 2]);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  });
}

import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMlp } from '@rrm/models-mlp';
import { predictPowers } from './evaluate';
import { dataset, TinyModel } from './test-fixtures';
import { fileWeightsHandler, loadModelWeights, readModelWeights, saveModelWeights } from './weights-io';

const dir = mkdtempSync(join(tmpdir(), 'rrm-weights-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('weights in the TensorFlow.js format', () => {
  it('saves model.json (weightsManifest) + weights.bin and loads them back into a fresh model', async () => {
    const ds = dataset(20, 3, 1);
    const a = createMlp({ hidden: [6, 5] }, { users: 3, pmax: 1, noise: 1, seed: 1 });
    const { datasetInputs } = await import('./dataset');
    const { disposeInputs } = await import('@rrm/core');
    const inputs = datasetInputs(ds);
    a.fit(inputs); // non-trivial input statistics travel with the weights
    disposeInputs(inputs);
    const out = join(dir, 'mlp');
    const saved = await saveModelWeights(a, out);
    expect(readdirSync(out).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(saved.jsonPath, 'utf8'));
    expect(json.format).toBe('rrm-weights');
    expect(json.modelTopology).toEqual({ kind: 'mlp', options: a.options });
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(a.namedWeights().map((w) => w.name));
    // float32: 4 bytes per value, parameters plus the two input-statistics vectors.
    expect(statSync(saved.binPath).size).toBe(4 * (a.paramCount() + 2 * 9));
    expect(saved.bytes).toBe(statSync(saved.binPath).size);

    const b = createMlp({ hidden: [6, 5] }, { users: 3, pmax: 1, noise: 1, seed: 2 });
    const opts = { noise: 1, pmax: 1 };
    expect(Array.from(await predictPowers(b, ds.channels, opts))).not.toEqual(Array.from(await predictPowers(a, ds.channels, opts)));
    const before = tf.memory().numTensors;
    await loadModelWeights(b, out);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(await predictPowers(b, ds.channels, opts))).toEqual(Array.from(await predictPowers(a, ds.channels, opts)));

    const { weights, topology } = await readModelWeights(out);
    expect(topology?.kind).toBe('mlp');
    expect(Array.from(weights['input/mean'].dataSync())).toEqual(Array.from(a.namedWeights().find((w) => w.name === 'input/mean')!.tensor.dataSync()));
    tf.dispose(Object.values(weights));
    a.dispose();
    b.dispose();
  });

  it('refuses weights of another model kind or a missing directory', async () => {
    const tiny = new TinyModel(3);
    const out = join(dir, 'tiny');
    await saveModelWeights(tiny, out);
    const mlp = createMlp({ hidden: [2] }, { users: 3, pmax: 1, noise: 1, seed: 1 });
    await expect(loadModelWeights(mlp, out)).rejects.toThrow(/modelTopology\.kind/);
    await expect(loadModelWeights(mlp, join(dir, 'nothing-here'))).rejects.toThrow(/model\.json/);
    const again = new TinyModel(3, 9, [0, 0, 0]);
    await loadModelWeights(again, out);
    expect(again.a.dataSync()[0]).toBeCloseTo(0.3, 6);
    tiny.dispose();
    again.dispose();
    mlp.dispose();
  });

  it('is a tf.io IOHandler: tf.io.decodeWeights reads what save() wrote', async () => {
    const handler = fileWeightsHandler(join(dir, 'raw'));
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const { data, specs } = await tf.io.encodeWeights([{ name: 'x', tensor: t }]);
    await handler.save({ weightSpecs: specs, weightData: data, modelTopology: { kind: 'probe' } as never });
    const artifacts = await handler.load();
    const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    expect(Array.from(decoded.x.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([t, decoded.x]);
  });
});

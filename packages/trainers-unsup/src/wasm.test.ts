import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMlp } from '@rrm/models-mlp';
import { trainDataset } from './trainer';
import { dataset, withoutTiming } from './test-fixtures';

// The default backend of the toolkit: no gradient for tf.gather there, so batches must be gathered
// outside the gradient closure (trainer.ts). This file runs in its own process (pool: forks).
beforeAll(async () => {
  tf.enableProdMode();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('training on the wasm backend', () => {
  it('trains (unsupervised and supervised) and is deterministic', async () => {
    const train = dataset(96, 4, 1, { labels: true });
    const test = dataset(48, 4, 2);
    const run = async (loss: 'unsupervised' | 'supervised') => {
      const model = createMlp({ hidden: [16, 16] }, { users: 4, pmax: 1, noise: 1, seed: 1 });
      const r = await trainDataset({ model, train, test, epochs: 2, batchSize: 32, loss, optimizer: { kind: 'adam', learningRate: 1e-2 } });
      model.dispose();
      return r;
    };
    expect(tf.getBackend()).toBe('wasm');
    const a = await run('unsupervised');
    expect(a.records).toHaveLength(3);
    expect(withoutTiming((await run('unsupervised')).records)).toEqual(withoutTiming(a.records));
    const s = await run('supervised');
    expect(s.records[2].taskLoss).toBeLessThan(s.records[0].taskLoss);
  });
});

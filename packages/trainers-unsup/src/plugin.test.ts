import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '@rrm/core';
import { mlpPlugin } from '@rrm/models-mlp';
import { trainersPlugin } from './plugin';
import { trainerContext } from './test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainers plugin', () => {
  const registry = new Registry().use(mlpPlugin).use(trainersPlugin);

  it('registers unsupervised and supervised trainers with validated options', () => {
    expect(registry.list('trainer').map((e) => e.name)).toEqual(['supervised', 'unsupervised']);
    const t = registry.create('trainer', { kind: 'unsupervised', epochs: 3 });
    expect(t.kind).toBe('unsupervised');
    expect(t.pattern).toBe('dataset');
    expect(t.options).toMatchObject({ epochs: 3, batch: 64, unit: 'bits', shuffle: true, workers: 1 });
    expect(t.options).not.toHaveProperty('distance');
    expect(registry.create('trainer', { kind: 'supervised', optimizer: { kind: 'sgd' } }).options.optimizer).toMatchObject({ kind: 'sgd', learningRate: 1e-2 });
    expect(() => registry.create('trainer', { kind: 'unsupervised', optimizer: { learningRate: 0.05 } })).toThrow(/trainer\.optimizer\.learningRate.*lr/);
    expect(() => registry.create('trainer', { kind: 'unsupervised', workers: 0 })).toThrow(/trainer\.workers/);
    expect(() => registry.create('trainer', { kind: 'unsupervised', epoch: 3 })).toThrow(/trainer\.epoch/);
    expect(() => registry.create('trainer', { kind: 'unsupervised', distance: 'l1' })).toThrow(/trainer\.distance/);
    expect(() => registry.create('trainer', { kind: 'supervised', distance: 'kl' }, 'pipeline.trainer')).toThrow(/pipeline\.trainer\.distance/);
    expect(() => registry.create('trainer', { kind: 'supervised', optimizer: { kind: 'sgd', momentum: 2 } })).toThrow(/trainer\.optimizer\.momentum/);
    expect(() => registry.create('trainer', { kind: 'supervised', earlyStopping: { patience: 0 } })).toThrow(/trainer\.earlyStopping\.patience/);
    expect(() => registry.create('trainer', { kind: 'ddpg' })).toThrow(/supervised, unsupervised/);
  });

  it('runs a registered trainer on a registered model', async () => {
    const model = registry.create('model', { kind: 'mlp', hidden: [8] })({ users: 3, pmax: 1, noise: 1, seed: 1 });
    const trainer = registry.create('trainer', { kind: 'supervised', epochs: 2, batch: 16, distance: 'l2', earlyStopping: { patience: 5 } });
    const { ctx, records } = trainerContext({ model, users: 3, train: 64, test: 32 });
    const result = await trainer.run(ctx);
    expect(result.status).toBe('completed');
    expect(records.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(records.map((r) => r.samples)).toEqual([0, 64, 128]);
    expect(records[2].pctReference).not.toBeNull();
    model.dispose();
  });
});

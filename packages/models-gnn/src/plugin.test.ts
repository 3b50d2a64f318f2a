import * as tf from '@tensorflow/tfjs';
import { Registry, ValidationError } from '@rrm/core';
import { describe, expect, it } from 'vitest';
import { gnnPlugin } from './plugin';
import { disposeInputs, randomBatch, toInputs } from './test-helpers';

describe('gnnPlugin', () => {
  const registry = new Registry().use(gnnPlugin);
  const ctx = { users: 4, pmax: 1, noise: 1, seed: 3 };

  it('registers gnn, wcgcn, uwgnn and uwmmse', () => {
    expect(registry.list('model').map((e) => e.name)).toEqual(['gnn', 'uwgnn', 'uwmmse', 'wcgcn']);
    for (const e of registry.list('model')) expect(e.description.length).toBeGreaterThan(10);
  });

  it.each(['gnn', 'wcgcn', 'uwgnn', 'uwmmse'])('builds a working %s from a config spec', (kind) => {
    const build = registry.create('model', { kind, layers: 2 });
    const model = build(ctx);
    expect(model.kind).toBe(kind);
    expect(model.options.layers).toBe(2);
    const inputs = toInputs(randomBatch(2, 4, 1), 1, 1);
    const p = model.apply(inputs);
    expect(p.shape).toEqual([2, 4]);
    tf.dispose(p);
    disposeInputs(inputs);
    model.dispose();
  });

  it('rejects unknown options and bad values at creation, naming the field', () => {
    const create = (spec: Record<string, unknown>) => () => registry.create('model', spec as { kind: string }, 'teacherless.model');
    expect(create({ kind: 'gnn', hiden: 8 })).toThrow(ValidationError);
    expect(create({ kind: 'gnn', hiden: 8 })).toThrow(/teacherless\.model\.hiden/);
    expect(create({ kind: 'gnn', aggregation: 'min' })).toThrow(/teacherless\.model\.aggregation: expected one of 'sum', 'mean', 'max'/);
    expect(create({ kind: 'gnn', message: [8, 0] })).toThrow(/teacherless\.model\.message\[1\]/);
    expect(create({ kind: 'gnn', message: [] })).toThrow(/teacherless\.model\.message/);
    expect(create({ kind: 'gnn', edges: 'sideways' })).toThrow(/\.edges/);
    expect(create({ kind: 'wcgcn', layers: 0 })).toThrow(/teacherless\.model\.layers/);
    expect(create({ kind: 'uwgnn', shareWeights: 'yes' })).toThrow(/teacherless\.model\.shareWeights/);
    expect(create({ kind: 'uwgnn', dim: 2.5 })).toThrow(/teacherless\.model\.dim/);
    expect(create({ kind: 'uwmmse', plainWmmse: 1 })).toThrow(/teacherless\.model\.plainWmmse/);
    expect(create({ kind: 'uwmmse', mu: 0 })).toThrow(/teacherless\.model\.mu/);
    expect(create({ kind: 'gnn', init: 'zeros' })).toThrow(/teacherless\.model\.init/);
  });

  it('records the resolved options (defaults filled in) on the model', () => {
    const model = registry.create('model', { kind: 'uwgnn' })(ctx);
    expect(model.options).toEqual({ layers: 3, dim: 4, message: 16, hidden: 8, shareWeights: true, init: 'glorot' });
    model.dispose();
  });
});

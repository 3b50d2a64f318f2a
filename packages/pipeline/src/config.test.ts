import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config';

describe('resolveConfig', () => {
  it('never writes into its inputs: one base resolves many runs (a sweep) without one run leaking into the next', () => {
    const base = { trainer: { kind: 'unsupervised', optimizer: { kind: 'adam', lr: 0.001, schedule: { kind: 'cosine' } } } };
    const before = structuredClone(base);
    const value = { kind: 'gnn' };
    const a = resolveConfig(base, [['model', value], ['model.layers', 5], ['trainer.optimizer.lr', 0.002], ['trainer.kind', 'supervised']]);
    expect(a.trainer).toMatchObject({ kind: 'supervised', optimizer: { lr: 0.002 } });
    expect(a.model).toEqual({ kind: 'gnn', layers: 5 });
    expect(base).toEqual(before);
    expect(value).toEqual({ kind: 'gnn' });
    const b = resolveConfig(base, [['model', value]]);
    expect(b.trainer).toMatchObject({ kind: 'unsupervised', optimizer: { lr: 0.001 } });
    expect(b.model).toEqual({ kind: 'gnn' });
  });
});

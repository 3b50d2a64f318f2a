import { describe, expect, it } from 'vitest';
import { Registry, ValidationError, type Teacher } from '@rrm/core';
import { wmmsePlugin } from '@rrm/teachers-wmmse';
import { fplinqPlugin } from './plugin';
import { fplinq } from './fplinq';
import { gaussianIC, maxAbsDiff, problemOf } from './test-utils';

describe('fplinqPlugin', () => {
  const registry = new Registry().use(fplinqPlugin);
  const problem = problemOf(gaussianIC(6, 5, 3));

  it('registers the fplinq teacher beside the wmmse plugin', () => {
    expect(registry.list('teacher').map((e) => e.name)).toEqual(['fplinq']);
    const both = new Registry().use(wmmsePlugin).use(fplinqPlugin);
    expect(both.list('teacher').map((e) => e.name)).toEqual(['binary', 'fplinq', 'full', 'random', 'wmmse']);
  });

  it('resolves options with defaults and solves like fplinq()', async () => {
    const t = registry.create('teacher', { kind: 'fplinq' }) as Teacher;
    expect(t.kind).toBe('fplinq');
    expect(t.options).toEqual({ iterations: 100, init: 'pmax', restarts: 1, seed: 0, mode: 'power', threshold: 0.5, workers: 'auto' });
    expect(maxAbsDiff(await t.solve(problem), fplinq(problem).powers)).toBe(0);
    const s = registry.create('teacher', { kind: 'fplinq', mode: 'schedule', threshold: 0.3, iterations: 30 }) as Teacher;
    expect(maxAbsDiff(await s.solve(problem), fplinq(problem, { mode: 'schedule', threshold: 0.3, iterations: 30 }).powers)).toBe(0);
  });

  it('rejects unknown keys and bad values with the field name', () => {
    expect(() => registry.create('teacher', { kind: 'fplinq', treshold: 0.5 })).toThrow(ValidationError);
    expect(() => registry.create('teacher', { kind: 'fplinq', treshold: 0.5 })).toThrow(/teacher\.treshold/);
    expect(() => registry.create('teacher', { kind: 'fplinq', mode: 'binary' })).toThrow(/teacher\.mode/);
    expect(() => registry.create('teacher', { kind: 'fplinq', threshold: -1 })).toThrow(/teacher\.threshold/);
    expect(() => registry.create('teacher', { kind: 'fplinq', iterations: 'many' })).toThrow(/teacher\.iterations/);
    expect(() => registry.create('teacher', { kind: 'fplinq', workers: 0 })).toThrow(/teacher\.workers/);
  });
});

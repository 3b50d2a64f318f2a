import { describe, expect, it } from 'vitest';
import { Registry, ValidationError, type Teacher } from '@rrm/core';
import { wmmsePlugin } from './plugin';
import { wmmse } from './wmmse';
import { binaryPower } from './baselines';
import { gaussianIC, maxAbsDiff, problemOf } from './test-utils';

describe('wmmsePlugin', () => {
  const registry = new Registry().use(wmmsePlugin);
  const problem = problemOf(gaussianIC(8, 5, 1));

  it('registers wmmse, full, random and binary teachers', () => {
    expect(registry.list('teacher').map((e) => e.name)).toEqual(['binary', 'full', 'random', 'wmmse']);
    expect(registry.usedPlugins()).toEqual(['@rrm/teachers-wmmse']);
  });

  it('resolves wmmse options with defaults and solves like wmmse()', async () => {
    const t = registry.create('teacher', { kind: 'wmmse' }) as Teacher;
    expect(t.kind).toBe('wmmse');
    expect(t.options).toEqual({ iterations: 100, init: 'pmax', restarts: 1, seed: 0, workers: 'auto' });
    expect(maxAbsDiff(await t.solve(problem), wmmse(problem).powers)).toBe(0);
    const t2 = registry.create('teacher', { kind: 'wmmse', iterations: 20, tolerance: 1e-4, init: 'random', restarts: 2, seed: 3, workers: 1 });
    expect(t2.options).toEqual({ iterations: 20, tolerance: 1e-4, init: 'random', restarts: 2, seed: 3, workers: 1 });
    expect(maxAbsDiff(await t2.solve(problem), wmmse(problem, { iterations: 20, tolerance: 1e-4, init: 'random', restarts: 2, seed: 3 }).powers)).toBe(0);
  });

  it('rejects unknown option keys and bad values, naming the field', () => {
    expect(() => registry.create('teacher', { kind: 'wmmse', iteratons: 5 })).toThrow(ValidationError);
    expect(() => registry.create('teacher', { kind: 'wmmse', iteratons: 5 })).toThrow(/teacher\.iteratons/);
    expect(() => registry.create('teacher', { kind: 'wmmse', iterations: 2.5 })).toThrow(/teacher\.iterations/);
    expect(() => registry.create('teacher', { kind: 'wmmse', init: 'zeros' })).toThrow(/teacher\.init/);
    expect(() => registry.create('teacher', { kind: 'wmmse', workers: 'all' })).toThrow(/teacher\.workers/);
    expect(() => registry.create('teacher', { kind: 'full', seed: 1 })).toThrow(/teacher\.seed/);
    expect(() => registry.create('teacher', { kind: 'random', seed: 'x' })).toThrow(/teacher\.seed/);
    expect(() => registry.create('teacher', { kind: 'wmmse', restarts: 0 }, 'pipeline.teacher')).toThrow(/pipeline\.teacher\.restarts/);
  });

  it("fails clearly when init: 'given' has no problem.init", async () => {
    const t = registry.create('teacher', { kind: 'wmmse', init: 'given' }) as Teacher;
    await expect(t.solve(problem)).rejects.toThrow(/problem\.init/);
  });

  it('full, random and binary teachers', async () => {
    const full = registry.create('teacher', 'full') as Teacher;
    expect(Array.from(await full.solve(problem))).toEqual(new Array(40).fill(1));
    const random = registry.create('teacher', { kind: 'random', seed: 4 }) as Teacher;
    expect(random.options).toEqual({ seed: 4 });
    const r = await random.solve(problem);
    expect(r.every((p) => p >= 0 && p <= 1)).toBe(true);
    const binary = registry.create('teacher', { kind: 'binary' }) as Teacher;
    expect(binary.options).toEqual({ workers: 'auto' });
    expect(maxAbsDiff(await binary.solve(problem), binaryPower(problem).powers)).toBe(0);
  });
});

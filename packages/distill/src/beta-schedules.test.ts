import { describe, expect, it } from 'vitest';
import { Registry, ValidationError } from '@rrm/core';
import { betaSchedule, cosineBeta, decreasingBeta, exponentialBeta, fixedBeta, increasingBeta, stepBeta } from './beta-schedules';
import { distillPlugin } from './plugin';
import type { TrainingProgress } from './progress';

/** Epoch e of 10, step s of 200 (20 steps per epoch). */
const at = (e: number, s = e * 20): TrainingProgress => ({ epoch: e, epochs: 10, step: s, steps: 200, fraction: s / 200 });

describe('β schedules (closed forms)', () => {
  it('fixed', () => {
    expect([0, 5, 9].map((e) => fixedBeta({ beta: 0.3 }).value(at(e)))).toEqual([0.3, 0.3, 0.3]);
    expect(fixedBeta().value(at(4))).toBe(1);
  });

  it('increasing: β0 + (β1 − β0)·t/T', () => {
    const s = increasingBeta({ beta0: 0.2, beta1: 1.2 });
    expect(s.value(at(0))).toBe(0.2);
    expect(s.value(at(5))).toBeCloseTo(0.7, 15);
    expect(s.value(at(9))).toBeCloseTo(1.1, 15);
    expect(s.value(at(10))).toBeCloseTo(1.2, 15);
    const steps = increasingBeta({ unit: 'step' });
    expect(steps.value(at(2, 50))).toBeCloseTo(0.25, 15);
    expect(increasingBeta().options).toEqual({ beta0: 0, beta1: 1, unit: 'epoch' });
  });

  it('decreasing: default 1 → 0', () => {
    const s = decreasingBeta();
    expect(s.options).toEqual({ beta0: 1, beta1: 0, unit: 'epoch' });
    expect([0, 2, 5, 10].map((e) => s.value(at(e)))).toEqual([1, 0.8, 0.5, 0].map((v) => expect.closeTo(v, 15)));
    expect(decreasingBeta({ beta0: 2, beta1: 1, unit: 'step' }).value(at(3, 150))).toBeCloseTo(1.25, 15);
  });

  it('exponential: β0·rate^t', () => {
    const s = exponentialBeta({ beta0: 2, rate: 0.5 });
    expect([0, 1, 3].map((e) => s.value(at(e)))).toEqual([2, 1, 0.25]);
    expect(exponentialBeta({ rate: 0.99, unit: 'step' }).value(at(3, 70))).toBeCloseTo(0.99 ** 70, 15);
  });

  it('cosine: β1 + (β0 − β1)(1 + cos(π t/T))/2', () => {
    const s = cosineBeta({ beta0: 1, beta1: 0.2 });
    expect(s.value(at(0))).toBeCloseTo(1, 15);
    expect(s.value(at(5))).toBeCloseTo(0.6, 15);
    expect(s.value(at(10))).toBeCloseTo(0.2, 15);
    expect(cosineBeta({ unit: 'step' }).value(at(1, 50))).toBeCloseTo((1 + Math.cos(Math.PI / 4)) / 2, 15);
  });

  it('step: β0·factor^⌊t/every⌋', () => {
    const s = stepBeta({ beta0: 1, factor: 0.1, every: 3 });
    expect([0, 2, 3, 6, 9].map((e) => s.value(at(e)))).toEqual([1, 1, 0.1, 0.1 ** 2, 0.1 ** 3].map((v) => expect.closeTo(v, 15)));
    expect(stepBeta({ every: 40, unit: 'step' }).value(at(2, 85))).toBe(0.25);
  });

  it('validation errors name distill.beta.<field>', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => fixedBeta({ beta: -1 }), /^distill\.beta\.beta:/],
      [() => increasingBeta({ beta0: 1, beta1: 0.5 }), /^distill\.beta\.beta1:/],
      [() => decreasingBeta({ beta0: 0, beta1: 1 }), /^distill\.beta\.beta1:/],
      [() => exponentialBeta({ rate: 2 }), /^distill\.beta\.rate:/],
      [() => stepBeta({ every: 0.5 }), /^distill\.beta\.every:/],
      [() => cosineBeta({ unit: 'batch' }), /^distill\.beta\.unit:/],
      [() => fixedBeta({ value: 1 }), /^distill\.beta\.value:/],
      [() => betaSchedule({ kind: 'sigmoid' }), /^distill\.beta\.kind:/],
    ];
    for (const [f, re] of cases) {
      expect(f).toThrow(ValidationError);
      expect(f).toThrow(re);
    }
  });

  it('registers as plugins of kind beta-schedule', () => {
    const registry = new Registry().use(distillPlugin);
    expect(registry.list('beta-schedule').map((e) => e.name)).toEqual(['cosine', 'decreasing', 'exponential', 'fixed', 'increasing', 'step']);
    expect(registry.create('beta-schedule', { kind: 'fixed', beta: 0.5 }).value(at(3))).toBe(0.5);
    expect(() => registry.create('beta-schedule', { kind: 'fixed', beta: -2 })).toThrow(/^distill\.beta\.beta:/);
    expect(() => registry.create('beta-schedule', { kind: 'step', every: 0 }, 'runs[2].distill.beta')).toThrow(/^runs\[2\]\.distill\.beta\.every:/);
    expect(() => registry.create('beta-schedule', { kind: 'linear' }, 'distill.beta')).toThrow(/distill\.beta\.kind.*cosine, decreasing/);
  });
});

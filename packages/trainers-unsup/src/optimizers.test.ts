import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainingProgress } from './loss';
import { createOptimizer, getLearningRate, learningRateAt, resolveOptimizer, resolveSchedule, setLearningRate } from './optimizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Progress at epoch e of 10, step s of 100 (10 steps per epoch). */
const at = (e: number, s = e * 10) => trainingProgress(e, 10, s, 100);

describe('learning-rate schedules', () => {
  it('constant', () => {
    const s = resolveSchedule('constant');
    expect([0, 3, 9].map((e) => learningRateAt(0.1, s, at(e)))).toEqual([0.1, 0.1, 0.1]);
  });

  it('exponential: lr0 · rate^t, t in epochs or steps', () => {
    const s = resolveSchedule({ kind: 'exponential', rate: 0.5 });
    expect(learningRateAt(0.1, s, at(0))).toBe(0.1);
    expect(learningRateAt(0.1, s, at(3, 35))).toBeCloseTo(0.1 * 0.125, 15);
    const steps = resolveSchedule({ kind: 'exponential', rate: 0.9, unit: 'step' });
    expect(learningRateAt(0.1, steps, at(3, 35))).toBeCloseTo(0.1 * 0.9 ** 35, 15);
  });

  it('step: lr0 · factor^floor(t / every)', () => {
    const s = resolveSchedule({ kind: 'step', every: 3, factor: 0.1 });
    expect([0, 2, 3, 5, 6, 9].map((e) => learningRateAt(1, s, at(e)))).toEqual([1, 1, 0.1, 0.1, 0.1 ** 2, 0.1 ** 3].map((v) => expect.closeTo(v, 12)));
  });

  it('cosine: min + (lr0 − min)(1 + cos(π t/T))/2', () => {
    const s = resolveSchedule({ kind: 'cosine', min: 0.01 });
    expect(learningRateAt(0.1, s, at(0))).toBeCloseTo(0.1, 15);
    expect(learningRateAt(0.1, s, at(5))).toBeCloseTo(0.055, 15);
    expect(learningRateAt(0.1, s, at(10))).toBeCloseTo(0.01, 15);
    const steps = resolveSchedule({ kind: 'cosine', unit: 'step' });
    expect(learningRateAt(0.1, steps, at(2, 25))).toBeCloseTo(0.05 * (1 + Math.cos(Math.PI / 4)), 15);
  });

  it('validates with field names', () => {
    expect(() => resolveSchedule({ kind: 'linear' } as never)).toThrow(/optimizer\.schedule\.kind/);
    expect(() => resolveSchedule({ kind: 'exponential', rate: 1.5 })).toThrow(/optimizer\.schedule\.rate/);
    expect(() => resolveSchedule({ kind: 'step', every: 0 })).toThrow(/optimizer\.schedule\.every/);
    expect(() => resolveSchedule({ kind: 'step', evry: 2 } as never)).toThrow(/optimizer\.schedule\.evry/);
  });
});

describe('optimizers', () => {
  it('resolves defaults per kind and rejects bad options', () => {
    expect(resolveOptimizer(undefined).kind).toBe('adam');
    expect(resolveOptimizer(undefined).learningRate).toBe(1e-3);
    expect(resolveOptimizer('sgd').learningRate).toBe(1e-2);
    expect(() => resolveOptimizer({ kind: 'adamw' } as never, 'trainer.optimizer')).toThrow(/trainer\.optimizer\.kind/);
    expect(() => resolveOptimizer({ kind: 'sgd', momentum: 1 })).toThrow(/optimizer\.momentum/);
    expect(() => resolveOptimizer({ kind: 'adam', learningRate: -1 })).toThrow(/optimizer\.learningRate/);
    expect(() => resolveOptimizer({ kind: 'adam', lr: 1 } as never)).toThrow(/optimizer\.lr/);
  });

  it('setting the learning rate takes effect on the next step (sgd, momentum, adam, rmsprop)', () => {
    const specs = [
      { kind: 'sgd' as const },
      { kind: 'sgd' as const, momentum: 0.9 },
      { kind: 'sgd' as const, momentum: 0.9, nesterov: true },
      { kind: 'adam' as const },
      { kind: 'rmsprop' as const },
      { kind: 'rmsprop' as const, momentum: 0.5, centered: true },
    ];
    for (const spec of specs) {
      // Reference: built with lr 0.05. Scheduled: built with lr 0.5, set to 0.05 before the first step.
      const run = (lr: number, setTo?: number) => {
        const x = tf.variable(tf.tensor1d([1, -2, 3]));
        const opt = createOptimizer(resolveOptimizer({ ...spec, learningRate: lr }));
        if (setTo !== undefined) setLearningRate(opt, setTo);
        const f = () => tf.sum(tf.mul(tf.square(x), tf.tensor1d([1, 2, 3]))) as tf.Scalar;
        for (let i = 0; i < 3; i++) tf.dispose(opt.minimize(f, true) ?? []);
        const v = Array.from(x.dataSync());
        if (setTo !== undefined) expect(getLearningRate(opt)).toBe(setTo);
        opt.dispose();
        x.dispose();
        return v;
      };
      const reference = run(0.05);
      expect(run(0.5, 0.05)).toEqual(reference);
      expect(run(0.5)).not.toEqual(reference);
    }
  });
});

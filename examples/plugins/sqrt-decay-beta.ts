/**
 * Example local plugin: a user-defined β schedule for algorithm distillation.
 *
 *   β(t) = β0 / sqrt(1 + t)      t = completed epochs (unit 'epoch', default) or optimiser steps ('step')
 *
 * A slow decay: the teacher guides early training strongly and keeps a little influence late, unlike
 * the built-in linear `decreasing` schedule that reaches 0.
 *
 * Use it from a config:
 *   plugins: ['./examples/plugins/sqrt-decay-beta.ts']
 *   distill: { beta: { kind: 'sqrt-decay', beta0: 2 } }
 * or from code:
 *   await loadLocalPlugin('./examples/plugins/sqrt-decay-beta.ts', registry);
 *   const schedule = registry.create('beta-schedule', { kind: 'sqrt-decay', beta0: 2 }, 'distill.beta');
 *
 * A plugin is one object with a `name` and a `register(registry)` function, exported as the default
 * export or as `plugin`. Options are validated in the factory (before any training starts), with
 * errors that name the config field (`ctx.field`, e.g. "distill.beta.beta0").
 */
import { rejectUnknownKeys, requireNonNegative, requireOneOf, type Plugin } from '@rrm/core';
import type { BetaSchedule, TrainingProgress } from '@rrm/distill';

export function sqrtDecay(options: Record<string, unknown>, field: string): BetaSchedule {
  rejectUnknownKeys(field, options, ['beta0', 'unit']);
  const beta0 = requireNonNegative(`${field}.beta0`, options.beta0 ?? 1);
  const unit = requireOneOf(`${field}.unit`, options.unit ?? 'epoch', ['epoch', 'step'] as const);
  return {
    kind: 'sqrt-decay',
    options: { beta0, unit },
    value: (p: TrainingProgress) => beta0 / Math.sqrt(1 + (unit === 'epoch' ? p.epoch : p.step)),
  };
}

export const plugin: Plugin = {
  name: 'example-sqrt-decay-beta',
  register(registry) {
    registry.add('beta-schedule', {
      name: 'sqrt-decay',
      description: 'β0 / sqrt(1 + t) (example local plugin)',
      create: (options, ctx) => sqrtDecay(options, ctx.field === 'beta-schedule' ? 'distill.beta' : ctx.field),
    });
  },
};

export default plugin;

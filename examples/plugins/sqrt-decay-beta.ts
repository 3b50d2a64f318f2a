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
 *   await loadLocalPlugins(['./examples/plugins/sqrt-decay-beta.ts'], registry);   // from @rrm/core
 *   const schedule = registry.create('beta-schedule', { kind: 'sqrt-decay', beta0: 2 }, 'distill.beta');
 *
 * A plugin is one object with a `name` and a `register(registry)` function, exported as the default
 * export or as `plugin`. Options are validated by the entry's schema in the factory (before any training
 * starts), with errors that name the config field (`ctx.field`, e.g. "distill.beta.beta0").
 */
import { nonNegative, parseOptions, strictOptions, z, type Plugin } from '@rrm/core';
import type { BetaSchedule, TrainingProgress } from '@rrm/distill';

const schema = strictOptions({ beta0: nonNegative().default(1), unit: z.enum(['epoch', 'step']).default('epoch') });

export function sqrtDecay(options: Record<string, unknown>, field: string): BetaSchedule {
  const o = parseOptions(schema, options, field);
  return {
    kind: 'sqrt-decay',
    options: o,
    value: (p: TrainingProgress) => o.beta0 / Math.sqrt(1 + (o.unit === 'epoch' ? p.epoch : p.step)),
  };
}

export const plugin: Plugin = {
  name: 'example-sqrt-decay-beta',
  register(registry) {
    registry.add('beta-schedule', {
      name: 'sqrt-decay',
      description: 'β0 / sqrt(1 + t) (example local plugin)',
      schema,
      create: (options, ctx) => sqrtDecay(options, ctx.field === 'beta-schedule' ? 'distill.beta' : ctx.field),
    });
  },
};

export default plugin;

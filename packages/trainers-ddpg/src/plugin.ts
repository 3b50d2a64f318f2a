import type { Plugin, Registry } from '@rrm/core';
import { trainDdpg, type DdpgResult, type DdpgRunOptions } from './ddpg';
import { resolveDdpgOptions, type DdpgConfig } from './options';

/**
 * The `rl-trainer` plugin kind: trainers of the RL pattern (an environment drawing fresh channels every
 * step), resolved from config options before any work and run later with what the pipeline built:
 *
 *   const trainer = registry.create('rl-trainer', { kind: 'ddpg', steps: 2000, gamma: 0 }, 'trainer');
 *   const result = await trainer.run({ actor, environment, test, distill, seed, onLog, signal });
 */
export interface RlTrainer {
  readonly kind: string;
  readonly pattern: 'environment';
  /** Resolved options (defaults filled in), for the run record. */
  readonly options: Readonly<DdpgConfig>;
  run(ctx: DdpgRunOptions): Promise<DdpgResult>;
}

declare module '@rrm/core' {
  interface PluginKinds {
    'rl-trainer': RlTrainer;
  }
}

export function ddpgTrainer(options: Record<string, unknown> = {}, field = 'trainer'): RlTrainer {
  const config = resolveDdpgOptions(options, field);
  return {
    kind: 'ddpg',
    pattern: 'environment',
    options: config,
    run: (ctx) => trainDdpg({ ...ctx, ...options, noise: config.noise, critic: config.critic }),
  };
}

/** Registers the `ddpg` rl-trainer. */
export const ddpgPlugin: Plugin = {
  name: '@rrm/trainers-ddpg',
  register(registry: Registry) {
    registry.add('rl-trainer', {
      name: 'ddpg',
      description: 'RL pattern: DDPG actor–critic on fresh channels (+ β·D with an AD teacher)',
      create: (options, ctx) => ddpgTrainer(options, ctx.field === 'rl-trainer' ? 'trainer' : ctx.field),
    });
  },
};

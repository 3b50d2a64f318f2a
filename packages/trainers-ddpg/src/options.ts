import { integer, nonNegative, parseOptions, positive, strictOptions, z } from '@rrm/core';
import { resolveCriticOptions, type CriticOptions } from './critic';
import { resolveNoiseOptions, type NoiseOptions } from './noise';

/**
 * The DDPG trainer's options as a config names them (`trainer: { kind: 'ddpg', ... }`): one schema gives
 * the type, the defaults and unknown-key rejection. `noise` and `critic` are checked by their own modules.
 */
export const ddpgSchema = strictOptions({
  /** Environment steps. */
  steps: integer(0).default(1000),
  /** Samples per environment step, B. */
  batch: integer(1).default(32),
  /** Transitions per gradient step, sampled from the replay buffer. */
  trainBatch: integer(1).default(64),
  /** Replay capacity in transitions. */
  buffer: integer(1).default(10_000),
  /** Exploration noise: 'gaussian' | 'ou' or { kind, scale, decay, min, schedule, theta }. */
  noise: z.union([z.string(), z.record(z.string(), z.unknown())]).default({}),
  /** Target-network rate τ in [0, 1]. */
  tau: nonNegative().max(1).default(0.005),
  /** Discount γ in [0, 1) (0: one-step bandit, target = reward). */
  gamma: nonNegative().lt(1).default(0),
  actorLr: positive().default(1e-3),
  criticLr: positive().default(1e-3),
  /** Clip each network's gradient by its global norm (0 = off). */
  clipNorm: nonNegative().default(10),
  /** Evaluate on the test set every this many environment steps. */
  logEvery: integer(1).default(100),
  /** Environment steps with uniformly random actions and no learning. */
  warmup: integer(0).default(10),
  /** Gradient steps per environment step after warm-up. */
  updatesPerStep: integer(1).default(1),
  /** Steps per episode. */
  episodeLength: integer(1).default(1),
  /** Critic: { kind: 'auto' | 'mlp' | 'graph', hidden: [...] }. */
  critic: z.record(z.string(), z.unknown()).default({}),
  unit: z.enum(['bits', 'nats']).default('bits'),
  evalBatchSize: integer(1).default(1024),
  /** Receiver mobility between the steps of an episode (d2d channels): { std, coverage?, direct? }. */
  mobility: z.record(z.string(), z.unknown()).optional(),
});

export type DdpgConfig = Omit<z.output<typeof ddpgSchema>, 'noise' | 'critic'> & { readonly noise: NoiseOptions; readonly critic: CriticOptions };

export const DDPG_OPTION_KEYS = Object.keys(ddpgSchema.in.shape).filter((k) => k !== 'kind') as (keyof DdpgConfig)[];
export const DDPG_DEFAULTS: Omit<DdpgConfig, 'noise' | 'critic' | 'mobility'> = (({ noise: _n, critic: _c, mobility: _m, ...d }) => d)(parseOptions(ddpgSchema, {}, 'trainer'));

/** Validates the DDPG options (unknown keys rejected, defaults filled in); errors name `field.<option>`. */
export function resolveDdpgOptions(options: Record<string, unknown> = {}, field = 'trainer'): DdpgConfig {
  const o = parseOptions(ddpgSchema, options, field);
  return { ...o, noise: resolveNoiseOptions(o.noise, `${field}.noise`), critic: resolveCriticOptions(o.critic, `${field}.critic`) };
}

import { ValidationError, rejectUnknownKeys, requireInteger, requireNonNegative, requireOneOf, requirePositive, type RateUnit } from '@rrm/core';
import { resolveCriticOptions, type CriticOptions } from './critic';
import { resolveNoiseOptions, type NoiseOptions } from './noise';

/** The DDPG trainer's options, as a config names them (`trainer: { kind: 'ddpg', ... }`), resolved. */
export interface DdpgConfig {
  /** Environment steps (default 1000). */
  readonly steps: number;
  /** Samples per environment step, B (default 32). */
  readonly batch: number;
  /** Transitions per gradient step, sampled from the replay buffer (default 64). */
  readonly trainBatch: number;
  /** Replay capacity in transitions (default 10 000). */
  readonly buffer: number;
  readonly noise: NoiseOptions;
  /** Target-network rate τ (default 0.005). */
  readonly tau: number;
  /** Discount γ in [0, 1) (default 0: one-step bandit, target = reward). */
  readonly gamma: number;
  readonly actorLr: number;
  readonly criticLr: number;
  /** Clip each network's gradient by its global norm (default 10; 0 = off). */
  readonly clipNorm: number;
  /** Evaluate on the test set every this many environment steps (default 100). */
  readonly logEvery: number;
  /** Environment steps with uniformly random actions and no learning (default 10). */
  readonly warmup: number;
  /** Gradient steps per environment step after warm-up (default 1). */
  readonly updatesPerStep: number;
  /** Steps per episode (default 1). */
  readonly episodeLength: number;
  readonly critic: CriticOptions;
  readonly unit: RateUnit;
  readonly evalBatchSize: number;
}

export const DDPG_DEFAULTS: Omit<DdpgConfig, 'noise' | 'critic'> = {
  steps: 1000,
  batch: 32,
  trainBatch: 64,
  buffer: 10_000,
  tau: 0.005,
  gamma: 0,
  actorLr: 1e-3,
  criticLr: 1e-3,
  clipNorm: 10,
  logEvery: 100,
  warmup: 10,
  updatesPerStep: 1,
  episodeLength: 1,
  unit: 'bits',
  evalBatchSize: 1024,
};

export const DDPG_OPTION_KEYS = [
  'steps',
  'batch',
  'trainBatch',
  'buffer',
  'noise',
  'tau',
  'gamma',
  'actorLr',
  'criticLr',
  'clipNorm',
  'logEvery',
  'warmup',
  'updatesPerStep',
  'episodeLength',
  'critic',
  'unit',
  'evalBatchSize',
] as const;

/** Validates the DDPG options (unknown keys rejected, defaults filled in); errors name `field.<option>`. */
export function resolveDdpgOptions(options: Record<string, unknown> = {}, field = 'trainer'): DdpgConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ValidationError(field, 'an object of DDPG options', options);
  rejectUnknownKeys(field, options, DDPG_OPTION_KEYS);
  const d = DDPG_DEFAULTS;
  const o = options;
  const tau = requireNonNegative(`${field}.tau`, o.tau ?? d.tau);
  if (tau > 1) throw new ValidationError(`${field}.tau`, 'a rate in [0, 1]', tau);
  const gamma = requireNonNegative(`${field}.gamma`, o.gamma ?? d.gamma);
  if (gamma >= 1) throw new ValidationError(`${field}.gamma`, 'a discount in [0, 1)', gamma);
  return {
    steps: requireInteger(`${field}.steps`, o.steps ?? d.steps, 0),
    batch: requireInteger(`${field}.batch`, o.batch ?? d.batch, 1),
    trainBatch: requireInteger(`${field}.trainBatch`, o.trainBatch ?? d.trainBatch, 1),
    buffer: requireInteger(`${field}.buffer`, o.buffer ?? d.buffer, 1),
    noise: resolveNoiseOptions(o.noise ?? {}, `${field}.noise`),
    tau,
    gamma,
    actorLr: requirePositive(`${field}.actorLr`, o.actorLr ?? d.actorLr),
    criticLr: requirePositive(`${field}.criticLr`, o.criticLr ?? d.criticLr),
    clipNorm: requireNonNegative(`${field}.clipNorm`, o.clipNorm ?? d.clipNorm),
    logEvery: requireInteger(`${field}.logEvery`, o.logEvery ?? d.logEvery, 1),
    warmup: requireInteger(`${field}.warmup`, o.warmup ?? d.warmup, 0),
    updatesPerStep: requireInteger(`${field}.updatesPerStep`, o.updatesPerStep ?? d.updatesPerStep, 1),
    episodeLength: requireInteger(`${field}.episodeLength`, o.episodeLength ?? d.episodeLength, 1),
    critic: resolveCriticOptions(o.critic ?? {}, `${field}.critic`),
    unit: requireOneOf(`${field}.unit`, o.unit ?? d.unit, ['bits', 'nats'] as const),
    evalBatchSize: requireInteger(`${field}.evalBatchSize`, o.evalBatchSize ?? d.evalBatchSize, 1),
  };
}

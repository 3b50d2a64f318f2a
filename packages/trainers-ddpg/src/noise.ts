import { ValidationError, rejectUnknownKeys, requireNonNegative, requireOneOf, requirePositive, type Rng } from '@rrm/core';

/**
 * Exploration noise for a deterministic policy (Lillicrap et al. 2016, §3: μ'(s) = μ(s) + N): actions
 * a = clip(μ(s) + σ_t · pmax · n, 0, pmax), with n either
 * - `gaussian`: i.i.d. N(0, 1) per link and step, or
 * - `ou`: an Ornstein–Uhlenbeck process per (sample, link), discretised with dt = 1:
 *     x_{t+1} = x_t + θ (μ − x_t) + N(0, 1)       (θ default 0.15, μ = 0, x_0 = 0; DDPG's choice),
 *   whose mean is E[x_n] = μ + (x_0 − μ)(1 − θ)^n.
 * The scale decays with the environment step t:
 * - `exponential` (default): σ_t = max(min, scale · decay^t)
 * - `linear`:               σ_t = max(min, scale − decay · t)
 * Scales are relative to pmax (scale 0.1 = a standard deviation of 10 % of pmax).
 */
export type NoiseKind = 'gaussian' | 'ou';
export const NOISE_KINDS: readonly NoiseKind[] = ['gaussian', 'ou'];
export type NoiseDecay = 'exponential' | 'linear';
export const NOISE_DECAYS: readonly NoiseDecay[] = ['exponential', 'linear'];

export interface NoiseOptions {
  readonly kind: NoiseKind;
  readonly scale: number;
  /** Exponential: factor per step in (0, 1]; linear: decrement per step (≥ 0). */
  readonly decay: number;
  /** Floor of the scale. */
  readonly min: number;
  readonly schedule: NoiseDecay;
  /** OU mean-reversion rate θ in (0, 1] (ignored for gaussian). */
  readonly theta: number;
}

export const NOISE_DEFAULTS: NoiseOptions = { kind: 'gaussian', scale: 0.2, decay: 0.995, min: 0.02, schedule: 'exponential', theta: 0.15 };

/** Validates `{ kind, scale, decay, min, schedule, theta }`; errors name `field.<option>`. */
export function resolveNoiseOptions(spec: unknown = {}, field = 'trainer.noise'): NoiseOptions {
  const s = typeof spec === 'string' ? { kind: spec } : spec;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new ValidationError(field, `'gaussian', 'ou' or { kind, scale, decay, min }`, s);
  const o = s as Record<string, unknown>;
  rejectUnknownKeys(field, o, ['scale', 'decay', 'min', 'schedule', 'theta']);
  const kind = requireOneOf(`${field}.kind`, o.kind ?? NOISE_DEFAULTS.kind, NOISE_KINDS);
  const scale = requireNonNegative(`${field}.scale`, o.scale ?? NOISE_DEFAULTS.scale);
  const schedule = requireOneOf(`${field}.schedule`, o.schedule ?? NOISE_DEFAULTS.schedule, NOISE_DECAYS);
  const decay = requireNonNegative(`${field}.decay`, o.decay ?? (schedule === 'linear' ? 0 : NOISE_DEFAULTS.decay));
  if (schedule === 'exponential' && !(decay > 0 && decay <= 1)) throw new ValidationError(`${field}.decay`, 'a factor per step in (0, 1]', decay);
  const min = requireNonNegative(`${field}.min`, o.min ?? Math.min(NOISE_DEFAULTS.min, scale));
  if (min > scale) throw new ValidationError(`${field}.min`, `a floor <= scale (${scale})`, min);
  const theta = requirePositive(`${field}.theta`, o.theta ?? NOISE_DEFAULTS.theta);
  if (theta > 1) throw new ValidationError(`${field}.theta`, 'a mean-reversion rate in (0, 1]', theta);
  return { kind, scale, decay, min, schedule, theta };
}

/** σ_t of the schedule (relative to pmax). */
export function noiseScale(opts: Pick<NoiseOptions, 'scale' | 'decay' | 'min' | 'schedule'>, step: number): number {
  const raw = opts.schedule === 'linear' ? opts.scale - opts.decay * step : opts.scale * opts.decay ** step;
  return Math.max(opts.min, raw);
}

/** Ornstein–Uhlenbeck state, one value per (sample, link). */
export class OrnsteinUhlenbeck {
  readonly state: Float64Array;
  constructor(
    size: number,
    readonly theta: number,
    readonly mu = 0,
    readonly sigma = 1,
    x0 = 0,
  ) {
    this.state = new Float64Array(size).fill(x0);
  }

  /** x ← x + θ(μ − x) + σ·N(0, 1); returns the new state. */
  step(rng: Rng): Float64Array {
    const x = this.state;
    for (let n = 0; n < x.length; n++) x[n] += this.theta * (this.mu - x[n]) + this.sigma * rng.normal();
    return x;
  }

  reset(x0 = 0): void {
    this.state.fill(x0);
  }
}

export interface ExplorationNoise {
  readonly options: NoiseOptions;
  /** clip(actions + σ_step · pmax · n, 0, pmax), as a new array. */
  perturb(actions: ArrayLike<number>, step: number, pmax: number, rng: Rng): Float64Array;
  reset(): void;
}

export function createNoise(options: NoiseOptions): ExplorationNoise {
  let ou: OrnsteinUhlenbeck | undefined;
  return {
    options,
    perturb(actions, step, pmax, rng) {
      const sigma = noiseScale(options, step) * pmax;
      const out = new Float64Array(actions.length);
      let n: ArrayLike<number> | undefined;
      if (options.kind === 'ou') {
        if (!ou || ou.state.length !== actions.length) ou = new OrnsteinUhlenbeck(actions.length, options.theta);
        n = ou.step(rng);
      }
      for (let i = 0; i < out.length; i++) {
        const e = n ? n[i] : rng.normal();
        out[i] = Math.min(pmax, Math.max(0, actions[i] + sigma * e));
      }
      return out;
    },
    reset() {
      ou?.reset();
    },
  };
}

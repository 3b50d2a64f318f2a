import {
  ValidationError,
  modelInputs,
  checkWeights,
  requireInteger,
  requirePositive,
  resolveWeights,
  sumRates,
  type ChannelBatch,
  type ChannelModel,
  type ModelInputs,
  type RateUnit,
  type Rng,
} from '@rrm/core';

/**
 * The RL pattern of the AD paper (its DDPG part): an environment that presents a batch of channel
 * states, takes a power vector per state as the action and pays the weighted sum rate as the reward.
 *
 * - state s_t: a ChannelBatch [B, K, K] (rx-tx power gains) and the link weights λ [B, K];
 * - action a_t: powers [B, K] in [0, pmax];
 * - reward r_t: Σ_i λ_i log(1 + SINR_i(a_t))   per sample, exact Float64 (core `sumRates`).
 *
 * Every episode starts from a fresh batch drawn from the channel model (seeded Rng stream). With
 * `episodeLength` = 1 (default) every step is a one-step bandit episode, as in the paper. For longer
 * episodes the next state is `evolve(state, rng)` (e.g. receivers moving: @rrm/channels moveReceivers),
 * or, without `evolve`, another fresh draw; the transition's `done` marks the last step of an episode.
 */
export type EvolveFn = (channels: ChannelBatch, rng: Rng) => ChannelBatch;

export interface EnvironmentOptions {
  readonly channel: ChannelModel;
  readonly users: number;
  /** Samples per environment step (B). */
  readonly batch: number;
  readonly noise: number;
  readonly pmax: number;
  /** The environment's own stream (channel draws and evolution). */
  readonly rng: Rng;
  /** Length-K weights for every sample (per-sample weights may come on the channels). Default all 1. */
  readonly weights?: Float64Array;
  readonly evolve?: EvolveFn;
  /** Steps per episode (default 1: the one-step bandit of the paper). */
  readonly episodeLength?: number;
  readonly unit?: RateUnit;
}

export interface Transition {
  readonly state: ChannelBatch;
  /** λ [B, K] of the state. */
  readonly weights: Float64Array;
  readonly actions: Float64Array;
  readonly rewards: Float64Array;
  /** The successor state (the first state of the next episode when `done`). */
  readonly next: ChannelBatch;
  readonly nextWeights: Float64Array;
  /** True at the last step of an episode: no bootstrapping from `next`. */
  readonly done: boolean;
}

export class PowerControlEnvironment {
  readonly users: number;
  readonly batch: number;
  readonly noise: number;
  readonly pmax: number;
  readonly episodeLength: number;
  private readonly opts: EnvironmentOptions;
  private current: ChannelBatch;
  private t = 0;

  constructor(opts: EnvironmentOptions) {
    this.opts = opts;
    this.users = requireInteger('environment.users', opts.users, 1);
    this.batch = requireInteger('environment.batch', opts.batch, 1);
    this.noise = requirePositive('environment.noise', opts.noise);
    this.pmax = requirePositive('environment.pmax', opts.pmax);
    this.episodeLength = requireInteger('environment.episodeLength', opts.episodeLength ?? 1, 1);
    if (opts.weights) checkWeights('environment.weights', opts.weights, 1, this.users);
    this.current = this.fresh();
  }

  /** The state the next action applies to. */
  state(): ChannelBatch {
    return this.current;
  }

  /** Step within the current episode (0-based). */
  get episodeStep(): number {
    return this.t;
  }

  /** λ [B, K] of a batch (its own weights, else the environment's, else 1). */
  weightsOf(channels: ChannelBatch): Float64Array {
    return resolveWeights(channels, this.opts.weights);
  }

  /** Per-sample weighted sum rate of `powers` [B, K] on `channels` (Float64). */
  reward(channels: ChannelBatch, powers: ArrayLike<number>): Float64Array {
    return sumRates(channels, powers, { noise: this.noise, weights: this.opts.weights, unit: this.opts.unit });
  }

  /** Applies the action to the current state, pays the reward and moves to the next state. */
  step(actions: Float64Array): Transition {
    const state = this.current;
    if (actions.length !== state.batch * this.users) {
      throw new ValidationError('environment action', `powers [${state.batch}, ${this.users}]`, actions);
    }
    const rewards = this.reward(state, actions);
    this.t += 1;
    const done = this.t >= this.episodeLength;
    let next: ChannelBatch;
    if (done) {
      this.t = 0;
      next = this.fresh();
    } else {
      next = this.opts.evolve ? this.opts.evolve(state, this.opts.rng) : this.fresh();
      if (next.batch !== state.batch || next.users !== this.users) {
        throw new ValidationError('environment.evolve', `a batch of shape [${state.batch}, ${this.users}, ${this.users}]`, `[${next.batch}, ${next.users}, ${next.users}]`);
      }
    }
    this.current = next;
    return { state, weights: this.weightsOf(state), actions, rewards, next, nextWeights: this.weightsOf(next), done };
  }

  private fresh(): ChannelBatch {
    const ch = this.opts.channel.generate({ batch: this.batch, users: this.users, rng: this.opts.rng });
    if (ch.users !== this.users || ch.batch !== this.batch) {
      throw new ValidationError('environment.channel', `batches of shape [${this.batch}, ${this.users}, ${this.users}]`, `[${ch.batch}, ${ch.users}, ${ch.users}]`);
    }
    return ch;
  }
}

/** Model inputs from flat arrays (gains [B, K, K] rx-tx, weights [B, K]), through core `modelInputs`. */
export function inputsFromArrays(
  gains: ArrayLike<number>,
  weights: ArrayLike<number>,
  batch: number,
  users: number,
  opts: { noise: number; pmax: number },
): ModelInputs {
  return modelInputs({ batch, users, gains, weights }, opts);
}

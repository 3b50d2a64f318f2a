import { requireInteger, ValidationError, type Rng } from '@rrm/core';

/**
 * Experience replay (Lillicrap et al. 2016, DDPG, Alg. 1; Mnih et al. 2015): a ring buffer of single
 * transitions (one sample of an environment batch each). Once full, the oldest transition is
 * overwritten first. Sampling draws indices uniformly with replacement from the caller's Rng, so a
 * seeded stream gives the same mini-batches.
 *
 * Stored per transition: gains [K, K] (float32), weights λ [K], action [K], reward, and, when built
 * with `next: true` (γ > 0), the successor's gains and weights and the `done` flag. Teacher powers [K]
 * (for the AD term) are stored when built with `labels: true`.
 */
export interface ReplayBufferOptions {
  readonly capacity: number;
  readonly users: number;
  readonly next?: boolean;
  readonly labels?: boolean;
}

export interface ReplayBatch {
  readonly size: number;
  /** Buffer slots the rows were drawn from. */
  readonly indices: Int32Array;
  readonly gains: Float32Array;
  readonly weights: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float64Array;
  readonly nextGains?: Float32Array;
  readonly nextWeights?: Float32Array;
  /** 1 where the transition ended its episode. */
  readonly done?: Uint8Array;
  readonly labels?: Float32Array;
}

export interface PushBatch {
  readonly batch: number;
  readonly gains: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
  readonly actions: ArrayLike<number>;
  readonly rewards: ArrayLike<number>;
  readonly nextGains?: ArrayLike<number>;
  readonly nextWeights?: ArrayLike<number>;
  readonly done?: boolean;
  readonly labels?: ArrayLike<number>;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly users: number;
  readonly hasNext: boolean;
  readonly hasLabels: boolean;
  private readonly gains: Float32Array;
  private readonly weights: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float64Array;
  private readonly nextGains?: Float32Array;
  private readonly nextWeights?: Float32Array;
  private readonly done?: Uint8Array;
  private readonly labels?: Float32Array;
  private head = 0;
  private count = 0;
  private pushed = 0;

  constructor(opts: ReplayBufferOptions) {
    this.capacity = requireInteger('trainer.buffer', opts.capacity, 1);
    this.users = requireInteger('replay buffer users', opts.users, 1);
    const k = this.users;
    const c = this.capacity;
    this.hasNext = opts.next ?? false;
    this.hasLabels = opts.labels ?? false;
    this.gains = new Float32Array(c * k * k);
    this.weights = new Float32Array(c * k);
    this.actions = new Float32Array(c * k);
    this.rewards = new Float64Array(c);
    if (this.hasNext) {
      this.nextGains = new Float32Array(c * k * k);
      this.nextWeights = new Float32Array(c * k);
      this.done = new Uint8Array(c);
    }
    if (this.hasLabels) this.labels = new Float32Array(c * k);
  }

  /** Transitions held (≤ capacity). */
  get size(): number {
    return this.count;
  }

  /** Transitions ever pushed. */
  get total(): number {
    return this.pushed;
  }

  /** Appends one transition; overwrites the oldest once full. Returns the slot written. */
  push(t: { gains: ArrayLike<number>; weights: ArrayLike<number>; action: ArrayLike<number>; reward: number; nextGains?: ArrayLike<number>; nextWeights?: ArrayLike<number>; done?: boolean; label?: ArrayLike<number> }): number {
    return this.pushBatch({
      batch: 1,
      gains: t.gains,
      weights: t.weights,
      actions: t.action,
      rewards: [t.reward],
      nextGains: t.nextGains,
      nextWeights: t.nextWeights,
      done: t.done,
      labels: t.label,
    });
  }

  /** Appends the B transitions of an environment step (row-major [B, …] arrays). Returns the last slot. */
  pushBatch(t: PushBatch): number {
    const k = this.users;
    const kk = k * k;
    const n = t.batch;
    check('gains', t.gains, n * kk);
    check('weights', t.weights, n * k);
    check('actions', t.actions, n * k);
    check('rewards', t.rewards, n);
    if (this.hasNext) {
      if (!t.nextGains || !t.nextWeights) throw new ValidationError('replay buffer next', 'next gains and weights (buffer built with next: true)');
      check('nextGains', t.nextGains, n * kk);
      check('nextWeights', t.nextWeights, n * k);
    }
    if (this.hasLabels) {
      if (!t.labels) throw new ValidationError('replay buffer labels', 'teacher powers (buffer built with labels: true)');
      check('labels', t.labels, n * k);
    }
    let slot = -1;
    for (let b = 0; b < n; b++) {
      slot = this.head;
      copy(this.gains, slot * kk, t.gains, b * kk, kk);
      copy(this.weights, slot * k, t.weights, b * k, k);
      copy(this.actions, slot * k, t.actions, b * k, k);
      this.rewards[slot] = t.rewards[b];
      if (this.nextGains && this.nextWeights && this.done) {
        copy(this.nextGains, slot * kk, t.nextGains!, b * kk, kk);
        copy(this.nextWeights, slot * k, t.nextWeights!, b * k, k);
        this.done[slot] = t.done ? 1 : 0;
      }
      if (this.labels) copy(this.labels, slot * k, t.labels!, b * k, k);
      this.head = (this.head + 1) % this.capacity;
      this.count = Math.min(this.count + 1, this.capacity);
      this.pushed += 1;
    }
    return slot;
  }

  /** Reward stored in a slot (for tests and inspection). */
  rewardAt(slot: number): number {
    return this.rewards[slot];
  }

  /** `size` transitions drawn uniformly with replacement, indices from `rng`. */
  sample(size: number, rng: Rng): ReplayBatch {
    requireInteger('trainer.trainBatch', size, 1);
    if (this.count === 0) throw new Error('replay buffer: cannot sample from an empty buffer');
    const indices = new Int32Array(size);
    for (let n = 0; n < size; n++) indices[n] = rng.int(this.count);
    return this.gather(indices);
  }

  /** The transitions in the given slots, copied into fresh typed arrays. */
  gather(indices: Int32Array): ReplayBatch {
    const k = this.users;
    const kk = k * k;
    const n = indices.length;
    const gains = new Float32Array(n * kk);
    const weights = new Float32Array(n * k);
    const actions = new Float32Array(n * k);
    const rewards = new Float64Array(n);
    const nextGains = this.nextGains ? new Float32Array(n * kk) : undefined;
    const nextWeights = this.nextWeights ? new Float32Array(n * k) : undefined;
    const done = this.done ? new Uint8Array(n) : undefined;
    const labels = this.labels ? new Float32Array(n * k) : undefined;
    for (let r = 0; r < n; r++) {
      const s = indices[r];
      if (!(s >= 0 && s < this.count)) throw new RangeError(`replay buffer: slot ${s} outside [0, ${this.count})`);
      gains.set(this.gains.subarray(s * kk, (s + 1) * kk), r * kk);
      weights.set(this.weights.subarray(s * k, (s + 1) * k), r * k);
      actions.set(this.actions.subarray(s * k, (s + 1) * k), r * k);
      rewards[r] = this.rewards[s];
      if (nextGains && nextWeights && done) {
        nextGains.set(this.nextGains!.subarray(s * kk, (s + 1) * kk), r * kk);
        nextWeights.set(this.nextWeights!.subarray(s * k, (s + 1) * k), r * k);
        done[r] = this.done![s];
      }
      if (labels) labels.set(this.labels!.subarray(s * k, (s + 1) * k), r * k);
    }
    return { size: n, indices: Int32Array.from(indices), gains, weights, actions, rewards, nextGains, nextWeights, done, labels };
  }
}

function check(name: string, a: ArrayLike<number>, expected: number): void {
  if (a.length !== expected) throw new ValidationError(`replay buffer ${name}`, `${expected} values`, a.length);
}

function copy(dst: Float32Array, at: number, src: ArrayLike<number>, from: number, n: number): void {
  for (let i = 0; i < n; i++) dst[at + i] = src[from + i];
}

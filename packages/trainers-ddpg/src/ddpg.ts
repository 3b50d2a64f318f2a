import * as tf from '@tensorflow/tfjs';
import {
  ValidationError,
  disposeInputs,
  predictPowers,
  streams,
  yieldToEventLoop,
  sumRates,
  type ChannelBatch,
  type ChannelModel,
  type ModelBuilder,
  type ModelInputs,
  type PowerModel,
  type Teacher,
  type DistillService,
  type TrainingProgress,
} from '@rrm/core';
import { createCritic, criticLike, type Critic } from './critic';
import { PowerControlEnvironment, inputsFromArrays, type EvolveFn } from './environment';
import { createNoise, noiseScale } from './noise';
import { DDPG_OPTION_KEYS, resolveDdpgOptions, type DdpgConfig } from './options';
import { ReplayBuffer, type ReplayBatch } from './replay-buffer';
import { copyNamedWeights, hardUpdate, softUpdate } from './soft-update';

/**
 * DDPG (Lillicrap et al., "Continuous control with deep reinforcement learning", ICLR 2016, Alg. 1)
 * for power control, with the algorithm-distillation term of the AD paper's RL part:
 *
 *   critic:  min_φ  (1/N) Σ (V_φ(a | h) − y)²,   y = r + γ (1 − done) V_φ'(μ_θ'(h') | h')   (y = r when γ = 0)
 *   actor:   min_θ  −(1/N) Σ V_φ(μ_θ(h) | h) + β(t) · D(μ_θ(h), p_teacher(h))
 *   targets: θ' ← τθ + (1 − τ)θ',  φ' ← τφ + (1 − τ)φ'      (only when γ > 0)
 *
 * Each environment step draws a fresh batch of channels (environment.ts), acts with the actor plus
 * exploration noise (uniform random actions during warm-up), pays the Float64 weighted sum rate, and
 * stores the B transitions (and, with AD, the teacher's powers on those channels) in the replay buffer.
 * After warm-up, every step runs `updatesPerStep` critic + actor updates on mini-batches from the buffer
 * (Adam with separate learning rates; gradients clipped by global norm). The TD targets are computed
 * outside the gradient closures (tfjs has no stopGradient), as are the teacher labels.
 *
 * With β = 0 (or no `distill`) this is plain DDPG: the AD term is skipped entirely, so the run is
 * identical to one without it. Progress for β(t) counts environment steps: both `step`/`steps` and
 * `epoch`/`epochs` are the environment step and the total, so 'epoch'- and 'step'-unit schedules agree.
 */
export interface DdpgEnvironmentSpec {
  readonly channel: ChannelModel;
  readonly users: number;
  /** Noise power σ². */
  readonly noise: number;
  readonly pmax: number;
  /** Length-K link weights λ (default all 1; per-sample weights may come on the channels). */
  readonly weights?: Float64Array;
  /** Channel evolution between the steps of an episode (mobility); see `episodeLength`. */
  readonly evolve?: EvolveFn;
}

export interface DdpgTestSet {
  readonly channels: ChannelBatch;
  /** Reference (e.g. WMMSE) weighted sum rate per test sample, for `pctReference`. */
  readonly reference?: Float64Array;
}

/** The AD term: teacher powers on every fresh environment batch, weighted by β(t) with distance D. */
export interface DdpgDistill extends Pick<DistillService, 'schedule' | 'distance'> {
  readonly teacher: Teacher;
}

export interface DdpgLogRecord {
  /** Environment steps completed. */
  readonly step: number;
  /** Environment samples drawn so far (step · batch). */
  readonly samples: number;
  /** Mean weighted sum rate of the actor (no noise) on the fixed test set (Float64). */
  readonly testSumRate: number;
  /** 100 · testSumRate / mean reference on the test set; null without a reference. */
  readonly pctReference: number | null;
  /** Mean critic / actor loss over the updates since the previous record; null when there were none. */
  readonly criticLoss: number | null;
  readonly actorLoss: number | null;
  /** Mean D(μ(h), p_teacher) over those updates; null without an AD term. */
  readonly distillLoss: number | null;
  /** β(t) at the last step (0 without an AD term). */
  readonly beta: number;
  /** Exploration scale σ_t (relative to pmax) at the last step. */
  readonly noiseScale: number;
  readonly wallSeconds: number;
}

export interface DdpgRunOptions {
  /** The policy μ_θ: any PowerModel. */
  readonly actor: PowerModel;
  /** Builds the target actor μ_θ' (same architecture, then copied from the actor); needed when γ > 0. */
  readonly actorBuilder?: ModelBuilder;
  /** A prebuilt critic (default: built from `critic` options with the run seed). */
  readonly criticModel?: Critic;
  readonly environment: DdpgEnvironmentSpec;
  readonly test: DdpgTestSet;
  /** Solved once on the test channels when `test.reference` is absent. */
  readonly referenceTeacher?: Teacher;
  readonly distill?: DdpgDistill;
  /** Root seed (default 0): streams 'env', 'noise', 'replay', 'warmup', 'fit', 'critic', 'target'. */
  readonly seed?: number;
  /** Fit the actor's input statistics (e.g. MLP standardisation) on one draw of channels first. Default true. */
  readonly fitActor?: boolean;
  /** Called after every evaluation (awaited); `checkpoint()` gives the state to continue from this step. */
  readonly onLog?: (record: DdpgLogRecord, checkpoint: () => Promise<DdpgCheckpoint>) => void | Promise<void>;
  readonly signal?: AbortSignal;
  /**
   * Continue from a checkpoint (the actor already holds its weights): critic, target networks and both
   * optimizers are restored; the replay buffer is re-warmed (refilled by the restored policy before updates
   * resume) and the environment, noise and replay streams restart from streams named after the step, so a
   * resumed run is a valid continuation but not bit-identical to an uninterrupted one.
   */
  readonly resume?: DdpgCheckpoint;
}

export interface DdpgCheckpoint {
  readonly step: number;
  /** critic/…, targetCritic/…, targetActor/…, actorOpt/…, criticOpt/… (optimizer weights keep their order). */
  readonly tensors: Readonly<Record<string, tf.Tensor>>;
}

/** Everything trainDdpg takes: the run context plus the config options (raw, validated here). */
export type DdpgOptions = DdpgRunOptions & Partial<Record<(typeof DDPG_OPTION_KEYS)[number], unknown>>;

export interface DdpgResult {
  readonly config: DdpgConfig;
  readonly log: DdpgLogRecord[];
  readonly final: DdpgLogRecord;
  /** Environment steps completed (less than `steps` when aborted). */
  readonly steps: number;
  readonly aborted: boolean;
  /** The trained critic (the caller owns it: dispose when done). */
  readonly critic: Critic;
  readonly wallSeconds: number;
}

/**
 * Scales gradients so that their global norm is at most `clip` (0 = no clipping). Returns new tensors.
 * The norm is read back asynchronously (webgpu has no synchronous read under Node), after the tidy.
 */
export async function clipByGlobalNorm(grads: tf.NamedTensorMap, clip: number): Promise<{ grads: tf.NamedTensorMap; norm: number }> {
  const names = Object.keys(grads);
  const normT = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))))));
  let norm: number;
  try {
    norm = (await normT.data())[0];
  } finally {
    normT.dispose();
  }
  const scale = clip > 0 && norm > clip ? clip / norm : 1;
  const out: tf.NamedTensorMap = {};
  for (const n of names) out[n] = scale === 1 ? tf.clone(grads[n]) : tf.tidy(() => tf.mul(grads[n], scale));
  return { grads: out, norm };
}

/** One optimiser step on `loss` over `vars` with global-norm clipping; returns the loss value. */
export async function optimizerStep(optimizer: tf.Optimizer, loss: () => tf.Scalar, vars: tf.Variable[], clipNorm: number): Promise<number> {
  const { value, grads } = optimizer.computeGradients(loss, vars);
  try {
    const clipped = await clipByGlobalNorm(grads, clipNorm);
    optimizer.applyGradients(clipped.grads);
    tf.dispose(Object.values(clipped.grads));
    return (await value.data())[0];
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/** Critic regression step: min (1/N) Σ (V(a | h) − y)², with y a constant [N]. */
export function criticUpdate(critic: Critic, optimizer: tf.Optimizer, inputs: ModelInputs, actions: tf.Tensor2D, targets: tf.Tensor1D, clipNorm: number): Promise<number> {
  return optimizerStep(optimizer, () => tf.mean(tf.square(tf.sub(critic.apply(inputs, actions), targets))) as tf.Scalar, critic.trainable, clipNorm);
}

/** What one DDPG update reads and changes: the networks and optimisers belong to the caller. */
export interface DdpgUpdateContext {
  readonly actor: PowerModel;
  readonly critic: Critic;
  /** Target networks μ_θ', V_φ' (used when γ > 0; both or neither). */
  readonly targetActor?: PowerModel;
  readonly targetCritic?: Critic;
  readonly actorOptimizer: tf.Optimizer;
  readonly criticOptimizer: tf.Optimizer;
  readonly gamma: number;
  readonly tau: number;
  readonly clipNorm: number;
  readonly users: number;
  /** Noise power σ² and power budget of the environment (for the model inputs). */
  readonly noise: number;
  readonly pmax: number;
  readonly distill?: DdpgDistill;
}

export interface DdpgUpdateResult {
  readonly criticLoss: number;
  readonly actorLoss: number;
  /** D(μ(h), p_teacher) on the mini-batch; null without an AD term. */
  readonly distillLoss: number | null;
  /** β(t) used (0 without an AD term). */
  readonly beta: number;
}

/**
 * TD targets of a mini-batch, a constant [N] (outside every gradient closure: tfjs has no stopGradient):
 *   y = r + γ (1 − done) V_φ'(μ_θ'(h') | h')
 * with the target networks on the successor states h'; y = r when γ = 0 or without target networks or
 * successor states (the one-step bandit).
 */
export function tdTargets(ctx: DdpgUpdateContext, mb: ReplayBatch): tf.Tensor1D {
  const { targetActor: ta, targetCritic: tc } = ctx;
  if (!(ctx.gamma > 0 && ta && tc && mb.nextGains && mb.nextWeights && mb.done)) return tf.tensor1d(Float32Array.from(mb.rewards));
  const next = inputsFromArrays(mb.nextGains, mb.nextWeights, mb.size, ctx.users, { noise: ctx.noise, pmax: ctx.pmax });
  const notDone = Float32Array.from(mb.done, (d) => 1 - d);
  const targets = tf.tidy(() => {
    const v = tc.apply(next, ta.apply(next));
    return tf.add(tf.tensor1d(Float32Array.from(mb.rewards)), tf.mul(tf.mul(v, tf.tensor1d(notDone)), ctx.gamma)) as tf.Tensor1D;
  });
  disposeInputs(next);
  return targets;
}

/**
 * One DDPG update on a mini-batch (Alg. 1's inner loop): a critic step towards `tdTargets`, an actor
 * step on −V_φ(μ_θ(h) | h) (+ β(t)·D with AD), then, with target networks, θ' ← τθ + (1 − τ)θ' and
 * φ' ← τφ + (1 − τ)φ'.
 */
export async function ddpgUpdate(ctx: DdpgUpdateContext, mb: ReplayBatch, progress: TrainingProgress): Promise<DdpgUpdateResult> {
  const { actor, critic, distill, users } = ctx;
  const n = mb.size;
  const inputs = inputsFromArrays(mb.gains, mb.weights, n, users, { noise: ctx.noise, pmax: ctx.pmax });
  const actions = tf.tensor2d(mb.actions, [n, users]);
  const targets = tdTargets(ctx, mb);
  const beta = distill ? distill.schedule.value(progress) : 0;
  // The mini-batch's teacher powers are constants (no gradient reaches them: tfjs has no stopGradient).
  const labels = distill && beta !== 0 ? tf.tensor2d(Float32Array.from(mb.labels!), [n, users]) : undefined;
  // D(μ(h), p_teacher) of the actor step's forward pass, kept out of its tidy and read after the step
  // (reads are asynchronous: webgpu has no synchronous read under Node, and a gradient closure cannot await).
  let distT: tf.Scalar | undefined;
  try {
    const criticLoss = await criticUpdate(critic, ctx.criticOptimizer, inputs, actions, targets, ctx.clipNorm);
    const actorLoss = await optimizerStep(
      ctx.actorOptimizer,
      () => {
        const p = actor.apply(inputs);
        const task = tf.neg(tf.mean(critic.apply(inputs, p))) as tf.Scalar;
        if (!labels) return task;
        const d = distill!.distance.compute(p, labels);
        distT = tf.keep(d);
        return tf.add(task, tf.mul(d, beta)) as tf.Scalar;
      },
      actor.trainable,
      ctx.clipNorm,
    );
    if (distill && !labels) {
      // β = 0: D is only reported, measured on the actor after its step.
      distT = tf.tidy(() => distill.distance.compute(tf.tidy(() => actor.apply(inputs)), tf.tensor2d(mb.labels!, [n, users])));
    }
    const dist = distT ? (await distT.data())[0] : 0;
    if (ctx.gamma > 0 && ctx.targetActor && ctx.targetCritic) {
      softUpdate(ctx.targetCritic.trainable, critic.trainable, ctx.tau);
      softUpdate(ctx.targetActor.trainable, actor.trainable, ctx.tau);
    }
    return { criticLoss, actorLoss, distillLoss: distill ? dist : null, beta };
  } finally {
    tf.dispose([actions, targets, ...(labels ? [labels] : []), ...(distT ? [distT] : [])]);
    disposeInputs(inputs);
  }
}

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}


export async function trainDdpg(opts: DdpgOptions): Promise<DdpgResult> {
  const raw: Record<string, unknown> = {};
  for (const key of DDPG_OPTION_KEYS) if (opts[key] !== undefined) raw[key] = opts[key];
  const cfg = resolveDdpgOptions(raw, 'trainer');
  const { actor, environment: envSpec, distill } = opts;
  const { users, noise, pmax } = envSpec;
  const useTargets = cfg.gamma > 0;
  if (useTargets && !opts.actorBuilder) {
    throw new ValidationError('trainer.gamma', 'gamma = 0, or an actorBuilder for the target actor (gamma > 0 uses target networks)', cfg.gamma);
  }
  if (opts.test.channels.users !== users) throw new ValidationError('test', `channels with K = ${users}`, `K = ${opts.test.channels.users}`);
  const seed = opts.seed ?? 0;
  const s0 = streams(seed);
  const from = opts.resume?.step ?? 0;
  // A resumed run draws from fresh streams named after its step (re-warmed, see `resume`).
  const s = from > 0 ? { seed, get: (name: string) => s0.get(`${name}@${from}`) } : s0;
  const t0 = performance.now();
  const wall = () => (performance.now() - t0) / 1000;

  const env = new PowerControlEnvironment({
    channel: envSpec.channel,
    users,
    batch: cfg.batch,
    noise,
    pmax,
    rng: s.get('env'),
    weights: envSpec.weights,
    evolve: envSpec.evolve,
    episodeLength: cfg.episodeLength,
    unit: cfg.unit,
  });
  const noiseRng = s.get('noise');
  const replayRng = s.get('replay');
  const warmRng = s.get('warmup');
  const exploration = createNoise(cfg.noise);
  const problemOpts = { noise, pmax, weights: envSpec.weights };

  if ((opts.fitActor ?? true) && !opts.resume && actor.fit) {
    const ch = envSpec.channel.generate({ batch: Math.max(256, cfg.batch), users, rng: s.get('fit') });
    const inputs = inputsFromArrays(ch.gains, env.weightsOf(ch), ch.batch, users, { noise, pmax });
    actor.fit(inputs);
    disposeInputs(inputs);
  }

  // Reference on the fixed test set.
  const test = opts.test.channels;
  let reference = opts.test.reference;
  if (!reference && opts.referenceTeacher) {
    const p = await opts.referenceTeacher.solve({ channels: test, ...problemOpts });
    reference = sumRates(test, p, { ...problemOpts, unit: cfg.unit });
  }
  const refMean = reference ? reference.reduce((a, b) => a + b, 0) / reference.length : undefined;

  const critic = opts.criticModel ?? createCritic(cfg.critic, { users, seed: s0.get('critic').seed32(), actorKind: actor.kind });
  let targetCritic: Critic | undefined;
  let targetActor: PowerModel | undefined;
  if (useTargets) {
    const targetSeeds = s0.get('target');
    // Built like the critic itself (a prebuilt critic may have other hidden widths than cfg.critic).
    targetCritic = criticLike(critic, { users, seed: targetSeeds.seed32() });
    hardUpdate(targetCritic.trainable, critic.trainable);
    targetActor = opts.actorBuilder!({ users, pmax, noise, seed: targetSeeds.seed32() });
    copyNamedWeights(targetActor, actor);
  }
  const actorOpt = tf.train.adam(cfg.actorLr);
  const criticOpt = tf.train.adam(cfg.criticLr);
  const nets = { critic, targetCritic, targetActor } as const;
  const opts2 = { actorOpt, criticOpt } as const;
  if (opts.resume) {
    const part = (prefix: string) =>
      Object.fromEntries(Object.entries(opts.resume!.tensors).filter(([k]) => k.startsWith(`${prefix}/`)).map(([k, t]) => [k.slice(prefix.length + 1), t]));
    for (const [name, net] of Object.entries(nets)) net?.loadWeights(part(name));
    for (const [name, o] of Object.entries(opts2)) {
      const w = Object.entries(part(name)).map(([n, tensor]) => ({ name: n, tensor: tf.clone(tensor) }));
      if (w.length) await o.setWeights(w);
    }
  }
  const checkpoint = async (step: number): Promise<DdpgCheckpoint> => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, net] of Object.entries(nets)) for (const w of net?.namedWeights() ?? []) tensors[`${name}/${w.name}`] = w.tensor;
    for (const [name, o] of Object.entries(opts2)) for (const w of await o.getWeights()) tensors[`${name}/${w.name}`] = w.tensor;
    return { step, tensors };
  };
  const buffer = new ReplayBuffer({ capacity: cfg.buffer, users, next: useTargets, labels: Boolean(distill) });

  const log: DdpgLogRecord[] = [];
  let criticLosses: number[] = [];
  let actorLosses: number[] = [];
  let distillLosses: number[] = [];
  let beta = 0;
  let sigma = noiseScale(cfg.noise, 0);

  const evaluate = async (step: number) => {
    const powers = await predictPowers(actor, test, problemOpts, cfg.evalBatchSize);
    const rates = sumRates(test, powers, { ...problemOpts, unit: cfg.unit });
    const testSumRate = rates.reduce((a, b) => a + b, 0) / rates.length;
    const record: DdpgLogRecord = {
      step,
      samples: step * cfg.batch,
      testSumRate,
      pctReference: refMean === undefined ? null : (100 * testSumRate) / refMean,
      criticLoss: mean(criticLosses),
      actorLoss: mean(actorLosses),
      distillLoss: distill ? mean(distillLosses) : null,
      beta,
      noiseScale: sigma,
      wallSeconds: wall(),
    };
    criticLosses = [];
    actorLosses = [];
    distillLosses = [];
    log.push(record);
    await opts.onLog?.(record, () => checkpoint(step));
  };

  const updateContext: DdpgUpdateContext = {
    actor,
    critic,
    targetActor,
    targetCritic,
    actorOptimizer: actorOpt,
    criticOptimizer: criticOpt,
    gamma: cfg.gamma,
    tau: cfg.tau,
    clipNorm: cfg.clipNorm,
    users,
    noise,
    pmax,
    distill,
  };
  const update = async (mb: ReplayBatch, progress: TrainingProgress) => {
    const r = await ddpgUpdate(updateContext, mb, progress);
    criticLosses.push(r.criticLoss);
    actorLosses.push(r.actorLoss);
    beta = r.beta;
    if (r.distillLoss !== null) distillLosses.push(r.distillLoss);
  };

  let step = from;
  let aborted = false;
  try {
    if (!opts.resume) await evaluate(0);
    for (; step < cfg.steps; ) {
      if (opts.signal?.aborted) {
        aborted = true;
        break;
      }
      const state = env.state();
      let actions: Float64Array;
      if (step < cfg.warmup) {
        actions = warmRng.fillUniform(new Float64Array(state.batch * users), 0, pmax);
      } else {
        sigma = noiseScale(cfg.noise, step - cfg.warmup);
        const mu = await predictPowers(actor, state, problemOpts, cfg.evalBatchSize);
        actions = exploration.perturb(mu, step - cfg.warmup, pmax, noiseRng);
      }
      const labels = distill ? await distill.teacher.solve({ channels: state, ...problemOpts }) : undefined;
      const tr = env.step(actions);
      if (tr.done && cfg.episodeLength > 1) exploration.reset();
      buffer.pushBatch({
        batch: state.batch,
        gains: state.gains,
        weights: tr.weights,
        actions,
        rewards: tr.rewards,
        nextGains: useTargets ? tr.next.gains : undefined,
        nextWeights: useTargets ? tr.nextWeights : undefined,
        done: tr.done,
        labels,
      });
      if (step >= cfg.warmup && buffer.size >= Math.min(cfg.trainBatch, buffer.capacity)) {
        const progress: TrainingProgress = { epoch: step, epochs: cfg.steps, step, steps: cfg.steps, fraction: step / cfg.steps };
        for (let u = 0; u < cfg.updatesPerStep; u++) await update(buffer.sample(cfg.trainBatch, replayRng), progress);
      }
      step += 1;
      if (step % cfg.logEvery === 0 || step === cfg.steps) await evaluate(step);
      // Environment steps are synchronous: let signal handlers run between them.
      await yieldToEventLoop();
    }
    if (aborted && log.length > 0 && log[log.length - 1].step !== step) await evaluate(step);
  } finally {
    actorOpt.dispose();
    criticOpt.dispose();
    targetCritic?.dispose();
    targetActor?.dispose();
  }
  return { config: cfg, log, final: log[log.length - 1], steps: step, aborted, critic, wallSeconds: wall() };
}

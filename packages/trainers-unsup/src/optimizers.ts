import * as tf from '@tensorflow/tfjs';
import {
  ValidationError,
  integer,
  nonNegative,
  parseOptions,
  positive,
  strict,
  z,
  position,
  PROGRESS_UNITS,
  type ProgressUnit,
  type TrainingProgress,
} from '@rrm/core';

/**
 * Optimisers (tf.train.*) and learning-rate schedules. A schedule is applied by setting the optimiser's
 * learning rate before every step (see `setLearningRate`: tfjs's SGD and momentum read a cached scalar
 * that only `setLearningRate()` refreshes; Adam and RMSProp read their `learningRate` field each step).
 */
export type OptimizerKind = 'sgd' | 'adam' | 'rmsprop';
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'adam', 'rmsprop'];

export type ScheduleKind = 'constant' | 'exponential' | 'step' | 'cosine';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['constant', 'exponential', 'step', 'cosine'];
export type ScheduleUnit = ProgressUnit;

/**
 * Learning-rate schedules, with t counted in `unit`s (epochs completed, default, or steps completed) and
 * T the total number of them:
 * - `constant`:    lr(t) = lr₀
 * - `exponential`: lr(t) = lr₀ · rate^t                      (rate ∈ (0, 1], default 0.96)
 * - `step`:        lr(t) = lr₀ · factor^⌊t / every⌋          (factor default 0.1, every default 10)
 * - `cosine`:      lr(t) = min + (lr₀ − min)(1 + cos(π t/T))/2  (min default 0; PyTorch's CosineAnnealingLR)
 */
export interface ScheduleSpec {
  readonly kind: ScheduleKind;
  readonly unit?: ScheduleUnit;
  readonly rate?: number;
  readonly factor?: number;
  readonly every?: number;
  readonly min?: number;
}

export interface ResolvedSchedule {
  readonly kind: ScheduleKind;
  readonly unit: ScheduleUnit;
  readonly rate: number;
  readonly factor: number;
  readonly every: number;
  readonly min: number;
}

export interface OptimizerSpec {
  readonly kind: OptimizerKind;
  /** Default: 1e-3 for adam and rmsprop, 1e-2 for sgd. */
  readonly learningRate?: number;
  /** sgd: heavy-ball momentum (0 = plain SGD); rmsprop: momentum term. Default 0. */
  readonly momentum?: number;
  /** sgd with momentum: Nesterov's variant. Default false. */
  readonly nesterov?: boolean;
  /** adam: defaults 0.9, 0.999. */
  readonly beta1?: number;
  readonly beta2?: number;
  /** adam, rmsprop: default 1e-7 (tfjs's backend epsilon is used when left out). */
  readonly epsilon?: number;
  /** rmsprop: discounting factor of the squared-gradient average, default 0.9. */
  readonly decay?: number;
  /** rmsprop: centred variant. Default false. */
  readonly centered?: boolean;
  readonly schedule?: ScheduleKind | ScheduleSpec;
}

export interface ResolvedOptimizer {
  readonly kind: OptimizerKind;
  readonly learningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon?: number;
  readonly decay: number;
  readonly centered: boolean;
  readonly schedule: ResolvedSchedule;
}

const unitInterval = () => z.number({ error: 'a number in [0, 1)' }).min(0).lt(1);

/** `schedule`: a name or { kind, unit, rate, factor, every, min } (see ScheduleSpec for the formulas). */
export const scheduleSchema = z
  .union([
    z.enum(SCHEDULE_KINDS).transform((kind) => ({ kind })),
    strict({
      kind: z.enum(SCHEDULE_KINDS),
      unit: z.enum(PROGRESS_UNITS).optional(),
      rate: positive().max(1).optional(),
      factor: positive().optional(),
      every: integer(1).optional(),
      min: nonNegative().optional(),
    }),
  ])
  .default({ kind: 'constant' })
  .transform((s): ResolvedSchedule => ({ unit: 'epoch', rate: 0.96, factor: 0.1, every: 10, min: 0, ...s }));

/** `trainer.optimizer` in a config: { kind, lr, momentum, …, schedule }. The one schema of optimizer options. */
export const optimizerSchema = strict({
  kind: z.enum(OPTIMIZER_KINDS).default('adam'),
  /** Default: 1e-3 for adam and rmsprop, 1e-2 for sgd. */
  lr: positive().optional(),
  momentum: unitInterval().default(0),
  nesterov: z.boolean().default(false),
  beta1: unitInterval().default(0.9),
  beta2: unitInterval().default(0.999),
  epsilon: positive().optional(),
  decay: unitInterval().default(0.9),
  centered: z.boolean().default(false),
  schedule: scheduleSchema,
}).transform(({ lr, ...o }): ResolvedOptimizer => ({ ...o, learningRate: lr ?? (o.kind === 'sgd' ? 1e-2 : 1e-3) }));

export function resolveSchedule(spec: ScheduleKind | ScheduleSpec | undefined, field = 'optimizer.schedule'): ResolvedSchedule {
  return parseOptions(scheduleSchema, spec, field);
}

/** The library form ({ kind, learningRate, … }) of the optimizer options; errors name `field.learningRate`. */
export function resolveOptimizer(spec: OptimizerKind | OptimizerSpec | undefined, field = 'optimizer'): ResolvedOptimizer {
  const s = typeof spec === 'string' || spec === undefined ? { kind: spec ?? 'adam' } : spec;
  if (typeof s !== 'object' || s === null) throw new ValidationError(field, `an optimizer name or { kind, learningRate, ... }`, spec);
  if ('lr' in s) throw new ValidationError(`${field}.lr`, 'learningRate (lr is the config-file spelling)', 'lr');
  const { learningRate, ...rest } = s as OptimizerSpec & Record<string, unknown>;
  try {
    return parseOptions(optimizerSchema, learningRate === undefined ? rest : { ...rest, lr: learningRate }, field);
  } catch (err) {
    if (err instanceof ValidationError && err.field === `${field}.lr`) throw new ValidationError(`${field}.learningRate`, err.expected, learningRate);
    throw err;
  }
}

export function createOptimizer(spec: ResolvedOptimizer): tf.Optimizer {
  switch (spec.kind) {
    case 'sgd':
      return spec.momentum > 0 ? tf.train.momentum(spec.learningRate, spec.momentum, spec.nesterov) : tf.train.sgd(spec.learningRate);
    case 'adam':
      return tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate, spec.decay, spec.momentum, spec.epsilon, spec.centered);
  }
}

/** The schedule's learning rate at a point of training (see ScheduleSpec for the formulas). */
export function learningRateAt(base: number, schedule: ResolvedSchedule, progress: TrainingProgress): number {
  const { t, x } = position(progress, schedule.unit);
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'exponential':
      return base * schedule.rate ** t;
    case 'step':
      return base * schedule.factor ** Math.floor(t / schedule.every);
    case 'cosine':
      return schedule.min + ((base - schedule.min) * (1 + Math.cos(Math.PI * x))) / 2;
  }
}

/** Sets the learning rate of a tfjs optimiser so that the next `applyGradients` uses it. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // Duck typing: tfjs gives Optimizer a Symbol.hasInstance that makes every optimiser an
  // `instanceof SGDOptimizer`.
  const sgd = optimizer as unknown as { setLearningRate?: (lr: number) => void };
  if (typeof sgd.setLearningRate === 'function') {
    // SGD and Momentum (a subclass) multiply by a cached scalar −lr that only setLearningRate refreshes.
    sgd.setLearningRate(learningRate);
  } else {
    // Adam, RMSProp (and Adagrad, Adamax, Adadelta) read this field at every step.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  }
}

/** The learning rate the optimiser will use next. */
export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

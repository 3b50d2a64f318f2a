import * as tf from '@tensorflow/tfjs';
import {
  ValidationError,
  rejectUnknownKeys,
  requireInteger,
  requireNonNegative,
  requireOneOf,
  requirePositive,
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

const OPTIMIZER_KEYS = ['kind', 'learningRate', 'momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'decay', 'centered', 'schedule'];
const SCHEDULE_KEYS = ['kind', 'unit', 'rate', 'factor', 'every', 'min'];

function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, 'true or false', value);
  return value;
}

function requireBelowOne(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ValidationError(field, 'a number in [0, 1)', value);
  return value;
}

export function resolveSchedule(spec: ScheduleKind | ScheduleSpec | undefined, field = 'optimizer.schedule'): ResolvedSchedule {
  const s: Record<string, unknown> = typeof spec === 'string' || spec === undefined ? { kind: spec ?? 'constant' } : { ...spec };
  if (typeof s !== 'object' || s === null) throw new ValidationError(field, 'a schedule name or { kind, ... }', spec);
  rejectUnknownKeys(field, s, SCHEDULE_KEYS);
  const kind = requireOneOf(`${field}.kind`, s.kind, SCHEDULE_KINDS);
  const unit = requireOneOf(`${field}.unit`, s.unit ?? 'epoch', PROGRESS_UNITS);
  const rate = requirePositive(`${field}.rate`, s.rate ?? 0.96);
  if (rate > 1) throw new ValidationError(`${field}.rate`, 'a decay rate in (0, 1]', rate);
  const factor = requirePositive(`${field}.factor`, s.factor ?? 0.1);
  const every = requireInteger(`${field}.every`, s.every ?? 10, 1);
  const min = requireNonNegative(`${field}.min`, s.min ?? 0);
  return { kind, unit, rate, factor, every, min };
}

export function resolveOptimizer(spec: OptimizerKind | OptimizerSpec | undefined, field = 'optimizer'): ResolvedOptimizer {
  const s: Record<string, unknown> = typeof spec === 'string' || spec === undefined ? { kind: spec ?? 'adam' } : { ...spec };
  if (typeof s !== 'object' || s === null) throw new ValidationError(field, `an optimizer name or { kind, learningRate, ... }`, spec);
  rejectUnknownKeys(field, s, OPTIMIZER_KEYS);
  const kind = requireOneOf(`${field}.kind`, s.kind ?? 'adam', OPTIMIZER_KINDS);
  const learningRate = requirePositive(`${field}.learningRate`, s.learningRate ?? (kind === 'sgd' ? 1e-2 : 1e-3));
  const momentum = requireBelowOne(`${field}.momentum`, s.momentum ?? 0);
  const nesterov = requireBoolean(`${field}.nesterov`, s.nesterov ?? false);
  const beta1 = requireBelowOne(`${field}.beta1`, s.beta1 ?? 0.9);
  const beta2 = requireBelowOne(`${field}.beta2`, s.beta2 ?? 0.999);
  const epsilon = s.epsilon === undefined ? undefined : requirePositive(`${field}.epsilon`, s.epsilon);
  const decay = requireBelowOne(`${field}.decay`, s.decay ?? 0.9);
  const centered = requireBoolean(`${field}.centered`, s.centered ?? false);
  const schedule = resolveSchedule(s.schedule as ScheduleSpec | ScheduleKind | undefined, `${field}.schedule`);
  return { kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, decay, centered, schedule };
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

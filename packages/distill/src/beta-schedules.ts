import {
  ValidationError,
  rejectUnknownKeys,
  requireInteger,
  requireNonNegative,
  requireOneOf,
  requirePositive,
  type FactoryContext,
  type PluginEntry,
  type PluginSpec,
} from '@rrm/core';
import { PROGRESS_UNITS, position, type ProgressUnit, type TrainingProgress } from './progress';

/**
 * β schedules: the weight β(t) of the distillation term in ℓ = ℓ_task + β(t)·D(p, p_teacher).
 * t counts completed epochs (`unit: 'epoch'`, default) or optimiser steps (`unit: 'step'`), T is the total
 * number of them, and x = t/T ∈ [0, 1) (so with epochs the last epoch trains at x = (E−1)/E).
 *
 * | kind          | β(t)                                   | defaults                    |
 * |---------------|----------------------------------------|-----------------------------|
 * | `fixed`       | β                                      | β = 1                       |
 * | `increasing`  | β0 + (β1 − β0)·x                       | β0 = 0, β1 = 1 (β1 ≥ β0)    |
 * | `decreasing`  | β0 + (β1 − β0)·x                       | β0 = 1, β1 = 0 (β1 ≤ β0)    |
 * | `exponential` | β0 · rate^t                            | β0 = 1, rate = 0.9          |
 * | `cosine`      | β1 + (β0 − β1)·(1 + cos(π x))/2         | β0 = 1, β1 = 0              |
 * | `step`        | β0 · factor^⌊t / every⌋                | β0 = 1, factor = 0.5, every = 10 |
 *
 * Validation errors name `distill.beta.<option>` (or the config path the schedule was created under).
 */
export interface BetaSchedule {
  readonly kind: string;
  /** Resolved options (defaults filled in). */
  readonly options: Readonly<Record<string, unknown>>;
  value(progress: TrainingProgress): number;
}

declare module '@rrm/core' {
  interface PluginKinds {
    'beta-schedule': BetaSchedule;
  }
}

export const BETA_FIELD = 'distill.beta';

/** The registry passes the kind name as the field when the caller gave none: report `distill.beta`. */
export function betaField(ctx?: Pick<FactoryContext, 'field'>): string {
  return !ctx || ctx.field === 'beta-schedule' ? BETA_FIELD : ctx.field;
}

function unitOf(field: string, options: Record<string, unknown>): ProgressUnit {
  return requireOneOf(`${field}.unit`, options.unit ?? 'epoch', PROGRESS_UNITS);
}

export function fixedBeta(options: Record<string, unknown> = {}, field = BETA_FIELD): BetaSchedule {
  rejectUnknownKeys(field, options, ['beta']);
  const beta = requireNonNegative(`${field}.beta`, options.beta ?? 1);
  return { kind: 'fixed', options: { beta }, value: () => beta };
}

function linear(kind: 'increasing' | 'decreasing', options: Record<string, unknown>, field: string): BetaSchedule {
  rejectUnknownKeys(field, options, ['beta0', 'beta1', 'unit']);
  const up = kind === 'increasing';
  const beta0 = requireNonNegative(`${field}.beta0`, options.beta0 ?? (up ? 0 : 1));
  const beta1 = requireNonNegative(`${field}.beta1`, options.beta1 ?? (up ? 1 : 0));
  if (up ? beta1 < beta0 : beta1 > beta0) {
    throw new ValidationError(`${field}.beta1`, `a final β ${up ? '>=' : '<='} beta0 = ${beta0} for a ${kind} schedule`, beta1);
  }
  const unit = unitOf(field, options);
  return { kind, options: { beta0, beta1, unit }, value: (p) => beta0 + (beta1 - beta0) * position(p, unit).x };
}

export function increasingBeta(options: Record<string, unknown> = {}, field = BETA_FIELD): BetaSchedule {
  return linear('increasing', options, field);
}

export function decreasingBeta(options: Record<string, unknown> = {}, field = BETA_FIELD): BetaSchedule {
  return linear('decreasing', options, field);
}

export function exponentialBeta(options: Record<string, unknown> = {}, field = BETA_FIELD): BetaSchedule {
  rejectUnknownKeys(field, options, ['beta0', 'rate', 'unit']);
  const beta0 = requireNonNegative(`${field}.beta0`, options.beta0 ?? 1);
  const rate = requirePositive(`${field}.rate`, options.rate ?? 0.9);
  if (rate > 1) throw new ValidationError(`${field}.rate`, 'a decay rate in (0, 1]', rate);
  const unit = unitOf(field, options);
  return { kind: 'exponential', options: { beta0, rate, unit }, value: (p) => beta0 * rate ** position(p, unit).t };
}

export function cosineBeta(options: Record<string, unknown> = {}, field = BETA_FIELD): BetaSchedule {
  rejectUnknownKeys(field, options, ['beta0', 'beta1', 'unit']);
  const beta0 = requireNonNegative(`${field}.beta0`, options.beta0 ?? 1);
  const beta1 = requireNonNegative(`${field}.beta1`, options.beta1 ?? 0);
  const unit = unitOf(field, options);
  return {
    kind: 'cosine',
    options: { beta0, beta1, unit },
    value: (p) => beta1 + ((beta0 - beta1) * (1 + Math.cos(Math.PI * position(p, unit).x))) / 2,
  };
}

export function stepBeta(options: Record<string, unknown> = {}, field = BETA_FIELD): BetaSchedule {
  rejectUnknownKeys(field, options, ['beta0', 'factor', 'every', 'unit']);
  const beta0 = requireNonNegative(`${field}.beta0`, options.beta0 ?? 1);
  const factor = requireNonNegative(`${field}.factor`, options.factor ?? 0.5);
  const every = requireInteger(`${field}.every`, options.every ?? 10, 1);
  const unit = unitOf(field, options);
  return { kind: 'step', options: { beta0, factor, every, unit }, value: (p) => beta0 * factor ** Math.floor(position(p, unit).t / every) };
}

type Builder = (options: Record<string, unknown>, field: string) => BetaSchedule;

const BUILDERS: Record<string, { description: string; build: Builder }> = {
  fixed: { description: 'β(t) = β (default 1)', build: fixedBeta },
  increasing: { description: 'linear β0 → β1, default 0 → 1', build: increasingBeta },
  decreasing: { description: 'linear β0 → β1, default 1 → 0', build: decreasingBeta },
  exponential: { description: 'β0 · rate^t, default 1 · 0.9^t', build: exponentialBeta },
  cosine: { description: 'cosine from β0 to β1, default 1 → 0', build: cosineBeta },
  step: { description: 'β0 · factor^⌊t/every⌋, default 1 · 0.5^⌊t/10⌋', build: stepBeta },
};

/** Registry entries of the built-in schedules (the plugin registers these). */
export const betaScheduleEntries: PluginEntry<BetaSchedule>[] = Object.entries(BUILDERS).map(([name, { description, build }]) => ({
  name,
  description,
  create: (options, ctx) => build(options, betaField(ctx)),
}));

/** A built-in schedule from a config spec without a registry (use the registry for plugin schedules). */
export function betaSchedule(spec: PluginSpec | string, field = BETA_FIELD): BetaSchedule {
  const s: PluginSpec = typeof spec === 'string' ? { kind: spec } : spec;
  const entry = BUILDERS[s.kind];
  if (!entry) throw new ValidationError(`${field}.kind`, `a built-in β schedule (${Object.keys(BUILDERS).join(', ')})`, s.kind);
  const { kind: _kind, ...options } = s;
  return entry.build(options, field);
}

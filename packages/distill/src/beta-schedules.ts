import { ValidationError, integer, nonNegative, parseOptions, positive, strictOptions, z, type FactoryContext, type PluginEntry, type PluginSpec } from '@rrm/core';
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

const unit = z.enum(PROGRESS_UNITS as readonly [ProgressUnit, ...ProgressUnit[]]).default('epoch');
const beta = (fallback: number) => nonNegative().default(fallback);
/** β1 ≥ β0 for an increasing schedule, β1 ≤ β0 for a decreasing one. */
const linear = (up: boolean) =>
  strictOptions({ beta0: beta(up ? 0 : 1), beta1: beta(up ? 1 : 0), unit }).superRefine((o, ctx) => {
    if (up ? o.beta1 < o.beta0 : o.beta1 > o.beta0) {
      const message = `a final β ${up ? '>=' : '<='} beta0 = ${o.beta0} for a ${up ? 'increasing' : 'decreasing'} schedule`;
      ctx.addIssue({ code: 'custom', path: ['beta1'], message });
    }
  });
const linearValue = (o: { beta0: number; beta1: number; unit: ProgressUnit }, p: TrainingProgress) => o.beta0 + (o.beta1 - o.beta0) * position(p, o.unit).x;

/** One built-in schedule: its options schema, and β(t) from the parsed options. */
const define = <S extends z.ZodType<Record<string, unknown>>>(description: string, schema: S, value: (o: z.output<S>, p: TrainingProgress) => number) => ({
  description,
  schema,
  build(kind: string, options: Record<string, unknown>, field: string): BetaSchedule {
    const o = parseOptions(schema, options, field);
    return { kind, options: o, value: (p) => value(o, p) };
  },
});

const SCHEDULES = {
  fixed: define('β(t) = β (default 1)', strictOptions({ beta: beta(1) }), (o) => o.beta),
  increasing: define('linear β0 → β1, default 0 → 1', linear(true), linearValue),
  decreasing: define('linear β0 → β1, default 1 → 0', linear(false), linearValue),
  exponential: define(
    'β0 · rate^t, default 1 · 0.9^t',
    strictOptions({ beta0: beta(1), rate: positive().max(1).default(0.9), unit }),
    (o, p) => o.beta0 * o.rate ** position(p, o.unit).t,
  ),
  cosine: define(
    'cosine from β0 to β1, default 1 → 0',
    strictOptions({ beta0: beta(1), beta1: beta(0), unit }),
    (o, p) => o.beta1 + ((o.beta0 - o.beta1) * (1 + Math.cos(Math.PI * position(p, o.unit).x))) / 2,
  ),
  step: define(
    'β0 · factor^⌊t/every⌋, default 1 · 0.5^⌊t/10⌋',
    strictOptions({ beta0: beta(1), factor: nonNegative().default(0.5), every: integer(1).default(10), unit }),
    (o, p) => o.beta0 * o.factor ** Math.floor(position(p, o.unit).t / o.every),
  ),
};
type Kind = keyof typeof SCHEDULES;

const build = (kind: Kind, options: Record<string, unknown>, field: string) => SCHEDULES[kind].build(kind, options, field);

const builder = (kind: Kind) => (options: Record<string, unknown> = {}, field = BETA_FIELD) => build(kind, options, field);
export const fixedBeta = builder('fixed');
export const increasingBeta = builder('increasing');
export const decreasingBeta = builder('decreasing');
export const exponentialBeta = builder('exponential');
export const cosineBeta = builder('cosine');
export const stepBeta = builder('step');

/** Registry entries of the built-in schedules (the plugin registers these). */
export const betaScheduleEntries: PluginEntry<BetaSchedule>[] = Object.entries(SCHEDULES).map(([name, { description, schema }]) => ({
  name,
  description,
  schema,
  create: (options, ctx) => build(name as Kind, options, betaField(ctx)),
}));

/** A built-in schedule from a config spec without a registry (use the registry for plugin schedules). */
export function betaSchedule(spec: PluginSpec | string, field = BETA_FIELD): BetaSchedule {
  const { kind, ...options }: PluginSpec = typeof spec === 'string' ? { kind: spec } : spec;
  if (!Object.hasOwn(SCHEDULES, kind)) throw new ValidationError(`${field}.kind`, `a built-in β schedule (${Object.keys(SCHEDULES).join(', ')})`, kind);
  return build(kind as Kind, options, field);
}

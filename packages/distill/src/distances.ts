import * as tf from '@tensorflow/tfjs';
import { ValidationError, powerDistance, rejectUnknownKeys, requirePositive, type FactoryContext, type PluginEntry, type PluginSpec } from '@rrm/core';

/**
 * Distances D(p, p_t) between the student's powers and the teacher's as plugins; the formulas are core's
 * `powerDistance` (shared with the supervised loss). `l2` is the default (the AD paper's ‖p − p_t‖), with
 * its ε (default 1e-12) as an option.
 */
export interface Distance {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
  compute(powers: tf.Tensor2D, teacher: tf.Tensor2D): tf.Scalar;
}

declare module '@rrm/core' {
  interface PluginKinds {
    distance: Distance;
  }
}

export const DISTANCE_FIELD = 'distill.distance';

function field(ctx?: Pick<FactoryContext, 'field'>): string {
  return !ctx || ctx.field === 'distance' ? DISTANCE_FIELD : ctx.field;
}

export function l2Distance(options: Record<string, unknown> = {}, f = DISTANCE_FIELD): Distance {
  rejectUnknownKeys(f, options, ['epsilon']);
  const epsilon = requirePositive(`${f}.epsilon`, options.epsilon ?? 1e-12);
  return {
    kind: 'l2',
    options: { epsilon },
    compute: (p, t) => powerDistance('l2', p, t, epsilon),
  };
}

export function mseDistance(options: Record<string, unknown> = {}, f = DISTANCE_FIELD): Distance {
  rejectUnknownKeys(f, options, []);
  return { kind: 'mse', options: {}, compute: (p, t) => powerDistance('mse', p, t) };
}

export function l1Distance(options: Record<string, unknown> = {}, f = DISTANCE_FIELD): Distance {
  rejectUnknownKeys(f, options, []);
  return { kind: 'l1', options: {}, compute: (p, t) => powerDistance('l1', p, t) };
}

const BUILDERS: Record<string, { description: string; build: (options: Record<string, unknown>, f: string) => Distance }> = {
  l2: { description: 'mean over samples of the Euclidean norm ‖p − p_t‖₂ (default)', build: l2Distance },
  mse: { description: 'mean squared error over samples and links', build: mseDistance },
  l1: { description: 'mean over samples of ‖p − p_t‖₁', build: l1Distance },
};

export const distanceEntries: PluginEntry<Distance>[] = Object.entries(BUILDERS).map(([name, { description, build }]) => ({
  name,
  description,
  create: (options, ctx) => build(options, field(ctx)),
}));

/** A built-in distance from a config spec (default `l2`) without a registry. */
export function distance(spec: PluginSpec | string = 'l2', f = DISTANCE_FIELD): Distance {
  const s: PluginSpec = typeof spec === 'string' ? { kind: spec } : spec;
  const entry = BUILDERS[s.kind];
  if (!entry) throw new ValidationError(`${f}.kind`, `a built-in distance (${Object.keys(BUILDERS).join(', ')})`, s.kind);
  const { kind: _kind, ...options } = s;
  return entry.build(options, f);
}

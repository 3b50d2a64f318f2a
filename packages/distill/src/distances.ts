import * as tf from '@tensorflow/tfjs';
import { ValidationError, parseOptions, positive, powerDistance, strictOptions, type FactoryContext, type PluginEntry, type PluginSpec, type z } from '@rrm/core';

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

const DISTANCES = {
  l2: { description: 'mean over samples of the Euclidean norm ‖p − p_t‖₂ (default)', schema: strictOptions({ epsilon: positive().default(1e-12) }) },
  mse: { description: 'mean squared error over samples and links', schema: strictOptions({}) },
  l1: { description: 'mean over samples of ‖p − p_t‖₁', schema: strictOptions({}) },
};
type Kind = keyof typeof DISTANCES;

function build(kind: Kind, options: Record<string, unknown>, f: string): Distance {
  const o: { epsilon?: number } = parseOptions(DISTANCES[kind].schema as z.ZodType<{ epsilon?: number }>, options, f);
  return { kind, options: o, compute: (p, t) => powerDistance(kind, p, t, o.epsilon) };
}

export const l2Distance = (options: Record<string, unknown> = {}, f = DISTANCE_FIELD) => build('l2', options, f);
export const mseDistance = (options: Record<string, unknown> = {}, f = DISTANCE_FIELD) => build('mse', options, f);
export const l1Distance = (options: Record<string, unknown> = {}, f = DISTANCE_FIELD) => build('l1', options, f);

export const distanceEntries: PluginEntry<Distance>[] = Object.entries(DISTANCES).map(([name, { description, schema }]) => ({
  name,
  description,
  schema,
  create: (options, ctx) => build(name as Kind, options, field(ctx)),
}));

/** A built-in distance from a config spec (default `l2`) without a registry. */
export function distance(spec: PluginSpec | string = 'l2', f = DISTANCE_FIELD): Distance {
  const { kind, ...options }: PluginSpec = typeof spec === 'string' ? { kind: spec } : spec;
  if (!Object.hasOwn(DISTANCES, kind)) throw new ValidationError(`${f}.kind`, `a built-in distance (${Object.keys(DISTANCES).join(', ')})`, kind);
  return build(kind as Kind, options, f);
}

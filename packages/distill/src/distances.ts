import * as tf from '@tensorflow/tfjs';
import { ValidationError, rejectUnknownKeys, requirePositive, type FactoryContext, type PluginEntry, type PluginSpec } from '@rrm/core';

/**
 * Distances D(p, p_t) between the student's powers and the teacher's, both [B, K], as scalar tensors:
 * - `l2` (default; the AD paper's ‖p − p_t‖): (1/B) Σ_b sqrt(Σ_i (p_bi − p_t,bi)² + ε). The ε (default
 *   1e-12) keeps the gradient (p − p_t)/sqrt(‖p − p_t‖² + ε) finite when the student matches the teacher
 *   exactly (the gradient of sqrt at 0 is infinite); it adds at most √ε = 1e-6 to each sample's distance.
 * - `mse`: (1/(B·K)) Σ_b Σ_i (p_bi − p_t,bi)².
 * - `l1`: (1/B) Σ_b Σ_i |p_bi − p_t,bi| (subgradient at 0 as tfjs defines it for |x|).
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
    compute: (p, t) => tf.tidy(() => tf.mean(tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(p, t)), 1), epsilon))) as tf.Scalar),
  };
}

export function mseDistance(options: Record<string, unknown> = {}, f = DISTANCE_FIELD): Distance {
  rejectUnknownKeys(f, options, []);
  return { kind: 'mse', options: {}, compute: (p, t) => tf.tidy(() => tf.mean(tf.square(tf.sub(p, t))) as tf.Scalar) };
}

export function l1Distance(options: Record<string, unknown> = {}, f = DISTANCE_FIELD): Distance {
  rejectUnknownKeys(f, options, []);
  return { kind: 'l1', options: {}, compute: (p, t) => tf.tidy(() => tf.mean(tf.sum(tf.abs(tf.sub(p, t)), 1)) as tf.Scalar) };
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

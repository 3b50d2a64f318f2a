import { ValidationError, requireInteger, requireOneOf } from '@rrm/core';

/**
 * Small option helpers shared by the channel factories. Core has the general `require*` helpers;
 * these add the few forms channel options need (probabilities, booleans, optional numbers), always
 * naming the full config path (e.g. `channel.etaLc`) so a bad config fails with one actionable line.
 */

/** A number in [0, 1] (a probability such as the link-removal rate η_lc). */
export function requireProbability(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ValidationError(field, 'a number in [0, 1]', value);
  }
  return value;
}

export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, 'true or false', value);
  return value;
}

/** Any finite number (e.g. a power in dBm, which may be negative). */
export function requireFinite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(field, 'a finite number', value);
  return value;
}

/** The generate() request of every model: B ≥ 1 samples of K ≥ 1 pairs. */
export function checkRequest(request: { batch: number; users: number }): { batch: number; users: number } {
  if (request === null || typeof request !== 'object') throw new ValidationError('request', 'an object { batch, users, rng }', request);
  return { batch: requireInteger('batch', request.batch, 1), users: requireInteger('users', request.users, 1) };
}

/** Link weights λ for the generated batch (see weights.ts). */
export type WeightsKind = 'ones' | 'uniform';
export const WEIGHT_KINDS: readonly WeightsKind[] = ['ones', 'uniform'];

export function requireWeightsKind(field: string, value: unknown): WeightsKind {
  return requireOneOf(field, value, WEIGHT_KINDS);
}

/** Options read from a config object: `undefined` (absent) means the default. */
export function option<T>(options: Record<string, unknown>, key: string, fallback: T): unknown {
  const v = options[key];
  return v === undefined ? fallback : v;
}

/** Options must be a plain object (a config may carry `null` or a string by mistake). */
export function requireOptionsObject(field: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(field, 'an object of options', options);
  }
  return options as Record<string, unknown>;
}

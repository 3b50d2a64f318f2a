import { ValidationError, requireInteger, requireOneOf } from '@rrm/core';

/** Option readers for the model factories: each names the offending field (`model.message[1]`). */

export function readInteger(field: string, value: unknown, fallback: number, min = 1, max?: number): number {
  return value === undefined ? fallback : requireInteger(field, value, min, max);
}

export function readWidths(field: string, value: unknown, fallback: readonly number[], allowEmpty = false): number[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw new ValidationError(field, `${allowEmpty ? 'an' : 'a non-empty'} array of layer widths, e.g. [32, 32]`, value);
  }
  return value.map((v, i) => requireInteger(`${field}[${i}]`, v, 1));
}

export function readBoolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ValidationError(field, 'true or false', value);
  return value;
}

export function readChoice<T extends string>(field: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  return value === undefined ? fallback : requireOneOf(field, value, allowed);
}

import { ValidationError, requireInteger, requirePositive, requireNonNegative } from './errors';

/**
 * The physical setting shared by every sample of a data set (ARCHITECTURE.md, "One convention").
 * - `noise` σ² is in the same linear units as the power gains times powers (gains are usually
 *   normalised so that σ² = 1, or σ² is given relative to p_max = 1).
 * - `pmax` is the per-link power budget; every policy returns powers in [0, pmax].
 * - `weights` λ: `undefined` means all ones; a length-K array applies to every sample;
 *   per-sample weights travel with the `ChannelBatch` instead.
 */
export interface Scenario {
  readonly users: number;
  readonly noise: number;
  readonly pmax: number;
  readonly weights?: Float64Array;
}

export const DEFAULT_NOISE = 1;
export const DEFAULT_PMAX = 1;

export function makeScenario(input: { users: number; noise?: number; pmax?: number; weights?: ArrayLike<number> }): Scenario {
  const users = requireInteger('scenario.users', input.users, 1);
  const noise = requirePositive('scenario.noise', input.noise ?? DEFAULT_NOISE);
  const pmax = requirePositive('scenario.pmax', input.pmax ?? DEFAULT_PMAX);
  let weights: Float64Array | undefined;
  if (input.weights !== undefined) {
    if (input.weights.length !== users) {
      throw new ValidationError('scenario.weights', `${users} numbers (one per user)`, input.weights);
    }
    weights = Float64Array.from(input.weights);
    weights.forEach((w, i) => requireNonNegative(`scenario.weights[${i}]`, w));
  }
  return { users, noise, pmax, weights };
}

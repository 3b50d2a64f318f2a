import { ValidationError } from './errors';

/**
 * A batch of channel realisations in the one convention of this toolkit (ARCHITECTURE.md):
 * `gains[(b*K + i)*K + j]` is the **power gain from transmitter j to receiver i** (row = receiver),
 * linear scale, row-major [B, K, K]; the diagonal holds the direct links.
 * `weights`, when present, are per-sample link weights λ, row-major [B, K].
 * `geometry`, when the channel model has one, holds positions in metres ([B, K, 2] each) so that
 * interference graphs and mobility can be derived later.
 */
export interface ChannelBatch {
  readonly batch: number;
  readonly users: number;
  readonly gains: Float64Array;
  readonly weights?: Float64Array;
  readonly geometry?: Geometry;
}

export interface Geometry {
  readonly tx: Float64Array;
  readonly rx: Float64Array;
}

/** Validates and wraps raw gains: shape, square, finite, non-negative, K ≥ 1, B ≥ 1. */
export function makeChannelBatch(
  gains: ArrayLike<number>,
  shape: readonly number[],
  extra: { weights?: ArrayLike<number>; geometry?: Geometry; field?: string } = {},
): ChannelBatch {
  const field = extra.field ?? 'gains';
  const [batch, users] = checkShape(field, shape);
  if (gains.length !== batch * users * users) {
    throw new ValidationError(field, `${batch * users * users} values for shape [${shape.join(', ')}]`, gains);
  }
  const data = gains instanceof Float64Array ? gains : Float64Array.from(gains);
  checkGainValues(field, data, users);
  let weights: Float64Array | undefined;
  if (extra.weights !== undefined) weights = checkWeights('weights', extra.weights, batch, users);
  return { batch, users, gains: data, weights, geometry: extra.geometry };
}

function checkShape(field: string, shape: readonly number[]): [number, number] {
  const s = shape.length === 2 ? [1, shape[0], shape[1]] : shape;
  if (s.length !== 3) {
    throw new ValidationError(field, 'shape [B, K, K] (or [K, K] for one sample)', `shape [${shape.join(', ')}]`);
  }
  const [b, k1, k2] = s;
  if (k1 !== k2) throw new ValidationError(field, `square K×K matrices per sample`, `shape [${shape.join(', ')}]`);
  if (!Number.isInteger(b) || b < 1) throw new ValidationError(`${field} shape[0] (B)`, 'an integer >= 1', b);
  if (!Number.isInteger(k1) || k1 < 1) throw new ValidationError(`${field} shape[1] (K)`, 'an integer >= 1', k1);
  return [b, k1];
}

function checkGainValues(field: string, data: Float64Array, users: number): void {
  for (let n = 0; n < data.length; n++) {
    const v = data[n];
    if (!Number.isFinite(v) || v < 0) {
      const b = Math.floor(n / (users * users));
      const i = Math.floor((n % (users * users)) / users);
      const j = n % users;
      throw new ValidationError(`${field}[${b}][${i}][${j}]`, 'a finite, non-negative power gain', v);
    }
  }
}

export function checkWeights(field: string, weights: ArrayLike<number>, batch: number, users: number): Float64Array {
  let w: Float64Array;
  if (weights.length === batch * users) w = Float64Array.from(weights);
  else if (weights.length === users) {
    w = new Float64Array(batch * users);
    for (let b = 0; b < batch; b++) for (let i = 0; i < users; i++) w[b * users + i] = weights[i];
  } else {
    throw new ValidationError(field, `${batch * users} values ([B, K]) or ${users} values ([K])`, weights);
  }
  for (let n = 0; n < w.length; n++) {
    if (!Number.isFinite(w[n]) || w[n] < 0) throw new ValidationError(`${field}[${n}]`, 'a finite, non-negative weight', w[n]);
  }
  return w;
}

/** Per-sample weights: the batch's own, else the scenario's (broadcast), else all ones. */
export function resolveWeights(channels: Pick<ChannelBatch, 'batch' | 'users' | 'weights'>, scenarioWeights?: Float64Array): Float64Array {
  if (channels.weights) return channels.weights;
  const { batch, users } = channels;
  const w = new Float64Array(batch * users);
  if (scenarioWeights) for (let b = 0; b < batch; b++) w.set(scenarioWeights, b * users);
  else w.fill(1);
  return w;
}

/** Samples [start, end) as a new batch sharing no memory with the original. */
export function sliceBatch(channels: ChannelBatch, start: number, end: number): ChannelBatch {
  const { users } = channels;
  const kk = users * users;
  return {
    batch: end - start,
    users,
    gains: channels.gains.slice(start * kk, end * kk),
    weights: channels.weights?.slice(start * users, end * users),
    geometry: channels.geometry && {
      tx: channels.geometry.tx.slice(start * users * 2, end * users * 2),
      rx: channels.geometry.rx.slice(start * users * 2, end * users * 2),
    },
  };
}

/** The samples `indices` (in that order) as a new batch sharing no memory with the original. */
export function gatherBatch(channels: ChannelBatch, indices: ArrayLike<number>): ChannelBatch {
  const { users, batch } = channels;
  const kk = users * users;
  const n = indices.length;
  const gains = new Float64Array(n * kk);
  const weights = channels.weights && new Float64Array(n * users);
  const geometry = channels.geometry && { tx: new Float64Array(n * users * 2), rx: new Float64Array(n * users * 2) };
  for (let r = 0; r < n; r++) {
    const s = indices[r];
    if (!(Number.isInteger(s) && s >= 0 && s < batch)) throw new RangeError(`gatherBatch: index ${s} outside [0, ${batch})`);
    gains.set(channels.gains.subarray(s * kk, (s + 1) * kk), r * kk);
    weights?.set(channels.weights!.subarray(s * users, (s + 1) * users), r * users);
    if (geometry) {
      geometry.tx.set(channels.geometry!.tx.subarray(s * users * 2, (s + 1) * users * 2), r * users * 2);
      geometry.rx.set(channels.geometry!.rx.subarray(s * users * 2, (s + 1) * users * 2), r * users * 2);
    }
  }
  return { batch: n, users, gains, weights, geometry };
}

/** Direct gains g_ii, [B, K]. */
export function directGains(channels: ChannelBatch): Float64Array {
  const { batch, users, gains } = channels;
  const out = new Float64Array(batch * users);
  for (let b = 0; b < batch; b++) {
    const base = b * users * users;
    for (let i = 0; i < users; i++) out[b * users + i] = gains[base + i * users + i];
  }
  return out;
}

import {
  ValidationError,
  checkFormat,
  checkWeights,
  makeChannelBatch,
  readNpy,
  toCanonical,
  type ChannelBatch,
  type ChannelFormat,
} from '@rrm/core';

export interface ChannelFileOptions extends ChannelFormat {
  readonly channels: string;
  readonly weights?: string;
}

/**
 * Reads a channel file from any source (NumPy, PyTorch, this toolkit) and converts it once, at the
 * boundary, to the canonical rx-tx power gains; optional weights are [B, K] or [K].
 */
export function readChannelFile(opts: ChannelFileOptions): ChannelBatch {
  const format = checkFormat(opts);
  const arr = readNpy(opts.channels);
  const shape = arr.shape.length === 2 ? [1, ...arr.shape] : arr.shape;
  if (shape.length !== 3 || shape[1] !== shape[2]) {
    throw new ValidationError(`--channels (${opts.channels})`, 'an array of shape [B, K, K] or [K, K]', `shape [${arr.shape.join(', ')}]`);
  }
  const [batch, users] = shape;
  const gains = toCanonical(arr.data, batch, users, format);
  let weights: Float64Array | undefined;
  if (opts.weights) {
    const w = readNpy(opts.weights);
    const ok = (w.shape.length === 2 && w.shape[0] === batch && w.shape[1] === users) || (w.shape.length === 1 && w.shape[0] === users);
    if (!ok) throw new ValidationError(`--weights (${opts.weights})`, `shape [${batch}, ${users}] or [${users}]`, `shape [${w.shape.join(', ')}]`);
    weights = checkWeights(`--weights (${opts.weights})`, w.data, batch, users);
  }
  return makeChannelBatch(gains, [batch, users, users], { weights, field: `--channels (${opts.channels})` });
}

/** A powers file of exactly shape [B, K] (a transposed [K, B] file is an error, not a silent reshape). */
export function readPowers(flag: string, path: string, batch: number, users: number) {
  const arr = readNpy(path);
  if (arr.shape.length !== 2 || arr.shape[0] !== batch || arr.shape[1] !== users) {
    throw new ValidationError(`${flag} (${path})`, `shape [${batch}, ${users}] to match the channels`, `shape [${arr.shape.join(', ')}]`);
  }
  return arr;
}

/** Powers [B, K] that match a channel batch. */
export function readPowerFile(path: string, channels: ChannelBatch, pmax: number): Float64Array {
  const { batch, users } = channels;
  const arr = readPowers('--powers', path, batch, users);
  const p = Float64Array.from(arr.data);
  for (let n = 0; n < p.length; n++) {
    if (!Number.isFinite(p[n]) || p[n] < 0 || p[n] > pmax * (1 + 1e-6)) {
      throw new ValidationError(`--powers (${path})[${Math.floor(n / users)}][${n % users}]`, `a power in [0, ${pmax}]`, p[n]);
    }
  }
  return p;
}
